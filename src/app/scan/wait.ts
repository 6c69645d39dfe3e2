import type { TenableScans } from '../../adapters/tenable/scans.js';
import { InterruptedError, RuntimeError, TenableError } from '../../core/errors.js';
import { formatDuration } from '../time.js';
import { ScanTimeoutError } from './errors.js';

/** Statuses after which a run is over. */
export const DONE_OK = new Set(['completed', 'imported']);
export const DONE_FAILED = new Set(['aborted', 'canceled', 'cancelled', 'stopped']);
/** Statuses of a run in progress: a scan in one of these is attached to, not launched again. */
export const IN_PROGRESS = new Set(['pending', 'initializing', 'running', 'processing', 'publishing', 'resuming', 'stopping', 'paused', 'pausing']);

export interface WaitScanOptions {
  scanId: number;
  scanName: string;
  timeoutMs: number;
  intervalMs: number;
  /** Send POST /scans/{id}/stop when the wait ends early (Ctrl-C or timeout). */
  stopOnExit: boolean;
  signal: AbortSignal;
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  onStatus: (status: string, elapsedMs: number) => void;
  onInfo: (message: string) => void;
}

export function stopHint(scanId: number): string {
  return `the scan keeps running in Tenable; stop it in the UI (Scans → the scan → Stop) or with \`curl -X POST -H "X-ApiKeys: accessKey=$TIO_ACCESS_KEY; secretKey=$TIO_SECRET_KEY" https://cloud.tenable.com/scans/${scanId}/stop\`, or re-run with --stop-on-exit`;
}

/**
 * Polls `GET /scans/{id}/latest-status` (one call per tick) until the run ends. Returns the final
 * status when completed; throws RuntimeError (exit 1) with Tenable's reason when aborted or
 * canceled, ScanTimeoutError (exit 3) on timeout and InterruptedError (130) on Ctrl-C; in both of
 * the last the scan keeps running unless `stopOnExit`.
 */
export async function waitForScan(scans: TenableScans, o: WaitScanOptions): Promise<{ status: string; elapsedMs: number }> {
  const started = o.now();
  const deadline = started + o.timeoutMs;
  let last = '';
  const leave = async (why: 'timeout' | 'interrupt'): Promise<never> => {
    let stopped = false;
    if (o.stopOnExit) {
      try {
        await scans.stop(o.scanId);
        stopped = true;
        o.onInfo(`sent POST /scans/${o.scanId}/stop (--stop-on-exit)`);
      } catch (e) {
        o.onInfo(`could not stop scan ${o.scanId}: ${(e as Error).message}`);
      }
    }
    const hint = stopped ? `Tenable is stopping scan ${o.scanId}` : stopHint(o.scanId);
    if (why === 'timeout') {
      throw new ScanTimeoutError(`Scan "${o.scanName}" (${o.scanId}) did not finish within ${formatDuration(o.timeoutMs)} (last status: ${last || 'unknown'}).`, {
        hint,
        data: { scanId: o.scanId, status: last, stopped },
      });
    }
    throw new InterruptedError(`Interrupted while waiting for scan "${o.scanName}" (${o.scanId}).`, { hint, data: { scanId: o.scanId, status: last, stopped } });
  };

  for (;;) {
    if (o.signal.aborted) return leave('interrupt');
    let status: string;
    try {
      status = await scans.latestStatus(o.scanId);
    } catch (e) {
      if (o.signal.aborted) return leave('interrupt');
      throw e;
    }
    const elapsedMs = o.now() - started;
    if (status !== last) {
      last = status;
      o.onStatus(status, elapsedMs);
    }
    if (DONE_OK.has(status)) return { status, elapsedMs };
    if (DONE_FAILED.has(status)) {
      let reason = '';
      try {
        const d = await scans.details(o.scanId);
        reason = d.notes.join('; ');
      } catch (e) {
        if (!(e instanceof TenableError)) throw e;
      }
      throw new RuntimeError('SCAN_' + status.toUpperCase(), `Scan "${o.scanName}" (${o.scanId}) ended ${status}${reason ? `: ${reason}` : ' (Tenable gave no reason)'}.`, {
        hint: 'open the scan in Tenable (Scans → the scan → History / Audit Trail) for details; `nessus-byol status` shows whether the scanners are still linked and ready',
        data: { scanId: o.scanId, status, reason },
      });
    }
    if (o.now() >= deadline) return leave('timeout');
    try {
      await o.sleep(Math.min(o.intervalMs, Math.max(0, deadline - o.now())), o.signal);
    } catch {
      if (o.signal.aborted) return leave('interrupt');
    }
  }
}
