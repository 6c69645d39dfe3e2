import { templateScannerName } from './cloudformation.js';

/**
 * The organisation view: account × region → ready / linked / missing / stack failed, from the
 * StackSet's stack instances and ONE Tenable scanner list. Pure and linear in (records + scanners)
 * so a tick stays cheap at thousands of scanners.
 */

export type CellState = 'ready' | 'linked' | 'missing' | 'stack-failed' | 'deploying';
export type ScannerState = 'ready' | 'linked' | 'missing';

export interface StackInstanceView {
  account: string;
  region: string;
  status: string;
  detailedStatus: string | undefined;
  reason: string | undefined;
}

export interface ScannerRecordView {
  id: number;
  uuid?: string;
  name: string;
  type?: string | undefined;
  linked: boolean;
  status: string;
  loadedPluginSet?: string | undefined;
}

export interface MatrixScanner {
  name: string;
  state: ScannerState;
  id?: number;
  uuid?: string;
}

export interface MatrixCell {
  account: string;
  region: string;
  state: CellState;
  expected: number;
  ready: number;
  linked: number;
  reason?: string;
  scanners: MatrixScanner[];
}

const FAILED = new Set(['FAILED', 'CANCELLED', 'INOPERABLE', 'FAILED_IMPORT', 'SKIPPED_SUSPENDED_ACCOUNT']);
const DEPLOYING = new Set(['PENDING', 'RUNNING']);

export function stackFailed(i: StackInstanceView): boolean {
  return i.status === 'INOPERABLE' || FAILED.has(i.detailedStatus ?? '');
}

/** Newest managed record per name (a re-created scanner has a higher id than its stale record). */
export function recordsByName<R extends ScannerRecordView>(records: readonly R[]): Map<string, R> {
  const byName = new Map<string, R>();
  for (const r of records) {
    if (r.type !== undefined && r.type !== 'managed') continue;
    const prev = byName.get(r.name);
    if (!prev || r.id > prev.id) byName.set(r.name, r);
  }
  return byName;
}

export function scannerState(r: ScannerRecordView | undefined): ScannerState {
  if (!r) return 'missing';
  if (r.linked && r.status === 'on' && r.loadedPluginSet !== undefined) return 'ready';
  return r.linked ? 'linked' : 'missing';
}

export function orgMatrix(fleet: string, perStack: number, instances: readonly StackInstanceView[], records: readonly ScannerRecordView[]): MatrixCell[] {
  const byName = recordsByName(records);
  const cells: MatrixCell[] = [];
  for (const i of instances) {
    const scanners: MatrixScanner[] = [];
    let ready = 0;
    let linked = 0;
    for (let index = 0; index < perStack; index++) {
      const name = templateScannerName(fleet, i.account, i.region, index);
      const r = byName.get(name);
      const state = scannerState(r);
      if (state === 'ready') ready++;
      if (state !== 'missing') linked++;
      scanners.push({ name, state, ...(r ? { id: r.id, ...(r.uuid ? { uuid: r.uuid } : {}) } : {}) });
    }
    let state: CellState;
    if (stackFailed(i)) state = 'stack-failed';
    else if (ready === perStack) state = 'ready';
    else if (linked === perStack) state = 'linked';
    else if (DEPLOYING.has(i.detailedStatus ?? '')) state = 'deploying';
    else state = 'missing';
    cells.push({ account: i.account, region: i.region, state, expected: perStack, ready, linked, ...(stackFailed(i) ? { reason: i.reason ?? i.detailedStatus ?? i.status } : {}), scanners });
  }
  return cells.sort((a, b) => a.account.localeCompare(b.account) || a.region.localeCompare(b.region));
}

/** Whether waiting is over: every cell reached the goal or failed for good. */
export function matrixSettled(cells: readonly MatrixCell[], until: 'linked' | 'ready'): boolean {
  return cells.every((c) => c.state === 'stack-failed' || c.state === 'ready' || (until === 'linked' && c.state === 'linked'));
}

export function matrixCounts(cells: readonly MatrixCell[]): Record<CellState, number> & { scanners: number; scannersReady: number; scannersLinked: number } {
  const out = { ready: 0, linked: 0, missing: 0, 'stack-failed': 0, deploying: 0, scanners: 0, scannersReady: 0, scannersLinked: 0 };
  for (const c of cells) {
    out[c.state]++;
    out.scanners += c.expected;
    out.scannersReady += c.ready;
    out.scannersLinked += c.linked;
  }
  return out;
}
