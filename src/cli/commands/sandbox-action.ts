import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDuration } from '../../app/time.js';
import { RuntimeError, UsageError } from '../../core/errors.js';
// control.js, not the sandbox index: `sandbox env` runs inside `eval "$(…)"` and must start fast.
import {
  defaultSandboxDir,
  formatEnv,
  readSandboxState,
  startSandboxDaemon,
  stopSandboxDaemon,
  type SandboxState,
} from '../../sandbox/control.js';
import { cliCommand } from '../invocation.js';
import { newestSandboxByolAmi } from '../../sandbox/moto-amis.js';
import type { GlobalOptions } from '../globals.js';
import { outputFor } from '../globals.js';
import type { Output } from '../output.js';
import type { SandboxDirFlags, SandboxEnvFlags, SandboxStartFlags } from './sandbox.js';

const DEFAULT_REGION = 'us-east-1';

export async function runSandboxStart(g: GlobalOptions, flags: SandboxStartFlags): Promise<void> {
  const out = outputFor(g);
  const stateDir = stateDirOf(flags);
  const region = flags.region ?? g.region ?? DEFAULT_REGION;
  const timeoutMs = durationFlag('--timeout', flags.timeout);
  const pluginDelayMs = flags.pluginDelay === undefined ? undefined : durationFlag('--plugin-delay', flags.pluginDelay);

  const running = readSandboxState(stateDir);
  if (!running) out.info(`Starting the sandbox in ${stateDir} …`);
  const started = await startSandboxDaemon({
    stateDir,
    daemonScript: daemonScriptPath(),
    ...(pluginDelayMs === undefined ? {} : { daemonArgs: ['--plugin-load-delay-ms', String(pluginDelayMs)] }),
    region,
    timeoutMs,
  });
  const { state, alreadyRunning } = started;
  const runningRegion = state.env.AWS_REGION;
  if (alreadyRunning && (flags.region ?? g.region) && runningRegion && runningRegion !== region) {
    out.warn(
      `the running sandbox selects ${runningRegion}; --region ${region} is ignored (\`${cliCommand()} sandbox stop\` first to change it)`,
    );
  }
  if (alreadyRunning && pluginDelayMs !== undefined) {
    out.warn('the sandbox was already running; --plugin-delay applies to a new start only');
  }

  if (g.json) {
    out.result({
      env: state.env,
      stateDir: state.stateDir,
      pid: state.pid,
      alreadyRunning,
      motoEndpoint: state.motoEndpoint,
      simulatorUrl: state.simulatorUrl,
      startedAt: state.startedAt,
      logPath: started.logPath,
    });
  } else {
    process.stdout.write(formatEnv(state.env, 'sh'));
  }
  out.info(startSummary(out, state, alreadyRunning, started.logPath, flags.stateDir !== undefined));
}

export async function runSandboxEnv(g: GlobalOptions, flags: SandboxEnvFlags): Promise<void> {
  const out = outputFor(g);
  const stateDir = stateDirOf(flags);
  const state = requireRunning(stateDir, flags.stateDir !== undefined);
  if (g.json) out.result({ env: state.env, stateDir: state.stateDir, pid: state.pid });
  else process.stdout.write(formatEnv(state.env, flags.shell));
}

export async function runSandboxStatus(g: GlobalOptions, flags: SandboxDirFlags): Promise<void> {
  const out = outputFor(g);
  const stateDir = stateDirOf(flags);
  const state = readSandboxState(stateDir);
  if (!state) {
    if (g.json) out.result({ running: false, stateDir });
    else
      out.print(
        `Sandbox: not running (state dir ${stateDir})\nStart it with: ${cliFor('sandbox start', flags.stateDir !== undefined, stateDir)}`,
      );
    return;
  }
  const boots = countBoots(stateDir, state.startedAt);
  const ports = { moto: portOf(state.motoEndpoint), tenable: portOf(state.simulatorUrl), imds: portOf(state.imdsUrl) };
  if (g.json) {
    out.result({
      running: true,
      stateDir: state.stateDir,
      pid: state.pid,
      motoPid: state.motoPid,
      startedAt: state.startedAt,
      region: state.env.AWS_REGION,
      motoEndpoint: state.motoEndpoint,
      simulatorUrl: state.simulatorUrl,
      imdsUrl: state.imdsUrl,
      ports,
      instancesBooted: boots.total,
      boots,
    });
  } else {
    const rows: [string, string][] = [
      ['Sandbox', out.style('green', 'running')],
      ['pid', `${state.pid} (moto_server ${state.motoPid})`],
      ['started at', state.startedAt],
      ['region', state.env.AWS_REGION ?? DEFAULT_REGION],
      ['AWS (moto)', `${state.motoEndpoint}  (port ${ports.moto})`],
      ['Tenable simulator', `${state.simulatorUrl}  (port ${ports.tenable})`],
      ['IMDSv2 stand-in', `${state.imdsUrl}  (port ${ports.imds})`],
      ['instances booted', `${boots.total} (${boots.succeeded} ok, ${boots.failed} failed, ${boots.running} running)`],
      ['state dir', state.stateDir],
    ];
    out.print(rows.map(([k, v]) => `${`${k}:`.padEnd(19)}${v}`).join('\n'));
  }
}

