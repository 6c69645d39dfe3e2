import type { ResolvedConfig } from '../config/resolve.js';
import { BYOL_PRODUCT_CODE, PREAUTHORIZED_PRODUCT_CODE } from '../config/schema.js';
import { instanceInlinePolicy, instanceManagedPolicies, instanceTrustPolicy, type PolicyDocument } from './instance-role.js';
import {
  defaultPrivateKeyPath,
  fleetTags,
  iamRoleName,
  instanceProfileName,
  keyPairName,
  ownedLinkingKeyParameter,
  scannerName,
  securityGroupName,
  TAG,
} from './naming.js';
import { partitionOf, type Partition } from './partition.js';
import { egressRules, ingressRules, scanEgressRules, type ScanEgressRule, type SgRule } from './security-group.js';
import { bootSecrets, linkingKeyStore, linkTarget, renderUserData, userDataPerInstance } from './user-data.js';
import { maskUserDataText } from './mask.js';
import type { Secret } from './secret.js';

export type Action = 'create' | 'keep' | 'use-existing';

/** What `plan` observed in AWS; absent fields mean "not looked up" (offline). */
export interface Observed {
  accountId?: string;
  ami?: { id: string; name?: string; rootDeviceName: string };
  vpcId?: string;
  subnets?: Array<{ id: string; availabilityZone: string; publicIp: boolean }>;
  networkPath?: { ok: boolean; summary: string; problems: string[] };
  existing?: {
    securityGroupId?: string;
    keyPair?: boolean;
    role?: boolean;
    instanceProfile?: boolean;
    linkingKeyParameter?: boolean;
    /** Live instances of this fleet (pending/running/stopped). */
    instances?: Array<{ instanceId: string; instanceType: string; imageId: string; state: string; scannerName?: string; scannerId?: number; launchedAt?: number }>;
  };
}

export interface InstanceLaunch {
  subnetId: string | null;
  availabilityZone?: string;
  count: number;
  instanceTypes: string[];
  scannerNames: string[];
  associatePublicIp: boolean | 'auto';
  userData: string;
}

export interface Plan {
  fleet: string;
  region: string;
  partition: Partition;
  accountId: string | null;
  offline: boolean;
  tenable: { site: string; apiUrl: string; link: string };
  linkMethod: ResolvedConfig['link']['method'];
  ami: { action: 'pinned' | 'newest-by-product-code'; id: string | null; productCode?: string; owner?: string; name?: string };
  network: { vpcId: string | null; subnets: string[] | null; publicIp: string; pathCheck: Observed['networkPath'] | null };
  securityGroup: { action: Action; name: string; id?: string; ingress: SgRule[]; egress: SgRule[]; /** `scan.egress`: all traffic to the scan targets. */ scanEgress: ScanEgressRule[]; revokeDefaultEgress: true; tags: Record<string, string> };
  keyPair: null | { action: Action; mode: 'create' | 'import' | 'existing'; name: string; privateKeyPath?: string; publicKeyPath?: string };
  iam:
    | { action: Action; mode: 'create'; roleName: string; instanceProfileName: string; trustPolicy: PolicyDocument; inlinePolicy: PolicyDocument | null; managedPolicies: string[]; tags: Record<string, string> }
    | { action: 'use-existing'; mode: 'existing'; instanceProfileName: string };
  linkingKey: null | { source: string; store: string; action: 'read' | 'create-or-update'; owned: boolean };
  instances: {
    desired: number;
    existing: number;
    toLaunch: number;
    launches: InstanceLaunch[];
    metadataOptions: { HttpTokens: 'required'; HttpPutResponseHopLimit: 1; HttpEndpoint: 'enabled' };
    rootVolume: { deviceName: string; sizeGiB: number; type: 'gp3'; encrypted: true; kmsKeyId: string | null; deleteOnTermination: true };
    tags: Record<string, string>;
  };
  drift: string[];
  warnings: string[];
}

export interface PlanOptions {
  /** Secrets the rendered user-data may contain, masked in the plan. */
  secrets?: Secret[];
  /** Real linking key, only when it must be embedded (apply time); plans show the placeholder. */
  linkingKey?: Secret;
}

