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
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  signal?: AbortSignal;
  onChange?: (progress: ScannerProgress) => void;
  onTick?: (tick: number, progress: ScannerProgress[]) => void;
  /** Called once per scanner when it is first matched (tag the instance, join groups). */
  onMatched?: (progress: ScannerProgress) => Promise<void>;
}

export interface WaitResult {
  done: boolean;
  timedOut: boolean;
  ticks: number;
  scanners: ScannerProgress[];
}

/**
 * Polls Tenable with exactly one `GET /scanners` per tick for the whole fleet until every expected
 * scanner is linked (or ready), the timeout passes, or the signal aborts. Transient Tenable errors
 * are retried inside the client; a tick that still fails is skipped, not fatal, unless it is an
 * authorization problem.
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
  let ticks = 0;

  for (;;) {
    if (opts.signal?.aborted) break;
    ticks++;
    let records: TenableScanner[] | null;
    try {
      records = await opts.tenable.listScanners();
    } catch (e) {
      if (e instanceof TenableError && (e.status === 401 || e.status === 403)) throw e;
      records = null; // transient after the client's own retries: try again next tick
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
    if (all.every((p) => target.includes(p.phase))) return { done: true, timedOut: false, ticks, scanners: all };
    const elapsed = opts.now() - started;
    if (elapsed >= opts.timeoutMs) return { done: false, timedOut: true, ticks, scanners: all };
    // Jitter keeps many CI jobs from polling in lockstep.
    const delay = Math.min(opts.intervalMs * (0.8 + random() * 0.4), Math.max(0, opts.timeoutMs - elapsed));
    try {
      await opts.sleep(delay, opts.signal);
    } catch {
      break; // aborted
    }
  }
  return { done: false, timedOut: false, ticks, scanners: [...progress.values()] };
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
