import { linkArgs, linkArgsToShell } from './link-args.js';
import { nameNeedsInstanceId, nameShellExpression, parseNameTemplate } from './name.js';
import { fillTemplate, loadTemplate } from './templates.js';
import type { BootstrapInput, KeySource, Proxy, StandaloneInput } from './types.js';
import {
  MAX_LINK_ATTEMPTS,
  Problems,
  checkInteger,
  checkKeySource,
  checkProxy,
  checkString,
  patterns,
  shellQuote,
} from './validate.js';

export const DEFAULT_LINK_ATTEMPTS = 5;

const INDENT = '  ';

/**
 * The body of a reader function that prints a secret on stdout. With a proxy, the AWS CLI is tried
 * directly first (VPC endpoint or NAT), then through the proxy (without proxy credentials: those
 * may themselves live behind this call).
 */
function readerBody(src: KeySource, proxy: Proxy | undefined): string {
  let cmd: string;
  switch (src.kind) {
    case 'embedded':
      // embedInUserData: the value is in the script by the user's choice (the tool warns).
      return `${INDENT}printf '%s\\n' ${shellQuote(src.key.reveal())}`;
    case 'ssm':
      cmd =
        `aws ssm get-parameter --region ${shellQuote(src.region)} --name ${shellQuote(src.parameter)}` +
        ' --with-decryption --query Parameter.Value --output text';
      break;
    case 'secretsmanager':
      cmd =
        `aws secretsmanager get-secret-value --region ${shellQuote(src.region)} --secret-id ${shellQuote(src.secretId)}` +
        ' --query SecretString --output text';
      break;
  }
  if (!proxy) return `${INDENT}${cmd}`;
  const proxyUrl = shellQuote(`http://${proxy.host}:${proxy.port}`);
  return [
    `${INDENT}${cmd} --cli-connect-timeout 10 \\`,
    `${INDENT}${INDENT}|| HTTPS_PROXY=${proxyUrl} NO_PROXY='169.254.169.254,localhost,127.0.0.1' ${cmd}`,
  ].join('\n');
}

function sourceLabel(src: KeySource): string {
  return src.kind;
}

function osUpdateBlock(osUpdate: boolean): string {
  if (!osUpdate) return '# OS update skipped (bootstrap.osUpdate: false).';
  return [
    "STEP='os-update'",
    'phase os-update',
    'yum update -y >>"$LOG_FILE" 2>&1',
  ].join('\n');
}

function proxyPasswordBlock(proxy: Proxy | undefined, failedPhase: string): { read: string; unset: string } {
  if (!proxy?.password) return { read: '', unset: '' };
  return {
    read: [
      'read_proxy_password() {',
      readerBody(proxy.password, proxy),
      '}',
      'if ! fetch_value PROXY_PASSWORD read_proxy_password "$FETCH_ATTEMPTS" secret; then',
      `  phase ${failedPhase} "proxy password not readable from ${sourceLabel(proxy.password)} after \${FETCH_ATTEMPTS} attempts"`,
      '  exit 1',
      'fi',
    ].join('\n'),
    unset: ' PROXY_PASSWORD',
  };
}

function checkCommon(p: Problems, input: { fleet: string; region: string; toolVersion: string; osUpdate: boolean; proxy?: Proxy | undefined }): void {
  checkString(p, 'fleet', input.fleet, patterns.fleet, 'fleet name ([a-z0-9-], at most 63 characters)');
  checkString(p, 'region', input.region, patterns.region, 'AWS region');
  checkString(p, 'toolVersion', input.toolVersion, patterns.toolVersion, 'tool version');
  if (typeof input.osUpdate !== 'boolean') p.add('osUpdate', 'must be true or false');
  if (input.proxy) checkProxy(p, 'proxy', input.proxy);
}

