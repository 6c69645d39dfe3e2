import type { LinkTarget, Proxy } from './types.js';
import { Problems, checkProxy, checkTarget, shellQuote } from './validate.js';

export const FEDRAMP_HOST = 'fedcloud.tenable.com';
export const FEDRAMP_PORT = 443;
export const NESSUSCLI_PATH = '/opt/nessus/sbin/nessuscli';

/**
 * One `nessuscli managed link` flag after `--key` and `--name`. A `secret` flag's value is only
 * known where the command runs (the proxy password, read from its secret source).
 */
export type LinkArg =
  | { kind: 'switch'; flag: string }
  | { kind: 'value'; flag: string; value: string }
  | { kind: 'secret'; flag: string; secret: 'proxyPassword' };

/**
 * The link flags for a target, `--aws-scanner` and a proxy: the single source of truth used by the
 * bootstrap script, the displayed command line and `ssh … link`. Throws ConfigError on unsafe values.
 */
export function linkArgs(target: LinkTarget, awsScanner: boolean, proxy?: Proxy): LinkArg[] {
  const p = new Problems();
  checkTarget(p, 'target', target);
  if (proxy) checkProxy(p, 'proxy', proxy);
  p.throwIfAny();

  const args: LinkArg[] = [];
  switch (target.kind) {
    case 'cloud':
      args.push({ kind: 'switch', flag: '--cloud' });
      break;
    case 'fedramp':
      args.push({ kind: 'value', flag: '--host', value: FEDRAMP_HOST });
      args.push({ kind: 'value', flag: '--port', value: String(FEDRAMP_PORT) });
      break;
    case 'custom':
      args.push({ kind: 'value', flag: '--host', value: target.host });
      args.push({ kind: 'value', flag: '--port', value: String(target.port) });
      break;
  }
  if (awsScanner) args.push({ kind: 'switch', flag: '--aws-scanner' });
  if (proxy) {
    args.push({ kind: 'value', flag: '--proxy-host', value: proxy.host });
    args.push({ kind: 'value', flag: '--proxy-port', value: String(proxy.port) });
    if (proxy.username !== undefined) args.push({ kind: 'value', flag: '--proxy-username', value: proxy.username });
    if (proxy.password !== undefined) args.push({ kind: 'secret', flag: '--proxy-password', secret: 'proxyPassword' });
    if (proxy.agent !== undefined) args.push({ kind: 'value', flag: '--proxy-agent', value: proxy.agent });
  }
  return args;
}

export interface ShellWordOptions {
  /** Shell expression for each secret, e.g. `"$PROXY_PASSWORD"` in the script or `****` for display. */
  secret: (name: 'proxyPassword') => string;
}

/** Renders link flags as bash words; values are single-quoted. */
export function linkArgsToShell(args: LinkArg[], opts: ShellWordOptions): string[] {
  return args.map((a) => {
    switch (a.kind) {
      case 'switch':
        return a.flag;
      case 'value':
        return `${a.flag}=${shellQuote(a.value)}`;
      case 'secret':
        return `${a.flag}=${opts.secret(a.secret)}`;
    }
  });
}

/**
 * Raw argv elements (no shell quoting) for running nessuscli without a shell, e.g. over SSH exec
 * with its own quoting. Secrets are supplied by the caller; a missing one throws.
 */
export function linkArgv(args: LinkArg[], secrets: { proxyPassword?: string | undefined } = {}): string[] {
  return args.map((a) => {
    switch (a.kind) {
      case 'switch':
        return a.flag;
      case 'value':
        return `${a.flag}=${a.value}`;
      case 'secret': {
        const v = secrets[a.secret];
        if (v === undefined) throw new Error(`linkArgv: no value given for ${a.flag}`);
        return `${a.flag}=${v}`;
      }
    }
  });
}

export interface LinkLineOptions {
  /** The scanner name (shown single-quoted). */
  name?: string | undefined;
  nessuscli?: string | undefined;
}

/**
 * The link command for humans (plan output, docs, error hints): the key and proxy password are
 * always masked, so the line is safe to print.
 */
export function renderNessuscliLinkLine(
  target: LinkTarget,
  awsScanner: boolean,
  proxy?: Proxy,
  opts: LinkLineOptions = {},
): string {
  const words = [opts.nessuscli ?? NESSUSCLI_PATH, 'managed', 'link', '--key=****'];
  if (opts.name !== undefined) words.push(`--name=${shellQuote(opts.name)}`);
  words.push(...linkArgsToShell(linkArgs(target, awsScanner, proxy), { secret: () => '****' }));
  return words.join(' ');
}
