import type { ResolvedConfig } from '../config/resolve.js';
import type { LinkingKeySource, StoredSecretSource } from '../config/schema.js';
import { renderBootstrapScript, renderPreauthorizedJson, renderStandaloneScript } from '../bootstrap/render.js';
import type { KeySource, LinkTarget, Proxy } from '../bootstrap/types.js';
import { VERSION } from '../version.js';
import { instanceProfileName, ownedLinkingKeyParameter, scannerName } from './naming.js';
import { Secret } from './secret.js';

/** Shown in plans where the real key is not (or must not be) known. */
export const LINKING_KEY_PLACEHOLDER = new Secret('0000000000000000000000000000000000000000000000000000000000000000', 'linking key');

/** The stored secret the instances read the linking key from at boot (null when embedded or standalone). */
export function linkingKeyStore(config: Pick<ResolvedConfig, 'fleet' | 'link'>): StoredSecretSource | null {
  if (config.link.method === 'standalone' || config.link.embedInUserData) return null;
  return storeOf(config.fleet, config.link.key);
}

function storeOf(fleet: string, key: LinkingKeySource): StoredSecretSource {
  if (key.from === 'ssm' || key.from === 'secretsmanager') return key;
  return { from: 'ssm', parameter: key.parameter ?? ownedLinkingKeyParameter(fleet) };
}

/** Every stored secret the instance role must be able to read at boot. */
export function bootSecrets(config: Pick<ResolvedConfig, 'fleet' | 'link'>): StoredSecretSource[] {
  const out: StoredSecretSource[] = [];
  const store = linkingKeyStore(config);
  if (store) out.push(store);
  if (config.link.proxy?.password) out.push(config.link.proxy.password);
  if (config.link.method === 'standalone' && config.link.activationCode) out.push(config.link.activationCode);
  return out;
}

export function linkTarget(config: Pick<ResolvedConfig, 'tenable'>): LinkTarget {
  const t = config.tenable;
  if (t.site === 'cloud') return { kind: 'cloud' };
  if (t.site === 'fedramp') return { kind: 'fedramp' };
  return { kind: 'custom', host: t.linkHost!, port: t.linkPort ?? 443 };
}

function keySource(source: StoredSecretSource, region: string): KeySource {
  return source.from === 'ssm'
    ? { kind: 'ssm', parameter: source.parameter, region }
    : { kind: 'secretsmanager', secretId: source.secretId, region };
}

function proxyOf(config: ResolvedConfig): Proxy | undefined {
  const p = config.link.proxy;
  if (!p) return undefined;
  return {
    host: p.host,
    port: p.port,
    ...(p.username ? { username: p.username } : {}),
    ...(p.password ? { password: keySource(p.password, config.region) } : {}),
    ...(p.agent ? { agent: p.agent } : {}),
  };
}

export interface UserDataContext {
  /** The linking key when it must be embedded (preauthorized-json / embedInUserData). */
  linkingKey?: Secret;
  /** Index of the scanner when user-data is rendered per instance. */
  index?: number;
  /** Short random suffix for per-instance names of the pre-authorized AMI. */
  suffix?: string;
}

/** Whether every scanner needs its own user-data (and so its own RunInstances call). */
export function userDataPerInstance(config: ResolvedConfig): boolean {
  return config.link.method === 'preauthorized-json' || config.scanners.name.includes('{index}') || Boolean(config.scanners.list);
}

/**
 * The name of a scanner whose user-data is rendered per instance. The pre-authorized AMI gets its
 * name before the instance id exists, so `{instanceId}` — or, without it, a suffix — is random.
 */
export function perInstanceScannerName(config: Pick<ResolvedConfig, 'fleet' | 'region' | 'link' | 'scanners'>, index: number, suffix: string): string {
  const template = config.scanners.list?.[index]?.name ?? config.scanners.name;
  const name = scannerName(template, { fleet: config.fleet, region: config.region, index, instanceId: suffix });
  return config.link.method === 'preauthorized-json' && !template.includes('{instanceId}') ? `${name}-${suffix}` : name;
}

/** Renders the exact user-data `up` sends for the fleet's link method. */
export function renderUserData(config: ResolvedConfig, ctx: UserDataContext = {}): string {
  const linkingKey = ctx.linkingKey ?? LINKING_KEY_PLACEHOLDER;
  const proxy = proxyOf(config);
  if (config.link.method === 'standalone') {
    return renderStandaloneScript({
      fleet: config.fleet,
      region: config.region,
      activationCode: keySource(config.link.activationCode!, config.region),
      osUpdate: config.bootstrap.osUpdate,
      toolVersion: VERSION,
      ...(proxy ? { proxy } : {}),
    });
  }
  if (config.link.method === 'preauthorized-json') {
    return renderPreauthorizedJson({
      name: perInstanceScannerName(config, ctx.index ?? 0, ctx.suffix ?? 'xxxx'),
      key: linkingKey,
      iamRole: 'instanceProfile' in config.iam ? config.iam.instanceProfile : instanceProfileName(config.fleet, config.region),
      awsScanner: config.link.awsScanner,
      ...(proxy ? { proxy } : {}),
    });
  }
  const store = linkingKeyStore(config);
  return renderBootstrapScript({
    fleet: config.fleet,
    region: config.region,
    nameTemplate: config.scanners.name,
    ...(ctx.index === undefined ? {} : { index: ctx.index }),
    target: linkTarget(config),
    awsScanner: config.link.awsScanner,
    key: store ? keySource(store, config.region) : { kind: 'embedded', key: linkingKey },
    ...(proxy ? { proxy } : {}),
    osUpdate: config.bootstrap.osUpdate,
    toolVersion: VERSION,
  });
}
