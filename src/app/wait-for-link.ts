import type { TenableClient } from '../adapters/tenable/client.js';
import { isLinked, isReady, type TenableScanner } from '../adapters/tenable/scanner.js';
import { TenableError } from '../core/errors.js';

export interface ExpectedScanner {
  instanceId: string;
  name: string;
  /** Epoch ms the instance was launched: a record must be seen after this. */
  launchedAt: number;
  /** Known TVM id from an earlier run (tag on the instance). */
  scannerId?: number;
  /** Launched by this run: records that existed before the launch are never its own. */
  launchedNow?: boolean;
}

export type ScannerPhase = 'waiting' | 'linked' | 'ready';

export interface ScannerProgress {
  instanceId: string;
  name: string;
  phase: ScannerPhase;
  record: TenableScanner | null;
  linkedAt?: number;
  readyAt?: number;
}

export interface WaitOptions {
  tenable: TenableClient;
  expected: ExpectedScanner[];
  until: 'linked' | 'ready';
  timeoutMs: number;
  intervalMs: number;
  /** Scanner ids that existed before launch: never matched to an instance launched now. */
  preexistingIds?: ReadonlySet<number>;
  /**
   * A `GET /scanners` answer this run already has (the listing taken before launch), with the time
   * (per `now`) it arrived: it counts as tick 1, and the next call waits one interval after it.
   * `records` null when that listing failed.
   */
  firstListing?: ScannerListing;
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  /** A signal that aborts after `ms` (default AbortSignal.timeout): bounds each poll call by the time left. */
  deadline?: (ms: number) => AbortSignal;
  signal?: AbortSignal;
  onChange?: (progress: ScannerProgress) => void;
  onTick?: (tick: number, progress: ScannerProgress[]) => void;
  /** Called once per scanner when it is first matched (tag the instance, join groups). */
  onMatched?: (progress: ScannerProgress) => Promise<void>;
}

export interface ScannerListing {
  records: TenableScanner[] | null;
  /** When the answer arrived (per `now`). */
  at: number;
}

export interface WaitResult {
  done: boolean;
  timedOut: boolean;
  ticks: number;
  scanners: ScannerProgress[];
  /** Why the last poll failed (after the client's retries), when it did. */
  lastPollError?: string;
}

/** Ticks are at least this share of the interval apart, whatever the jitter. */
export const MIN_TICK_SHARE = 0.8;

/** The jittered pause between two ticks: uniform in [0.8, 1.2) × interval. */
export function tickDelay(intervalMs: number, random: () => number): number {
  return intervalMs * (MIN_TICK_SHARE + random() * 0.4);
}

/**
 * Polls Tenable with exactly one `GET /scanners` per tick for the whole fleet until every expected
 * scanner is linked (or ready), the timeout passes, or the signal aborts. Ticks are at least
 * 0.8 × the interval apart, counted from when the previous listing (tick 1 may be the one taken
 * before launch) arrived, and each call with its retries is bounded by the time left. Transient
 * Tenable errors are retried inside the client; a tick that still fails is skipped, not fatal,
 * unless it is an authorization problem.
 */
