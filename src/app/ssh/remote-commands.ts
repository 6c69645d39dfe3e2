import { linkArgs, linkArgsToShell } from '../../bootstrap/link-args.js';
import type { LinkTarget, Proxy } from '../../bootstrap/types.js';
import { shellQuote } from '../../bootstrap/validate.js';

/**
 * The shell commands sent to the scanner. Secrets are never part of them: a command that needs one
 * reads it from the channel's stdin into a shell variable (`IFS= read -r KEY`), so neither sshd's
 * exec request, the remote login shell's argv nor its logs carry it. Absolute paths are variables
 * with the real values as defaults, like the bootstrap script, so a test sshd can point them at
 * stand-ins through the session environment.
 */

/** Progress lines the scripts print on stdout: `nessus-byol-ssh: <phase> [detail]`. */
export const MARK = 'nessus-byol-ssh:';

export const REMOTE_PATHS = {
  nessuscli: '/opt/nessus/sbin/nessuscli',
  bootstrapLog: '/var/log/nessus-byol-bootstrap.log',
  logDir: '/opt/nessus/var/nessus/logs',
  pluginsDir: '/opt/nessus/lib/nessus/plugins',
} as const;

const HEAD = `set -u
umask 077
NESSUSCLI="\${NESSUS_BYOL_NESSUSCLI:-${REMOTE_PATHS.nessuscli}}"
PATH="\${PATH:-/usr/bin:/bin}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
export PATH
MARK='${MARK}'
phase() { printf '%s %s\\n' "$MARK" "$*"; }`;

/** Once nessusd is stopped, a dropped connection (Ctrl-C, network) must not stop the script half-way. */
const KEEP_GOING = `trap '' HUP PIPE`;

/**
 * Runs a POSIX sh script as root: directly when the login user is root, else through `sudo -n`
 * (ec2-user has passwordless sudo on the AMI). sudo logs `/bin/sh -c <script>`, which holds no secret.
 */
export function asRoot(script: string): string {
  return `S=${shellQuote(script)}; if [ "$(id -u)" -eq 0 ]; then exec /bin/sh -c "$S"; fi; exec sudo -n /bin/sh -c "$S"`;
}

export interface LinkScriptInput {
  name: string;
  target: LinkTarget;
  awsScanner: boolean;
  proxy?: Proxy | undefined;
  /** `nessuscli fix --reset-all` first (a scanner that was linked before). */
  reset: boolean;
}

/** Stdin lines the link script reads, in order. */
export function linkSecretsOrder(input: Pick<LinkScriptInput, 'proxy'>): Array<'key' | 'proxyPassword'> {
  return input.proxy?.password ? ['key', 'proxyPassword'] : ['key'];
}

/**
 * Stop nessusd, [reset], link with the flags `linkArgs` gives (the bootstrap's single source), start
 * nessusd. Like the bootstrap, nessusd stays stopped when linking fails: an unlinked scanner would
 * offer its setup page to whoever reaches it.
 */
export function linkScript(input: LinkScriptInput): string {
  const flags = linkArgsToShell(linkArgs(input.target, input.awsScanner, input.proxy), {
    secret: () => '"$PROXY_PASSWORD"',
  });
  const withProxyPassword = linkSecretsOrder(input).includes('proxyPassword');
  return `${HEAD}
${KEEP_GOING}
KEY=''
IFS= read -r KEY || true
[ -n "$KEY" ] || { phase link-failed "no linking key arrived on stdin"; exit 90; }
${withProxyPassword ? `PROXY_PASSWORD=''\nIFS= read -r PROXY_PASSWORD || true\n` : ''}phase stop-nessusd
service nessusd stop </dev/null >&2 2>&1 || true
${
  input.reset
    ? `phase reset
if ! printf 'y\\n' | "$NESSUSCLI" fix --reset-all >&2; then
  unset KEY${withProxyPassword ? ' PROXY_PASSWORD' : ''}
  phase link-failed "nessuscli fix --reset-all failed; nessusd left stopped"
  exit 91
fi
`
    : ''
}phase link
if "$NESSUSCLI" managed link --key="$KEY" --name=${shellQuote(input.name)}${flags.length ? ` ${flags.join(' ')}` : ''} </dev/null >&2; then
  unset KEY${withProxyPassword ? ' PROXY_PASSWORD' : ''}
  phase link-ok
else
  rc=$?
  unset KEY${withProxyPassword ? ' PROXY_PASSWORD' : ''}
  phase link-failed "nessuscli exited $rc; nessusd left stopped"
  exit 92
fi
phase start-nessusd
if ! service nessusd start </dev/null >&2 2>&1; then
  phase start-failed "service nessusd start failed"
  exit 93
fi
phase finished`;
}

