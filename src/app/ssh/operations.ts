import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ExecResult, SshSession } from '../../adapters/ssh/session.js';
import type { TenableClient } from '../../adapters/tenable/client.js';
import type { TenableScanner } from '../../adapters/tenable/scanner.js';
import { renderNessuscliLinkLine } from '../../bootstrap/link-args.js';
import type { LinkTarget, Proxy } from '../../bootstrap/types.js';
import { RuntimeError } from '../../core/errors.js';
import { redact, type Secret } from '../../core/secret.js';
import { parseStatusOutput, type ScannerHostStatus } from './parse-status.js';
import {
  LOG_MISSING,
  MARK,
  REMOTE_LOGS,
  activateScript,
  asRoot,
  followScript,
  linkScript,
  linkSecretsOrder,
  statusScript,
  tailScript,
} from './remote-commands.js';

export interface OperationEvents {
  info(message: string): void;
  success(message: string): void;
  debug(message: string): void;
  /** Remote output streamed as it arrives (run, logs --follow). */
  stdout?(chunk: Buffer): void;
  stderr?(chunk: Buffer): void;
}

export interface OperationContext {
  session: SshSession;
  /** The scanner name, for messages and the link. */
  name: string;
  events: OperationEvents;
  /** `nessus-byol ssh <scanner> logs …`, offered when something fails. */
  logsCommand: string;
}

function tail(text: string, lines = 15): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Calls `onLine` for every complete line of a chunked stream. */
function lineSplitter(onLine: (line: string) => void): (chunk: Buffer) => void {
  let rest = '';
  return (chunk) => {
    rest += chunk.toString('utf8');
    const lines = rest.split('\n');
    rest = lines.pop() ?? '';
    for (const l of lines) onLine(l);
  };
}

function remoteFailed(
  code: string,
  what: string,
  r: ExecResult,
  ctx: OperationContext,
  secrets: Secret[],
  lastPhase?: string,
): RuntimeError {
  const detail = redact(tail(r.stderr), secrets);
  const sudo = /sudo: (a password is required|a terminal is required)/.test(r.stderr);
  return new RuntimeError(
    code,
    `${what} on ${ctx.name} failed${lastPhase ? `: ${lastPhase}` : ` (exit ${r.code ?? r.signal})`}.${detail ? `\n${detail}` : ''}`,
    {
      hint: sudo
        ? 'the SSH user needs passwordless sudo (ec2-user has it on the Nessus AMI); pass --user'
        : `look closer with \`${ctx.logsCommand}\``,
      data: { exitCode: r.code, ...(detail ? { stderr: detail } : {}) },
    },
  );
}

// ---- status ---------------------------------------------------------------------------------

export async function sshStatus(ctx: OperationContext): Promise<ScannerHostStatus> {
  const r = await ctx.session.exec(asRoot(statusScript()));
  if (!r.stdout.includes(`${MARK} section`))
    throw remoteFailed('SSH_STATUS_FAILED', 'reading the scanner status', r, ctx, []);
  return parseStatusOutput(r.stdout);
}

// ---- link / relink --------------------------------------------------------------------------

export interface LinkInput {
  target: LinkTarget;
  awsScanner: boolean;
  proxy?: Proxy | undefined;
  reset: boolean;
  key: Secret;
  proxyPassword?: Secret | undefined;
  /** One `GET /scanners` to confirm; absent with --no-confirm. */
  tenable?: TenableClient | undefined;
}

export interface LinkOutcome {
  linked: true;
  confirmed: boolean;
  tenable?: { id: number; uuid: string; status: string; loadedPluginSet?: string };
}

const PHASES: Record<string, string> = {
  'stop-nessusd': 'stopping nessusd',
  reset: 'resetting the scanner (nessuscli fix --reset-all)',
  activate: 'activating (nessuscli fetch --register ****)',
  'start-nessusd': 'starting nessusd',
};

export async function sshLink(ctx: OperationContext, input: LinkInput): Promise<LinkOutcome> {
  const secrets = [input.key, ...(input.proxyPassword ? [input.proxyPassword] : [])];
  const stdin = linkSecretsOrder(input)
    .map((s) => (s === 'key' ? input.key : input.proxyPassword!).reveal())
    .join('\n');
  const shown = renderNessuscliLinkLine(input.target, input.awsScanner, input.proxy, { name: ctx.name });
  let failure: string | undefined;
  const r = await ctx.session.exec(
    asRoot(
      linkScript({
        name: ctx.name,
        target: input.target,
        awsScanner: input.awsScanner,
        proxy: input.proxy,
        reset: input.reset,
      }),
    ),
    {
      stdin: `${stdin}\n`,
      onStdout: lineSplitter((line) => {
        if (!line.startsWith(`${MARK} `)) return;
        const [phase = '', ...rest] = line.slice(MARK.length + 1).split(' ');
        if (phase === 'link') ctx.events.info(`linking: ${shown}`);
        else if (phase === 'link-ok') ctx.events.success(`nessuscli linked ${ctx.name}`);
        else if (phase.endsWith('-failed')) failure = redact(rest.join(' '), secrets);
        else if (PHASES[phase]) ctx.events.info(PHASES[phase]);
      }),
    },
  );
  ctx.events.debug(redact(r.stderr, secrets).trimEnd());
  if (r.code !== 0)
    throw remoteFailed('SSH_LINK_FAILED', input.reset ? 'relinking' : 'linking', r, ctx, secrets, failure);
  if (!input.tenable) return { linked: true, confirmed: false };
  return { linked: true, confirmed: true, ...(await confirmLinked(ctx, input.tenable)) };
}

