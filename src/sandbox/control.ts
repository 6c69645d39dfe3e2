import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { RuntimeError } from '../core/errors.js';
import { isAlive, sleep } from './net.js';
import {
  SandboxStartFailure,
  errorFile,
  logFile,
  readSandboxState,
  readStateFile,
  removeFile,
  stateFile,
  type SandboxState,
} from './state-file.js';

export { defaultSandboxDir, readSandboxState, type SandboxState } from './state-file.js';
export { formatEnv } from './format-env.js';

export interface StartSandboxDaemonOptions {
  stateDir: string;
  /** The JS file node runs (the built daemon-main, or bin.js with `daemonArgs` selecting the daemon). */
  daemonScript: string;
  /** Placed before `--state-dir <dir>`. */
  daemonArgs?: string[];
  region?: string;
  timeoutMs?: number;
  /** The daemon's environment; default process.env (moto_server is looked up on its PATH). */
  env?: NodeJS.ProcessEnv;
}

export interface StartedSandbox {
  state: SandboxState;
  /** True when a sandbox was already running for this state dir (its state is returned as is). */
  alreadyRunning: boolean;
  logPath: string;
}

/** Starts the sandbox as a detached background process and waits until it is ready. */
export async function startSandboxDaemon(opts: StartSandboxDaemonOptions): Promise<StartedSandbox> {
  const logPath = logFile(opts.stateDir);
  const running = readSandboxState(opts.stateDir);
  if (running) return { state: running, alreadyRunning: true, logPath };
  await cleanupStale(opts.stateDir);

  mkdirSync(opts.stateDir, { recursive: true });
  const fd = openSync(logPath, 'w');
  const args = [
    opts.daemonScript,
    ...(opts.daemonArgs ?? []),
    '--state-dir',
    opts.stateDir,
    ...(opts.region ? ['--region', opts.region] : []),
  ];
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: opts.env ?? process.env,
  });
  closeSync(fd);
  let exited = false;
  child.on('exit', () => (exited = true));
  child.on('error', () => (exited = true));
  child.unref();

  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    const state = readSandboxState(opts.stateDir);
    if (state && state.pid === child.pid) return { state, alreadyRunning: false, logPath };
    if (exited) break;
    await sleep(100);
  }
  if (!exited && child.pid) killGroup(child.pid);
  throw startFailure(opts.stateDir, logPath, exited);
}

export interface StopResult {
  /** False when nothing was running. */
  stopped: boolean;
}

/** Stops the sandbox of this state dir (SIGTERM, then SIGKILL) and any moto it left behind. */
export async function stopSandboxDaemon(stateDir: string, timeoutMs = 15_000): Promise<StopResult> {
  const state = readStateFile(stateDir);
  if (!state) return { stopped: false };
  const wasRunning = isAlive(state.pid);
  if (wasRunning) await terminate(state.pid, timeoutMs, true);
  if (isAlive(state.motoPid)) await terminate(state.motoPid, 5000, false);
  removeFile(stateFile(stateDir));
  return { stopped: wasRunning };
}

async function cleanupStale(stateDir: string): Promise<void> {
  const stale = readStateFile(stateDir);
  if (stale && isAlive(stale.motoPid)) await terminate(stale.motoPid, 5000, false);
  removeFile(stateFile(stateDir));
  removeFile(errorFile(stateDir));
}

async function terminate(pid: number, timeoutMs: number, group: boolean): Promise<void> {
  signal(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) {
    if (group) killGroup(pid);
    signal(pid, 'SIGKILL');
    while (isAlive(pid) && Date.now() < deadline + 2000) await sleep(50);
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** The daemon leads its own process group (detached): this also ends the moto it started. */
function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function startFailure(stateDir: string, logPath: string, exited: boolean): RuntimeError {
  const path = errorFile(stateDir);
  if (existsSync(path)) {
    const parsed = SandboxStartFailure.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    if (parsed.success) {
      return new RuntimeError(parsed.data.code, parsed.data.message, {
        hint: parsed.data.hint ?? `See ${logPath}.`,
      });
    }
  }
  const what = exited
    ? 'The sandbox exited before it was ready.'
    : 'The sandbox was not ready in time and was stopped.';
  return new RuntimeError('SANDBOX_START_FAILED', what, { hint: `Last lines of ${logPath}:\n${tail(logPath, 20)}` });
}

function tail(path: string, lines: number): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