/** The `method: bootstrap` user-data: a bash script that links the scanner to TVM at first boot. */
export function renderBootstrapScript(input: BootstrapInput): string {
  const p = new Problems();
  checkCommon(p, input);
  checkKeySource(p, 'key', input.key);
  const attempts = input.linkAttempts ?? DEFAULT_LINK_ATTEMPTS;
  checkInteger(p, 'linkAttempts', attempts, 1, MAX_LINK_ATTEMPTS);
  if (typeof input.awsScanner !== 'boolean') p.add('awsScanner', 'must be true or false');
  const nameParts = parseNameTemplate(p, 'nameTemplate', input.nameTemplate, input);
  p.throwIfAny();

  const flags = linkArgsToShell(linkArgs(input.target, input.awsScanner, input.proxy), {
    secret: () => '"$PROXY_PASSWORD"',
  });
  const proxyPassword = proxyPasswordBlock(input.proxy, 'link-failed');

  const script = fillTemplate(
    loadTemplate('user-data/bootstrap.sh.tmpl'),
    {
      FLEET: input.fleet,
      FLEET_QUOTED: shellQuote(input.fleet),
      REGION_QUOTED: shellQuote(input.region),
      TOOL_VERSION: input.toolVersion,
      LINK_ATTEMPTS: String(attempts),
      LIB: loadTemplate('user-data/lib.sh.tmpl'),
      OS_UPDATE: osUpdateBlock(input.osUpdate),
      INSTANCE_ID: nameNeedsInstanceId(nameParts)
        ? [
            'if ! fetch_value INSTANCE_ID read_instance_id "$FETCH_ATTEMPTS" plain; then',
            '  phase link-failed "instance id not readable from IMDS at ${IMDS_ENDPOINT}"',
            '  exit 1',
            'fi',
          ].join('\n')
        : '# The name template has no {instanceId}: no metadata read needed.',
      NAME_EXPR: nameShellExpression(nameParts),
      READ_KEY: readerBody(input.key, input.proxy),
      KEY_SOURCE: sourceLabel(input.key),
      READ_PROXY_PASSWORD: proxyPassword.read,
      LINK_FLAGS: flags.join(' '),
      UNSET_PROXY_PASSWORD: proxyPassword.unset,
    },
    'bootstrap.sh.tmpl',
  );
  return script;
}

/** Nessus proxy settings for a standalone scanner (`nessuscli fix --set`, nessusd stopped). */
function proxySettingsBlock(proxy: Proxy | undefined): string {
  if (!proxy) return '# No proxy configured.';
  const settings: [string, string][] = [
    ['proxy', shellQuote(proxy.host)],
    ['proxy_port', shellQuote(String(proxy.port))],
  ];
  if (proxy.username !== undefined) settings.push(['proxy_username', shellQuote(proxy.username)]);
  if (proxy.password !== undefined) settings.push(['proxy_password', '"$PROXY_PASSWORD"']);
  if (proxy.agent !== undefined) settings.push(['user_agent', shellQuote(proxy.agent)]);
  const lines = settings.map(([k, v]) => `  "$NESSUSCLI" fix --set ${k}=${v}`);
  return [
    "STEP='proxy-settings'",
    'proxy_settings() {',
    lines.join(' &&\n'),
    '}',
    'if ! retry 3 "$ACTIVATE_BACKOFF_SECONDS" proxy_settings; then',
    '  phase activate-failed "nessuscli fix --set (proxy settings) exited ${RETRY_STATUS} (details in ${LOG_FILE})"',
    '  exit 1',
    'fi',
  ].join('\n');
}

/** The `method: standalone` user-data: activates the scanner with `nessuscli fetch --register`. */
export function renderStandaloneScript(input: StandaloneInput): string {
  const p = new Problems();
  checkCommon(p, input);
  checkKeySource(p, 'activationCode', input.activationCode);
  p.throwIfAny();

  const proxyPassword = proxyPasswordBlock(input.proxy, 'activate-failed');
  return fillTemplate(
    loadTemplate('user-data/standalone.sh.tmpl'),
    {
      FLEET: input.fleet,
      FLEET_QUOTED: shellQuote(input.fleet),
      REGION_QUOTED: shellQuote(input.region),
      TOOL_VERSION: input.toolVersion,
      LIB: loadTemplate('user-data/lib.sh.tmpl'),
      OS_UPDATE: osUpdateBlock(input.osUpdate),
      READ_CODE: readerBody(input.activationCode, input.proxy),
      KEY_SOURCE: sourceLabel(input.activationCode),
      READ_PROXY_PASSWORD: proxyPassword.read,
      PROXY_SETTINGS: proxySettingsBlock(input.proxy),
      UNSET_PROXY_PASSWORD: proxyPassword.unset,
    },
    'standalone.sh.tmpl',
  );
}
export { renderPreauthorizedJson } from './preauthorized.js';