/** A pure function of the desired config and what was observed: everything `up` would do. */
export function buildPlan(config: ResolvedConfig, observed: Observed | null, opts: PlanOptions = {}): Plan {
  const partition = partitionOf(config.region);
  const account = observed?.accountId ?? null;
  const tags = fleetTags(config.fleet, config.tags);
  const existing = observed?.existing ?? {};
  const warnings: string[] = [];
  const drift: string[] = [];

  const amiPinned = 'id' in config.ami;
  const productCode = 'productCode' in config.ami ? config.ami.productCode : undefined;
  if (config.link.method === 'preauthorized-json' && productCode === BYOL_PRODUCT_CODE) {
    warnings.push(`method preauthorized-json expects the pre-authorized AMI (product code ${PREAUTHORIZED_PRODUCT_CODE}); ami.productCode is the BYOL listing`);
  }
  if (config.link.embedInUserData) {
    warnings.push('the linking key is embedded in user-data: anyone allowed ec2:DescribeInstanceAttribute can read it');
  }

  const desired = config.scanners.list?.length ?? config.scanners.count;
  const live = existing.instances?.filter((i) => i.state === 'pending' || i.state === 'running' || i.state === 'stopped' || i.state === 'stopping') ?? [];
  const instanceTypes = Array.isArray(config.scanners.instanceType) ? config.scanners.instanceType : [config.scanners.instanceType];
  for (const i of live) {
    if (!instanceTypes.includes(i.instanceType)) drift.push(`${i.instanceId} runs ${i.instanceType}, the fleet declares ${instanceTypes.join(' or ')} — run \`nessus-byol rebuild\``);
    if (observed?.ami && i.imageId !== observed.ami.id) drift.push(`${i.instanceId} runs ${i.imageId}, the fleet's AMI is ${observed.ami.id} — run \`nessus-byol rebuild\``);
  }
  if (live.length > desired) drift.push(`${live.length} scanners run but the fleet declares ${desired} — run \`nessus-byol reconcile\``);
  const toLaunch = Math.max(0, desired - live.length);

  const store = linkingKeyStore(config);
  const keySourceLabel = describeKeySource(config);
  const role = 'role' in config.iam;
  const roleName = iamRoleName(config.fleet, config.region);
  const profileName = role ? instanceProfileName(config.fleet, config.region) : (config.iam as { instanceProfile: string }).instanceProfile;

  const launches = planLaunches(config, observed, toLaunch, live.length, instanceTypes, opts);

  return {
    fleet: config.fleet,
    region: config.region,
    partition,
    accountId: account,
    offline: observed === null,
    tenable: { site: config.tenable.site, apiUrl: config.tenableApiUrl, link: describeLink(config) },
    linkMethod: config.link.method,
    ami: amiPinned
      ? { action: 'pinned', id: (config.ami as { id: string }).id, ...(observed?.ami?.name ? { name: observed.ami.name } : {}) }
      : { action: 'newest-by-product-code', id: observed?.ami?.id ?? null, productCode: productCode!, owner: (config.ami as { owner: string }).owner, ...(observed?.ami?.name ? { name: observed.ami.name } : {}) },
    network: {
      vpcId: config.network.vpcId ?? observed?.vpcId ?? null,
      subnets: config.scanners.subnetIds ?? observed?.subnets?.map((s) => s.id) ?? null,
      publicIp: config.network.publicIp,
      pathCheck: observed?.networkPath ?? null,
    },
    securityGroup: {
      action: existing.securityGroupId ? 'keep' : 'create',
      name: securityGroupName(config.fleet),
      ...(existing.securityGroupId ? { id: existing.securityGroupId } : {}),
      ingress: ingressRules(config.network),
      egress: egressRules(config),
      scanEgress: scanEgressRules(config),
      revokeDefaultEgress: true,
      tags: { ...tags, Name: securityGroupName(config.fleet) },
    },
    keyPair: planKeyPair(config, existing.keyPair ?? false),
    iam: role
      ? {
          action: existing.role && existing.instanceProfile ? 'keep' : 'create',
          mode: 'create',
          roleName,
          instanceProfileName: profileName,
          trustPolicy: instanceTrustPolicy(config.region),
          inlinePolicy: instanceInlinePolicy({ region: config.region, account: account ?? '<account-id>', secrets: bootSecrets(config) }),
          managedPolicies: instanceManagedPolicies({ region: config.region, awsScanner: config.link.awsScanner }),
          tags,
        }
      : { action: 'use-existing', mode: 'existing', instanceProfileName: profileName },
    linkingKey:
      config.link.method === 'standalone'
        ? null
        : {
            source: keySourceLabel,
            store: store ? (store.from === 'ssm' ? `ssm:${store.parameter}` : `secretsmanager:${store.secretId}`) : 'user-data (embedded)',
            action: config.link.key.from === 'tenable-api' || config.link.key.from === 'env' ? 'create-or-update' : 'read',
            owned: store?.from === 'ssm' && store.parameter === ownedLinkingKeyParameter(config.fleet),
          },
    instances: {
      desired,
      existing: live.length,
      toLaunch,
      launches,
      metadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1, HttpEndpoint: 'enabled' },
      rootVolume: {
        deviceName: observed?.ami?.rootDeviceName ?? '(root device of the AMI)',
        sizeGiB: config.scanners.volume.sizeGiB,
        type: 'gp3',
        encrypted: true,
        kmsKeyId: config.scanners.volume.kmsKeyId ?? null,
        deleteOnTermination: true,
      },
      tags,
    },
    drift,
    warnings,
  };
}