async function confirmLinked(ctx: OperationContext, tenable: TenableClient): Promise<Pick<LinkOutcome, 'tenable'>> {
  const scanners = await tenable.listScanners();
  const record = pickRecord(scanners, ctx.name);
  if (!record) {
    throw new RuntimeError(
      'LINK_NOT_CONFIRMED',
      `nessuscli reported ${ctx.name} linked, but Tenable lists no linked scanner with that name.`,
      {
        hint: `check the link target (tenable.site) and the scanner's logs: \`${ctx.logsCommand}\``,
      },
    );
  }
  ctx.events.success(`Tenable shows ${ctx.name} linked (id ${record.id}, status ${record.status})`);
  return {
    tenable: {
      id: record.id,
      uuid: record.uuid,
      status: record.status,
      ...(record.loadedPluginSet ? { loadedPluginSet: record.loadedPluginSet } : {}),
    },
  };
}

/** The linked record with this name; the newest when a relink left an older one behind. */
export function pickRecord(scanners: TenableScanner[], name: string): TenableScanner | undefined {
  return scanners
    .filter((s) => s.name === name && s.linked)
    .sort((a, b) => (b.lastConnectMs ?? 0) - (a.lastConnectMs ?? 0) || b.id - a.id)[0];
}

// ---- activate -------------------------------------------------------------------------------

export async function sshActivate(ctx: OperationContext, code: Secret): Promise<{ activated: true }> {
  let failure: string | undefined;
  const r = await ctx.session.exec(asRoot(activateScript()), {
    stdin: `${code.reveal()}\n`,
    onStdout: lineSplitter((line) => {
      if (!line.startsWith(`${MARK} `)) return;
      const [phase = '', ...rest] = line.slice(MARK.length + 1).split(' ');
      if (phase === 'activate-ok') ctx.events.success(`nessuscli activated ${ctx.name}`);
      else if (phase.endsWith('-failed')) failure = redact(rest.join(' '), [code]);
      else if (PHASES[phase]) ctx.events.info(PHASES[phase]);
    }),
  });
  ctx.events.debug(redact(r.stderr, [code]).trimEnd());
  if (r.code !== 0) throw remoteFailed('SSH_ACTIVATE_FAILED', 'activating', r, ctx, [code], failure);
  return { activated: true };
}

// ---- logs -----------------------------------------------------------------------------------

export interface FetchedLog {
  remote: string;
  local?: string;
  bytes?: number;
  missing?: true;
}

/** Tails of the bootstrap and Nessus logs into `dir` (0700, files 0600: logs can hold host details). */
export async function sshLogs(
  ctx: OperationContext,
  opts: { dir: string; lines: number },
): Promise<{ dir: string; files: FetchedLog[] }> {
  const dir = resolve(opts.dir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files: FetchedLog[] = [];
  for (const log of REMOTE_LOGS) {
    const chunks: Buffer[] = [];
    const r = await ctx.session.exec(asRoot(tailScript(log, opts.lines)), { onStdout: (c) => chunks.push(c) });
    if (r.code === LOG_MISSING) {
      ctx.events.info(`${log.display}: not present`);
      files.push({ remote: log.display, missing: true });
      continue;
    }
    if (r.code !== 0) throw remoteFailed('SSH_LOGS_FAILED', `reading ${log.display}`, r, ctx, []);
    const local = join(dir, log.name);
    const data = Buffer.concat(chunks);
    writeFileSync(local, data, { mode: 0o600 });
    chmodSync(local, 0o600);
    ctx.events.info(`${log.display} → ${local} (${data.length} bytes)`);
    files.push({ remote: log.display, local, bytes: data.length });
  }
  return { dir, files };
}

/** `tail -F` of every log until `signal` aborts (Ctrl-C). */
export async function sshFollowLogs(
  ctx: OperationContext,
  opts: { lines: number; signal?: AbortSignal },
): Promise<void> {
  await ctx.session.exec(asRoot(followScript(opts.lines)), {
    ...(ctx.events.stdout ? { onStdout: ctx.events.stdout } : {}),
    ...(ctx.events.stderr ? { onStderr: ctx.events.stderr } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
}

// ---- run ------------------------------------------------------------------------------------

/**
 * Runs a command as the SSH user (words joined with spaces, as `ssh host cmd…` does, so quoting and
 * pipes work as typed). A non-zero exit becomes a RuntimeError carrying it.
 */
export async function sshRun(
  ctx: OperationContext,
  words: string[],
): Promise<{ exitCode: 0; stdout: string; stderr: string }> {
  const command = words.join(' ');
  const r = await ctx.session.exec(command, {
    ...(ctx.events.stdout ? { onStdout: ctx.events.stdout } : {}),
    ...(ctx.events.stderr ? { onStderr: ctx.events.stderr } : {}),
  });
  if (r.code !== 0) {
    throw new RuntimeError(
      'REMOTE_EXIT',
      `\`${command}\` on ${ctx.name} ${r.code === null ? `ended by signal ${r.signal ?? '?'}` : `exited ${r.code}`}.`,
      {
        data: { exitCode: r.code, signal: r.signal, stdout: r.stdout, stderr: r.stderr },
      },
    );
  }
  return { exitCode: 0, stdout: r.stdout, stderr: r.stderr };
}