/** Stop nessusd, `nessuscli fetch --register "$CODE"` (code from stdin), start nessusd. */
export function activateScript(): string {
  return `${HEAD}
${KEEP_GOING}
CODE=''
IFS= read -r CODE || true
[ -n "$CODE" ] || { phase activate-failed "no activation code arrived on stdin"; exit 90; }
phase stop-nessusd
service nessusd stop </dev/null >&2 2>&1 || true
phase activate
if "$NESSUSCLI" fetch --register "$CODE" </dev/null >&2; then
  unset CODE
  phase activate-ok
else
  rc=$?
  unset CODE
  phase activate-failed "nessuscli exited $rc; nessusd left stopped"
  exit 92
fi
phase start-nessusd
if ! service nessusd start </dev/null >&2 2>&1; then
  phase start-failed "service nessusd start failed"
  exit 93
fi
phase finished`;
}

/** Sections of `status`, each followed by its exit code: `<MARK> section <name>` … `<MARK> rc <n>`. */
export const STATUS_SECTIONS = ['managed-status', 'service', 'version', 'plugins'] as const;
export type StatusSection = (typeof STATUS_SECTIONS)[number];

export function statusScript(): string {
  return `${HEAD}
PLUGINS_DIR="\${NESSUS_BYOL_PLUGINS_DIR:-${REMOTE_PATHS.pluginsDir}}"
section() { phase section "$1"; shift; "$@" </dev/null 2>&1; phase rc "$?"; }
section managed-status "$NESSUSCLI" managed status
section service service nessusd status
section version "$NESSUSCLI" -v
section plugins grep -h PLUGIN_SET "$PLUGINS_DIR/plugin_feed_info.inc"`;
}

/** The files `logs` fetches: the bootstrap log and the Nessus logs. */
export interface RemoteLog {
  /** Local file name. */
  name: string;
  /** Shell expression of the remote path. */
  path: string;
  /** The real path, for messages. */
  display: string;
}

export const REMOTE_LOGS: RemoteLog[] = [
  {
    name: 'nessus-byol-bootstrap.log',
    path: `"\${NESSUS_BYOL_LOG_FILE:-${REMOTE_PATHS.bootstrapLog}}"`,
    display: REMOTE_PATHS.bootstrapLog,
  },
  ...['nessusd.messages', 'backend.log', 'nessuscli.log'].map((name) => ({
    name,
    path: `"\${NESSUS_BYOL_NESSUS_LOG_DIR:-${REMOTE_PATHS.logDir}}"/${name}`,
    display: `${REMOTE_PATHS.logDir}/${name}`,
  })),
];

/** Exit status of the tail script when the file does not exist. */
export const LOG_MISSING = 66;

export function tailScript(log: RemoteLog, lines: number): string {
  return `set -u
F=${log.path}
[ -e "$F" ] || exit ${LOG_MISSING}
exec tail -n ${Math.trunc(lines)} -- "$F"`;
}

/** `tail -F` of every log (missing ones are picked up when they appear). */
export function followScript(lines: number): string {
  return `set -u
exec tail -n ${Math.trunc(lines)} -F -- ${REMOTE_LOGS.map((l) => l.path).join(' ')}`;
}