function planLaunches(
  config: ResolvedConfig,
  observed: Observed | null,
  toLaunch: number,
  firstIndex: number,
  instanceTypes: string[],
  opts: PlanOptions,
): InstanceLaunch[] {
  if (toLaunch === 0) return [];
  const subnets: Array<{ id: string | null; az?: string; publicIp: boolean | 'auto' }> = observed?.subnets?.length
    ? observed.subnets
        .filter((s) => !config.scanners.subnetIds || config.scanners.subnetIds.includes(s.id))
        .map((s) => ({ id: s.id, az: s.availabilityZone, publicIp: publicIpFor(config, s.publicIp) }))
    : (config.scanners.subnetIds ?? [null]).map((id) => ({ id, publicIp: config.network.publicIp === 'auto' ? ('auto' as const) : config.network.publicIp === 'always' }));
  const mask = (text: string) => maskUserDataText(text, opts.secrets ?? []);
  const names = (index: number) => scannerName(config.scanners.list?.[index]?.name ?? config.scanners.name, { fleet: config.fleet, region: config.region, index });

  if (userDataPerInstance(config)) {
    return Array.from({ length: toLaunch }, (_, n) => {
      const index = firstIndex + n;
      const entry = config.scanners.list?.[index];
      const subnet = entry?.subnetId ? { id: entry.subnetId, publicIp: 'auto' as const } : subnets[index % subnets.length]!;
      return {
        subnetId: subnet.id,
        ...('az' in subnet && subnet.az ? { availabilityZone: subnet.az } : {}),
        count: 1,
        instanceTypes: entry?.instanceType ? [entry.instanceType] : instanceTypes,
        scannerNames: [names(index)],
        associatePublicIp: subnet.publicIp,
        userData: mask(renderUserData(config, { index, ...(opts.linkingKey ? { linkingKey: opts.linkingKey } : {}) })),
      };
    });
  }
  const userData = mask(renderUserData(config, opts.linkingKey ? { linkingKey: opts.linkingKey } : {}));
  const perSubnet = subnets.map((s, i) => ({ s, count: Math.floor(toLaunch / subnets.length) + (i < toLaunch % subnets.length ? 1 : 0) }));
  return perSubnet
    .filter((p) => p.count > 0)
    .map(({ s, count }) => ({
      subnetId: s.id,
      ...(s.az ? { availabilityZone: s.az } : {}),
      count,
      instanceTypes,
      scannerNames: Array.from({ length: count }, () => names(0)),
      associatePublicIp: s.publicIp,
      userData,
    }));
}

function publicIpFor(config: ResolvedConfig, routesToIgw: boolean): boolean {
  if (config.network.publicIp === 'always') return true;
  if (config.network.publicIp === 'never') return false;
  return routesToIgw;
}

function planKeyPair(config: ResolvedConfig, exists: boolean): Plan['keyPair'] {
  const kp = config.access.keyPair;
  if (kp === 'none') return null;
  if (kp === 'create') {
    return {
      action: exists ? 'keep' : 'create',
      mode: 'create',
      name: keyPairName(config.fleet),
      privateKeyPath: config.access.privateKeyPath ?? defaultPrivateKeyPath(config.fleet, config.region),
    };
  }
  if ('import' in kp) return { action: exists ? 'keep' : 'create', mode: 'import', name: keyPairName(config.fleet), publicKeyPath: kp.import };
  return { action: 'use-existing', mode: 'existing', name: kp.name };
}

function describeKeySource(config: ResolvedConfig): string {
  const k = config.link.key;
  switch (k.from) {
    case 'ssm':
      return `SSM SecureString ${k.parameter}`;
    case 'secretsmanager':
      return `Secrets Manager ${k.secretId}`;
    case 'tenable-api':
      return 'Tenable API (GET /scanners/…/key) at provision time';
    case 'env':
      return 'NESSUS_LINKING_KEY environment variable at provision time';
  }
}

function describeLink(config: ResolvedConfig): string {
  const t = linkTarget(config);
  const flags = t.kind === 'cloud' ? '--cloud' : t.kind === 'fedramp' ? '--host=fedcloud.tenable.com --port=443' : `--host=${t.host} --port=${t.port}`;
  return `${flags}${config.link.awsScanner ? ' --aws-scanner' : ''}`;
}

export { TAG };
