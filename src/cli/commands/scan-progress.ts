import { Listr, ListrLogger, ProcessOutput } from 'listr2';
import { formatDuration } from '../../app/time.js';
import { isCi, type GlobalOptions } from '../globals.js';
import type { Output } from '../output.js';

/** What `scan` / `audit scan` show while a scan runs. */
export interface ScanProgress {
  info(message: string): void;
  status(status: string, elapsedMs: number): void;
  stop(error?: unknown): Promise<void>;
}

/** listr2 on a terminal; timestamped lines in CI, pipes and --json runs (the fleet commands' rule). */
export function scanProgressFor(g: GlobalOptions, out: Output, title: string): ScanProgress {
  return out.interactive && !g.json && !isCi(process.env) ? listrScanProgress(title) : plainScanProgress(out);
}

export function plainScanProgress(out: Output, now: () => number = Date.now): ScanProgress {
  const started = now();
  const line = (text: string) =>
    out.info(`${new Date(now()).toISOString().replace(/\.\d+Z$/, 'Z')} ${`+${Math.round((now() - started) / 1000)}s`.padStart(6)} ${text}`);
  return {
    info: line,
    status: (s, ms) => line(`scan ${s} (${formatDuration(ms)})`),
    async stop() {},
  };
}

function listrScanProgress(title: string): ScanProgress {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const done = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  done.catch(() => undefined);
  let setTitle: (t: string) => void = () => undefined;
  let setOutput: (t: string) => void = () => undefined;
  let status = 'starting';
  let since = Date.now();
  const list = new Listr(
    [
      {
        title,
        task: async (_ctx, task) => {
          setTitle = (t) => (task.title = t);
          setOutput = (t) => (task.output = t);
          await done;
        },
      },
    ],
    {
      registerSignalListeners: false,
      exitOnError: true,
      rendererOptions: { logger: new ListrLogger({ processOutput: new ProcessOutput(process.stderr, process.stderr) }), showErrorMessage: true },
      fallbackRendererCondition: false,
    },
  );
  const running = list.run().catch(() => undefined);
  const ticker = setInterval(() => setTitle(`${title} — ${status} ${formatDuration(Date.now() - since)}`), 1000);
  ticker.unref();
  return {
    info: (m) => setOutput(m),
    status: (s, ms) => {
      status = s;
      since = Date.now() - ms;
      setTitle(`${title} — ${s} ${formatDuration(ms)}`);
    },
    async stop(error) {
      clearInterval(ticker);
      if (error) reject(error);
      else resolve();
      await running;
    },
  };
}

/** The events `scan` and `audit scan` give their use case: progress lines while a scan runs. */
export interface ScanEvents {
  info(message: string): void;
  warn(message: string): void;
  status(status: string, elapsedMs: number): void;
}

/**
 * Runs a scan use case with Ctrl-C/SIGTERM turned into an abort signal and the progress view shown
 * from the first status on, stopped (with the error, if any) before the result is rendered.
 */
export async function withScanProgress<T>(
  g: GlobalOptions,
  out: Output,
  title: string,
  run: (signal: AbortSignal, events: ScanEvents) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const onSignal = () => controller.abort(new Error('interrupted'));
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let progress: ScanProgress | undefined;
  try {
    const result = await run(controller.signal, {
      info: (m) => (progress ? progress.info(m) : out.info(m)),
      warn: (m) => out.warn(m),
      status: (s, ms) => {
        progress ??= scanProgressFor(g, out, title);
        progress.status(s, ms);
      },
    });
    await progress?.stop();
    return result;
  } catch (e) {
    await progress?.stop(e);
    throw e;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
