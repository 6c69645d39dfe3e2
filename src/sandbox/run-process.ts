import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

export interface RunToFileOptions {
  cwd: string;
  env: Record<string, string>;
  /** stdout and stderr are appended here, interleaved as written (a console). */
  outPath: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface RunResult {
  /** The exit code; 124 on timeout (like timeout(1)), 128+n when killed by signal n. */
  exitCode: number;
  timedOut: boolean;
  aborted: boolean;
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

/** Runs a command in its own process group so a timeout or abort ends everything it started. */
export function runToFile(command: string, args: string[], opts: RunToFileOptions): Promise<RunResult> {
  const fd = openSync(opts.outPath, 'a');
  return new Promise<RunResult>((resolve) => {
    let timedOut = false;
    let aborted = false;
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: opts.env,
      stdio: ['ignore', fd, fd],
      detached: true,
    });
    closeSync(fd);
    const killGroup = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, opts.timeoutMs);
    const onAbort = () => {
      aborted = true;
      killGroup();
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const done = (exitCode: number) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve({ exitCode: timedOut ? 124 : exitCode, timedOut, aborted });
    };
    child.on('error', () => done(127));
    child.on('exit', (code, signal) => done(code ?? 128 + (signal ? (SIGNALS[signal] ?? 0) : 0)));
  });
}
