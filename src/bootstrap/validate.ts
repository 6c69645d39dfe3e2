import { ConfigError, type ConfigProblem } from '../core/errors.js';
import type { Secret } from '../core/secret.js';
import type { KeySource, LinkTarget, Proxy } from './types.js';

/**
 * Defence in depth: the fleet schema validates these values already, but everything that is
 * interpolated into user-data is checked again here against a narrow character set, so the
 * renderers stay safe whoever calls them. Problems are collected and thrown together.
 */
export class Problems {
  readonly list: ConfigProblem[] = [];

  add(path: string, message: string, hint?: string): void {
    this.list.push({ path, message, hint });
  }

  throwIfAny(): void {
    if (this.list.length > 0) {
      throw new ConfigError(this.list, {
        hint: 'User-data values must match a safe character set; fix the listed keys.',
      });
    }
  }
}

export const patterns = {
  fleet: /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/,
  region: /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/,
  /** Literal characters allowed in a scanner name (and its template outside placeholders). */
  nameChars: /^[A-Za-z0-9._-]+$/,
  /** DNS name, IPv4 or IPv6; never starting with '-' (it would read as a flag). */
  host: /^[A-Za-z0-9][A-Za-z0-9.:-]{0,252}$/,
  ssmParameter: /^(?:arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter)?\/?[A-Za-z0-9_.\-/]{1,2048}$/,
  secretId: /^[A-Za-z0-9/_+=.@:-]{1,2048}$/,
  username: /^[A-Za-z0-9._@%+\\-]{1,256}$/,
  /** User-Agent strings contain spaces and punctuation; no quotes, `$`, backticks or backslashes. */
  agent: /^[A-Za-z0-9 ._/();:+,=-]{1,256}$/,
  /** Linking keys (hex), activation codes (XXXX-XXXX-…), passwords without shell metacharacters. */
  secret: /^[A-Za-z0-9._~+/=@%,:-]{8,1024}$/,
  toolVersion: /^[0-9A-Za-z.+-]{1,64}$/,
  iamRole: /^[A-Za-z0-9+=,.@_-]{1,128}$/,
} as const;

export const MAX_NAME_LENGTH = 128;
export const MAX_LINK_ATTEMPTS = 20;

function show(value: unknown): string {
  const s = typeof value === 'string' ? value : String(value);
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s);
}

export function checkString(p: Problems, path: string, value: unknown, re: RegExp, what: string): void {
  if (typeof value !== 'string' || !re.test(value)) {
    p.add(path, `${show(value)} is not a valid ${what}`, `Allowed: ${re.source}`);
  }
}

export function checkPort(p: Problems, path: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) {
    p.add(path, `${show(value)} is not a port (an integer 1-65535)`);
  }
}

export function checkInteger(p: Problems, path: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    p.add(path, `${show(value)} is not an integer between ${min} and ${max}`);
  }
}

/** Never echoes the value: it is a secret. */
export function checkSecret(p: Problems, path: string, secret: Secret): void {
  if (!patterns.secret.test(secret.reveal())) {
    p.add(
      path,
      'the secret value has characters outside the safe set or is shorter than 8 characters (value not shown)',
      `Allowed: ${patterns.secret.source}`,
    );
  }
}

export function checkKeySource(p: Problems, path: string, src: KeySource): void {
  switch (src.kind) {
    case 'ssm':
      checkString(p, `${path}.parameter`, src.parameter, patterns.ssmParameter, 'SSM parameter name');
      checkString(p, `${path}.region`, src.region, patterns.region, 'AWS region');
      return;
    case 'secretsmanager':
      checkString(p, `${path}.secretId`, src.secretId, patterns.secretId, 'Secrets Manager secret id');
      checkString(p, `${path}.region`, src.region, patterns.region, 'AWS region');
      return;
    case 'embedded':
      checkSecret(p, `${path}.key`, src.key);
      return;
    default: {
      const never: never = src;
      p.add(path, `unknown secret source ${show((never as { kind: unknown }).kind)}`);
    }
  }
}

export function checkTarget(p: Problems, path: string, target: LinkTarget): void {
  switch (target.kind) {
    case 'cloud':
    case 'fedramp':
      return;
    case 'custom':
      checkString(p, `${path}.host`, target.host, patterns.host, 'host name');
      checkPort(p, `${path}.port`, target.port);
      return;
    default: {
      const never: never = target;
      p.add(path, `unknown link target ${show((never as { kind: unknown }).kind)}`);
    }
  }
}

export function checkProxy(p: Problems, path: string, proxy: Proxy): void {
  checkString(p, `${path}.host`, proxy.host, patterns.host, 'proxy host name');
  checkPort(p, `${path}.port`, proxy.port);
  if (proxy.username !== undefined) {
    checkString(p, `${path}.username`, proxy.username, patterns.username, 'proxy user name');
  }
  if (proxy.password !== undefined) checkKeySource(p, `${path}.password`, proxy.password);
  if (proxy.agent !== undefined) checkString(p, `${path}.agent`, proxy.agent, patterns.agent, 'proxy user agent');
}

/** Validates an already validated value again and throws at once: for single values outside an input. */
export function assertMatches(path: string, value: unknown, re: RegExp, what: string): string {
  const p = new Problems();
  checkString(p, path, value, re, what);
  p.throwIfAny();
  return value as string;
}

/** POSIX single-quoting: `it's` → `'it'\''s'`. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
