import type { Secret } from '../core/secret.js';
import type { PreauthorizedInput } from './types.js';
import { MAX_NAME_LENGTH, Problems, checkProxy, checkSecret, checkString, patterns } from './validate.js';

/**
 * The JSON user-data read by the pre-authorized Marketplace AMI. It carries the linking key by
 * nature (the caller requires `embedInUserData: true` and warns); mask it with `maskUserData`
 * before showing it. Key order is fixed so plans and snapshots are stable.
 *
 * The proxy object follows nessuscli's flag names (`--proxy-host` → `proxy`, `--proxy-port` →
 * `proxy_port`, `--proxy-username` → `proxy_username`, …); Tenable's AWS integration guide shows no
 * proxy keys for this format.
 */
export function renderPreauthorizedJson(input: PreauthorizedInput): string {
  const p = new Problems();
  checkString(p, 'name', input.name, patterns.nameChars, 'scanner name ([A-Za-z0-9._-])');
  if (typeof input.name === 'string' && input.name.length > MAX_NAME_LENGTH) {
    p.add('name', `the scanner name is longer than ${MAX_NAME_LENGTH} characters`);
  }
  checkSecret(p, 'key', input.key);
  checkString(p, 'iamRole', input.iamRole, patterns.iamRole, 'IAM role name');
  if (typeof input.awsScanner !== 'boolean') p.add('awsScanner', 'must be true or false');
  if (input.proxy) {
    checkProxy(p, 'proxy', input.proxy);
    if (input.proxy.password && input.proxy.password.kind !== 'embedded') {
      p.add(
        'proxy.password',
        `the pre-authorized JSON user-data cannot read a secret at boot (source: ${input.proxy.password.kind})`,
        'Use method: bootstrap, or embed the proxy password with embedInUserData: true.',
      );
    }
  }
  p.throwIfAny();

  const doc: Record<string, unknown> = {
    name: input.name,
    key: input.key.reveal(),
    iam_role: input.iamRole,
    aws_scanner: input.awsScanner,
  };
  if (input.proxy) {
    const proxy: Record<string, unknown> = { proxy: input.proxy.host, proxy_port: input.proxy.port };
    if (input.proxy.username !== undefined) proxy.proxy_username = input.proxy.username;
    if (input.proxy.password?.kind === 'embedded') proxy.proxy_password = input.proxy.password.key.reveal();
    if (input.proxy.agent !== undefined) proxy.proxy_agent = input.proxy.agent;
    doc.proxy = proxy;
  }
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** Secrets a pre-authorized input puts into user-data (for `maskUserData`). */
export function preauthorizedSecrets(input: PreauthorizedInput): Secret[] {
  const out = [input.key];
  if (input.proxy?.password?.kind === 'embedded') out.push(input.proxy.password.key);
  return out;
}