export async function runSandboxStop(g: GlobalOptions, flags: SandboxDirFlags): Promise<void> {
  const out = outputFor(g);
  const stateDir = stateDirOf(flags);
  const state = readSandboxState(stateDir);
  const { stopped } = await stopSandboxDaemon(stateDir);
  if (g.json) out.result({ stopped, stateDir, ...(state ? { pid: state.pid } : {}) });
  if (stopped) out.success(`Sandbox stopped (pid ${state?.pid ?? '?'}).`);
  else out.info(`No sandbox running (state dir ${stateDir}); nothing to stop.`);
  if (stopped)
    out.info(
      `Shells that ran \`eval "$(${cliCommand()} sandbox env)"\` still point at it: open a new shell or unset AWS_ENDPOINT_URL.`,
    );
}

function stateDirOf(flags: { stateDir?: string | undefined }): string {
  return resolve(flags.stateDir ?? defaultSandboxDir(process.env));
}

function requireRunning(stateDir: string, explicitDir: boolean): SandboxState {
  const state = readSandboxState(stateDir);
  if (state) return state;
  throw new RuntimeError('SANDBOX_NOT_RUNNING', `No sandbox is running (state dir ${stateDir}).`, {
    hint: `start it with \`${cliFor('sandbox start', explicitDir, stateDir)}\``,
  });
}

function durationFlag(flag: string, text: string): number {
  try {
    return parseDuration(text);
  } catch {
    throw new UsageError(`${flag} ${JSON.stringify(text)} is not a duration.`, { hint: `write it like 500ms, 2s, 1m` });
  }
}

/**
 * The bundled daemon entry (`dist/sandbox-daemon.js`) sits next to `dist/bin.js`, while this code
 * runs from a chunk in `dist/chunks/`: look beside and above this file, then beside the bin.
 */
function daemonScriptPath(): string {
  const candidates = [
    new URL('./sandbox-daemon.js', import.meta.url),
    new URL('../sandbox-daemon.js', import.meta.url),
  ].map((u) => fileURLToPath(u));
  const bin = process.argv[1];
  if (bin) {
    try {
      candidates.push(join(dirname(realpathSync(bin)), 'sandbox-daemon.js'));
    } catch {
      // argv[1] is not a file (e.g. `node -e`): the other candidates remain
    }
  }
  const found = candidates.find((p) => existsSync(p));
  if (found) return found;
  throw new RuntimeError(
    'SANDBOX_DAEMON_MISSING',
    'The sandbox daemon (sandbox-daemon.js) is missing next to the CLI.',
    {
      hint: `run \`npm run build\` (it bundles dist/sandbox-daemon.js) or reinstall nessus-byol; looked in: ${candidates.join(', ')}`,
    },
  );
}

interface BootCounts {
  total: number;
  succeeded: number;
  failed: number;
  running: number;
}

/** Boots of this sandbox run (`<stateDir>/boot/<id>/boot.json`); boot dirs of earlier runs stay and are skipped. */
function countBoots(stateDir: string, since: string): BootCounts {
  const counts: BootCounts = { total: 0, succeeded: 0, failed: 0, running: 0 };
  const bootRoot = join(stateDir, 'boot');
  if (!existsSync(bootRoot)) return counts;
  const sinceMs = Date.parse(since);
  for (const entry of readdirSync(bootRoot, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const path = join(bootRoot, entry.name, 'boot.json');
    if (!existsSync(path)) continue;
    let record: { startedAt?: unknown; exitCode?: unknown; timedOut?: unknown; finishedAt?: unknown };
    try {
      record = JSON.parse(readFileSync(path, 'utf8')) as typeof record;
    } catch {
      continue; // being written
    }
    const startedMs = typeof record.startedAt === 'string' ? Date.parse(record.startedAt) : NaN;
    if (Number.isFinite(sinceMs) && Number.isFinite(startedMs) && startedMs < sinceMs) continue;
    counts.total++;
    if (typeof record.exitCode !== 'number') counts.running++;
    else if (record.exitCode === 0 && record.timedOut !== true) counts.succeeded++;
    else counts.failed++;
  }
  return counts;
}

function portOf(url: string): number | undefined {
  try {
    const port = new URL(url).port;
    return port ? Number(port) : undefined;
  } catch {
    return undefined;
  }
}

const shellQuote = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`);

/** `nessus-byol <sub>`, with `--state-dir` when the user chose one (the default needs none). */
function cliFor(sub: string, explicitDir: boolean, stateDir: string): string {
  return `${cliCommand()} ${sub}${explicitDir ? ` --state-dir ${shellQuote(stateDir)}` : ''}`;
}

function startSummary(
  out: Output,
  state: SandboxState,
  alreadyRunning: boolean,
  logPath: string,
  explicitDir: boolean,
): string {
  const head = alreadyRunning
    ? `Sandbox already running (pid ${state.pid}, since ${state.startedAt}).`
    : `Sandbox started (pid ${state.pid}).`;
  const region = state.env.AWS_REGION ?? DEFAULT_REGION;
  const envCmd = cliFor('sandbox env', explicitDir, state.stateDir);
  const newest = newestSandboxByolAmi();
  return [
    out.style('green', head),
    `  AWS (moto_server)   ${state.motoEndpoint}  region ${region}; newest Nessus BYOL AMI ${newest.id} (${newest.name}), the one \`up\` uses`,
    `  Tenable simulator   ${state.simulatorUrl}  (TVM API; scanners link to it)`,
    `  Boot watcher        runs each new instance's user-data; logs in ${join(state.stateDir, 'boot')}/<instance-id>/`,
    `  Daemon log          ${logPath}`,
    '',
    'The printed environment holds dummy credentials, valid only for these local stand-ins. Next:',
    `  eval "$(${envCmd})"`,
    `  ${cliCommand()} up -f examples/minimal.yaml --yes`,
    `  ${cliFor('sandbox stop', explicitDir, state.stateDir)}        when done`,
  ].join('\n');
}
