import { Listr, ListrLogger, ProcessOutput, type ListrTaskWrapper } from 'listr2';
import type { ScannerEventPhase } from '../../app/wait-phase.js';
import { formatDuration } from '../../app/time.js';
import type { FleetProgress } from './types.js';

interface Deferred<T> {
  promise: Promise<T>;
  resolve(v: T): void;
  reject(e: unknown): void;
  settled: boolean;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined);
  const d: Deferred<T> = {
    promise,
    settled: false,
    resolve: (v) => {
      if (d.settled) return;
      d.settled = true;
      resolve(v);
    },
    reject: (e) => {
      if (d.settled) return;
      d.settled = true;
      reject(e);
    },
  };
  return d;
}

type AnyTask = ListrTaskWrapper<unknown, never, never>;

interface Row {
  name: string;
  phase: ScannerEventPhase;
  detail?: string;
  since: number;
  done: Deferred<void>;
  task?: AnyTask;
}

/**
 * The TTY view: a "Provision" task showing the current step, then one row per scanner moving
 * through launched → booting → linked → ready with its elapsed time (listr2, rendered on stderr).
 */
export function listrProgress(opts: { until: 'linked' | 'ready'; color: boolean; now?: () => number }): FleetProgress {
  const now = opts.now ?? Date.now;
  let started = now();
  const provisioned = deferred<void>();
  const scannersKnown = deferred<Array<{ instanceId: string; name: string }>>();
  const rows = new Map<string, Row>();
  let provisionTask: AnyTask | undefined;
  let running: Promise<unknown> | undefined;
  let ticker: NodeJS.Timeout | undefined;

  const title = (r: Row) => `${r.name.padEnd(32)} ${r.phase.padEnd(9)} ${formatDuration(now() - r.since).padStart(6)}${r.detail ? `  ${r.detail}` : ''}`;
  const refresh = () => {
    for (const r of rows.values()) if (r.task) r.task.title = title(r);
  };
  const row = (instanceId: string, name: string): Row => {
    let r = rows.get(instanceId);
    if (!r) {
      r = { name, phase: 'launched', since: now(), done: deferred<void>() };
      rows.set(instanceId, r);
    }
    return r;
  };

  const start = () => {
    if (running) return;
    started = now();
    const list = new Listr(
      [
        {
          title: 'Provision',
          task: async (_ctx, task) => {
            provisionTask = task as unknown as AnyTask;
            await provisioned.promise;
            task.title = `Provisioned in ${formatDuration(now() - started)}`;
          },
        },
        {
          title: `Wait until ${opts.until} in Tenable`,
          task: async (_ctx, task) => {
            const scanners = await scannersKnown.promise;
            if (scanners.length === 0) return task.skip('nothing to wait for');
            return task.newListr(
              scanners.map((s) => ({
                title: s.name,
                task: async (_c: unknown, t: ListrTaskWrapper<unknown, never, never>) => {
                  const r = row(s.instanceId, s.name);
                  r.task = t as unknown as AnyTask;
                  t.title = title(r);
                  await r.done.promise;
                  t.title = title(r);
                },
              })),
              { concurrent: true, exitOnError: false },
            );
          },
        },
      ],
      {
        concurrent: false,
        exitOnError: false,
        registerSignalListeners: false,
        rendererOptions: {
          logger: new ListrLogger({ processOutput: new ProcessOutput(process.stderr, process.stderr) }),
          collapseSubtasks: false,
          showErrorMessage: true,
        },
        fallbackRendererCondition: false,
      },
    );
    running = list.run().catch(() => undefined);
    ticker = setInterval(refresh, 1000);
    ticker.unref();
  };

  return {
    step(id, stepTitle, status, detail) {
      if (id === 'observe') return; // before confirmation; the plan shows it
      start();
      if (provisionTask) provisionTask.output = `${status === 'running' ? '…' : status === 'failed' ? '✖' : '✔'} ${stepTitle}${detail ? `: ${detail}` : ''}`;
    },
    scanner(e) {
      const r = row(e.instanceId, e.name);
      r.phase = e.phase;
      r.detail = e.detail;
      if (e.phase === 'failed') r.done.reject(new Error(`${e.name}: ${e.detail ?? 'failed'}`));
      if (e.phase === 'ready' || (opts.until === 'linked' && e.phase === 'linked')) r.done.resolve();
      refresh();
    },
    log(level, message) {
      if (level !== 'debug' && provisionTask) provisionTask.output = message;
    },
    waiting(scanners) {
      start();
      provisioned.resolve();
      for (const s of scanners) row(s.instanceId, s.name);
      scannersKnown.resolve(scanners);
    },
    async stop(error) {
      if (!running) return;
      if (error) provisioned.reject(error);
      else provisioned.resolve();
      scannersKnown.resolve([]);
      for (const r of rows.values()) {
        if (error) r.done.reject(error);
        else r.done.resolve();
      }
      if (ticker) clearInterval(ticker);
      await running;
    },
  };
}
