import { randomUUID } from 'node:crypto';
import { record, type SimAnswer } from './tenable-simulator-http.js';
import type { SimState, WireRecord } from './tenable-simulator-state.js';

/**
 * The scans side of the simulator's state, kept beside `SimState` (one store per state object, so
 * `reset()` — which builds a new state — starts it afresh). Run status is worked out from the clock
 * at each request rather than by timers: launch time + the configured pending and running phases.
 */

export interface ScanClock {
  pendingMs: number;
  runningMs: number;
  /** How long an export stays `loading` before it is `ready`. */
  exportMs: number;
}

/** Fast by default so tests and `npm run demo` do not wait. */
export const DEFAULT_SCAN_CLOCK: ScanClock = { pendingMs: 500, runningMs: 1500, exportMs: 300 };

export interface SimFolder {
  id: number;
  name: string;
  type: 'main' | 'trash' | 'custom';
}

/** A credential attached to a scan: a managed one by `id`, or embedded settings. */
export interface SimScanCredential {
  category: string;
  type: string;
  id?: string;
  settings?: WireRecord;
}

export type RunStatus = 'pending' | 'running' | 'completed' | 'aborted' | 'canceled';

export interface SimRun {
  historyId: number;
  uuid: string;
  launchedMs: number;
  pendingMs: number;
  runningMs: number;
  stoppedMs?: number;
  /** Decided at launch; takes effect at the end of that phase. */
  abort?: { reason: string; phase: 'pending' | 'running' };
  targets: string;
  altTargetsUsed: boolean;
  hosts: string[];
  scannerName: string;
  templateName: string;
  templateTitle: string;
  debug: boolean;
  audits: string[];
}

export interface SimScan {
  id: number;
  scheduleUuid: string;
  templateUuid: string;
  policyId: number;
  folderId: number;
  /** The settings as sent, merged over creates and edits (name, text_targets, scanner_id, …). */
  settings: WireRecord;
  credentials: SimScanCredential[];
  audits: string[];
  createdSec: number;
  modifiedSec: number;
  read: boolean;
  runs: SimRun[];
}

export interface SimScanExport {
  file: string;
  scanId: number;
  historyId: number;
  format: string;
  chapters: string[];
  password?: string;
  createdMs: number;
  readyMs: number;
}

export interface ScanStore {
  containerId: string;
  folders: SimFolder[];
  scans: Map<number, SimScan>;
  exports: Map<string, SimScanExport>;
  clock: ScanClock;
  /** `scan-aborted` fault rows still to apply, one launch each. */
  aborts: string[];
}

const stores = new WeakMap<SimState, ScanStore>();

export function scanStore(state: SimState): ScanStore {
  let store = stores.get(state);
  if (!store) {
    store = {
      containerId: randomUUID(),
      folders: [
        { id: state.nextId++, name: 'Trash', type: 'trash' },
        { id: state.nextId++, name: 'My Scans', type: 'main' },
      ],
      scans: new Map(),
      exports: new Map(),
      clock: { ...DEFAULT_SCAN_CLOCK },
      aborts: [],
    };
    stores.set(state, store);
  }
  return store;
}

export function runStatus(run: SimRun, now: number): RunStatus {
  if (run.stoppedMs !== undefined) return 'canceled';
  const t = now - run.launchedMs;
  if (t < run.pendingMs) return 'pending';
  if (run.abort?.phase === 'pending') return 'aborted';
  if (t < run.pendingMs + run.runningMs) return 'running';
  return run.abort ? 'aborted' : 'completed';
}

export const isActive = (s: RunStatus) => s === 'pending' || s === 'running';

/** The scans API answers errors in the older `{"error": …}` shape (e.g. `{"error":"Scan not found"}`). */
export const legacyError = (status: number, error: string): SimAnswer => ({ status, body: { error } });
export const NOT_FOUND = 'The requested file was not found';

/** By numeric id or by schedule uuid, as the API accepts both. */
export function findScan(store: ScanStore, ref: string): SimScan | undefined {
  return store.scans.get(Number(ref)) ?? [...store.scans.values()].find((s) => s.scheduleUuid === ref);
}

export const latestRun = (scan: SimScan): SimRun | undefined => scan.runs[scan.runs.length - 1];

/** When the run stopped changing (its `scan_end`), or undefined while it is active. */
export function runEndMs(run: SimRun, now: number): number | undefined {
  const status = runStatus(run, now);
  if (isActive(status)) return undefined;
  if (run.stoppedMs !== undefined) return run.stoppedMs;
  return run.launchedMs + run.pendingMs + (run.abort?.phase === 'pending' ? 0 : run.runningMs);
}

export const DEFAULT_ABORT_REASON = 'Scan aborted by the simulator (fault row "scan-aborted").';

/** Keeps the `scan-aborted` rows of a `/_sim/faults` rule list (the HTTP rows go to the fault book). */
export function setScanFaultRows(state: SimState, rules: unknown[]): void {
  const aborts: string[] = [];
  for (const r of rules.map(record)) {
    if (r.row !== 'scan-aborted') continue;
    const reason = typeof r.reason === 'string' && r.reason !== '' ? r.reason : DEFAULT_ABORT_REASON;
    const times = Math.max(1, Number(r.times ?? 1) || 1);
    for (let i = 0; i < times; i++) aborts.push(reason);
  }
  scanStore(state).aborts = aborts;
}

const mask = (settings: WireRecord | undefined) =>
  settings && Object.fromEntries(Object.keys(settings).map((k) => [k, '********']));

/** `GET /_sim/scans`: every scan with what was sent and each run, for tests in other processes. */
function scansView(state: SimState): unknown {
  const store = scanStore(state);
  const now = Date.now();
  return {
    clock: store.clock,
    folders: store.folders,
    scans: [...store.scans.values()].map((s) => ({
      id: s.id,
      schedule_uuid: s.scheduleUuid,
      template_uuid: s.templateUuid,
      folder_id: s.folderId,
      settings: s.settings,
      // Embedded credential values are masked: only whether they were sent is of interest.
      credentials: s.credentials.map((c) => ({ ...c, ...(c.settings ? { settings: mask(c.settings) } : {}) })),
      audits: s.audits,
      launches: s.runs.length,
      runs: s.runs.map((r) => ({
        history_id: r.historyId,
        uuid: r.uuid,
        status: runStatus(r, now),
        targets: r.targets,
        alt_targets_used: r.altTargetsUsed,
        hosts: r.hosts,
        scanner_name: r.scannerName,
        debug: r.debug,
        ...(r.abort ? { abort_reason: r.abort.reason } : {}),
      })),
    })),
  };
}

/** `/_sim/scans…` control endpoints; undefined for other paths. */
export function handleScanControl(state: SimState, method: string, path: string, body: unknown): SimAnswer | undefined {
  if (method === 'GET' && path === '/_sim/scans') return { status: 200, body: scansView(state) };
  if (method === 'POST' && path === '/_sim/scans/config') {
    const b = record(body);
    const clock = scanStore(state).clock;
    for (const k of ['pendingMs', 'runningMs', 'exportMs'] as const) {
      if (typeof b[k] === 'number' && b[k] >= 0) clock[k] = b[k];
    }
    return { status: 200, body: clock };
  }
  return undefined;
}
