import type { TenableClient } from '../../adapters/tenable/client.js';
import { matrixSettled, orgMatrix, type MatrixCell, type StackInstanceView } from '../../core/cloudformation-matrix.js';
import { TenableError } from '../../core/errors.js';

export interface OrgWaitOptions {
  tenable: Pick<TenableClient, 'listScanners'>;
  fleet: string;
  perStack: number;
  instances: readonly StackInstanceView[];
  until: 'linked' | 'ready';
  timeoutMs: number;
  intervalMs: number;
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  signal?: AbortSignal;
  onTick?: (tick: number, cells: MatrixCell[]) => void;
}

export interface OrgWaitResult {
  settled: boolean;
  timedOut: boolean;
  ticks: number;
  cells: MatrixCell[];
}

/**
 * Waits until every expected scanner of the organisation is linked/ready, with exactly one
 * `GET /scanners` per tick for ALL accounts and regions. A stack that failed counts as settled (it
 * is reported, never waited for); transient Tenable errors skip a tick.
 */
export async function waitForOrg(opts: OrgWaitOptions): Promise<OrgWaitResult> {
  const started = opts.now();
  const random = opts.random ?? Math.random;
  let cells = orgMatrix(opts.fleet, opts.perStack, opts.instances, []);
  let ticks = 0;
  for (;;) {
    if (opts.signal?.aborted) return { settled: false, timedOut: false, ticks, cells };
    ticks++;
    try {
      cells = orgMatrix(opts.fleet, opts.perStack, opts.instances, await opts.tenable.listScanners());
    } catch (e) {
      if (e instanceof TenableError && (e.status === 401 || e.status === 403)) throw e;
    }
    opts.onTick?.(ticks, cells);
    if (matrixSettled(cells, opts.until)) return { settled: true, timedOut: false, ticks, cells };
    const elapsed = opts.now() - started;
    if (elapsed >= opts.timeoutMs) return { settled: false, timedOut: true, ticks, cells };
    const delay = Math.min(opts.intervalMs * (0.8 + random() * 0.4), Math.max(0, opts.timeoutMs - elapsed));
    try {
      await opts.sleep(delay, opts.signal);
    } catch {
      return { settled: false, timedOut: false, ticks, cells };
    }
  }
}