export async function waitForScanners(opts: WaitOptions): Promise<WaitResult> {
  const started = opts.now();
  const progress = new Map<string, ScannerProgress>(
    opts.expected.map((e) => [
      e.instanceId,
      { instanceId: e.instanceId, name: e.name, phase: 'waiting' as ScannerPhase, record: null },
    ]),
  );
  const matchedIds = new Set<number>();
  const random = opts.random ?? Math.random;
  const deadline = opts.deadline ?? ((ms: number) => AbortSignal.timeout(ms));
  const minGap = opts.intervalMs * MIN_TICK_SHARE;
  const grace = Math.max(1, Math.min(opts.intervalMs, 5_000));
  const result = (over: Pick<WaitResult, 'done' | 'timedOut'>): WaitResult => ({
    ...over,
    ticks,
    scanners: [...progress.values()],
    ...(lastPollError !== undefined ? { lastPollError } : {}),
  });
  let ticks = 0;
  let lastPollError: string | undefined;
  let pending = opts.firstListing;

  for (;;) {
    if (opts.signal?.aborted) break;
    ticks++;
    let records: TenableScanner[] | null;
    // When the last listing arrived: the next one starts a jittered interval after it.
    let listedAt: number;
    if (pending) {
      ({ records, at: listedAt } = pending);
      pending = undefined;
    } else {
      // The call with its retries ends by the timeout; the last look at the deadline gets a short grace.
      const budget = Math.max(opts.timeoutMs - (opts.now() - started), grace);
      const bound = opts.signal ? AbortSignal.any([opts.signal, deadline(budget)]) : deadline(budget);
      try {
        records = await opts.tenable.listScanners({ signal: bound });
        lastPollError = undefined;
      } catch (e) {
        if (e instanceof TenableError && (e.status === 401 || e.status === 403)) throw e;
        lastPollError =
          bound.aborted && !opts.signal?.aborted
            ? 'GET /scanners had not answered successfully when the time ran out'
            : (e as Error).message;
        records = null; // transient after the client's own retries, or out of time: try again next tick
      }
      listedAt = opts.now();
    }
    if (records) {
      for (const exp of opts.expected) {
        const p = progress.get(exp.instanceId)!;
        const record = match(records, exp, opts.preexistingIds, matchedIds, p.record?.id);
        if (!record) continue;
        const first = p.record === null;
        p.record = record;
        matchedIds.add(record.id);
        const phase: ScannerPhase = isReady(record) ? 'ready' : isLinked(record) ? 'linked' : 'waiting';
        if (phase !== 'waiting' && p.linkedAt === undefined) p.linkedAt = opts.now();
        if (phase === 'ready' && p.readyAt === undefined) p.readyAt = opts.now();
        const changed = phase !== p.phase;
        p.phase = phase;
        if (first && opts.onMatched) await opts.onMatched(p);
        if (changed) opts.onChange?.(p);
      }
    }
    const all = [...progress.values()];
    opts.onTick?.(ticks, all);
    const target: ScannerPhase[] = opts.until === 'ready' ? ['ready'] : ['linked', 'ready'];
    if (all.every((p) => target.includes(p.phase))) return result({ done: true, timedOut: false });
    const now = opts.now();
    const left = opts.timeoutMs - (now - started);
    if (left <= 0) return result({ done: false, timedOut: true });
    // Jitter keeps many CI jobs from polling in lockstep; the gap is counted from the last answer.
    let delay = Math.max(0, listedAt + tickDelay(opts.intervalMs, random) - now);
    let last = false;
    if (delay > left) {
      // One last look at the deadline only if it is far enough from the previous one.
      if (listedAt + minGap > now + left) last = true;
      delay = left;
    }
    try {
      await opts.sleep(delay, opts.signal);
    } catch {
      break; // aborted
    }
    if (last) return result({ done: false, timedOut: true });
  }
  return result({ done: false, timedOut: false });
}

function match(
  records: TenableScanner[],
  exp: ExpectedScanner,
  preexisting: ReadonlySet<number> | undefined,
  taken: ReadonlySet<number>,
  current: number | undefined,
): TenableScanner | undefined {
  if (current !== undefined) return records.find((r) => r.id === current);
  if (exp.scannerId !== undefined) {
    const known = records.find((r) => r.id === exp.scannerId);
    if (known) return known;
  }
  const candidates = records.filter(
    (r) =>
      r.name === exp.name &&
      (r.type === undefined || r.type === 'managed') &&
      !taken.has(r.id) &&
      !(exp.launchedNow && preexisting?.has(r.id)) &&
      (r.lastConnectMs === null || r.lastConnectMs >= exp.launchedAt - 5 * 60_000),
  );
  return candidates.sort((a, b) => b.id - a.id)[0];
}
