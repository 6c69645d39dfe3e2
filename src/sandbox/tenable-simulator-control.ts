import { record, type SimAnswer } from './tenable-simulator-http.js';
import type { FaultRule } from './tenable-simulator-faults.js';
import { handleScanControl, setScanFaultRows } from './tenable-simulator-scans-store.js';
import {
  managedScannerRecord,
  nowSec,
  type SimConfig,
  type SimLinkCall,
  type SimState,
  type WireRecord,
} from './tenable-simulator-state.js';

/**
 * `/_sim/*`: the simulator's own control surface (no API keys). The sandbox's stand-in
 * `nessuscli managed link` calls `/_sim/link`; tests use the rest to plant data and faults.
 */

export interface ControlContext {
  state: SimState;
  requests: unknown[];
  setFaults(rules: FaultRule[]): void;
  reset(): void;
  /** Runs `fn` after `ms` unless the simulator stops or resets first. */
  later(ms: number, fn: () => void): void;
}

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

/** A plugin set stamp like real ones (`YYYYMMDDhhmm`). */
const pluginSet = () => new Date().toISOString().replace(/\D/g, '').slice(0, 12);

export interface LinkRequest {
  key?: unknown;
  name?: unknown;
  hostname?: unknown;
  host?: unknown;
  port?: unknown;
  cloud?: unknown;
  awsScanner?: unknown;
  argv?: unknown;
}

/**
 * What TVM does when a Nessus scanner links: a wrong key is refused; otherwise a new managed
 * record (a relinked scanner gets a new record, as after `nessuscli fix --reset-all`), online at
 * once, with `loaded_plugin_set` appearing once plugins have loaded. A name that is already linked
 * answers that record again, so a retried link stays idempotent.
 */
export function linkScanner(ctx: ControlContext, body: LinkRequest): SimAnswer {
  const { state } = ctx;
  const call: SimLinkCall = { outcome: 'bad-key' };
  const name = str(body.name);
  const host = str(body.host);
  if (name !== undefined) call.name = name;
  if (host !== undefined) call.host = host;
  if (body.port !== undefined && body.port !== '') call.port = Number(body.port);
  if (typeof body.cloud === 'boolean') call.cloud = body.cloud;
  if (typeof body.awsScanner === 'boolean') call.awsScanner = body.awsScanner;
  // The argv carries the linking key (`--key=…`); keep the flags, not the key.
  if (Array.isArray(body.argv)) call.argv = body.argv.map((a) => String(a).replace(/^(--key=).+/, '$1****'));
  state.linkCalls.push(call);

  if (body.key !== state.linkingKey) return { status: 401, body: { error: 'Invalid linking key' } };
  if (state.config.refuseLinking) {
    call.outcome = 'refused';
    return { status: 403, body: { error: 'Linking refused: the container does not accept new scanners' } };
  }
  const hostname = str(body.hostname) ?? 'localhost.localdomain';
  const finalName = name ?? hostname;
  const existing = state.scanners.find((s) => s.type === 'managed' && s.name === finalName && s.linked === 1);
  if (existing) {
    call.outcome = 'already-linked';
    call.scannerId = Number(existing.id);
    return { status: 200, body: { scanner_id: existing.id, uuid: existing.uuid } };
  }
  // `--aws-scanner` shows nowhere in the recorded list record; it is kept in linkCalls only.
  const scanner = managedScannerRecord(state, { name: finalName, hostname });
  state.scanners.push(scanner);
  call.outcome = 'linked';
  call.scannerId = Number(scanner.id);
  if (!state.config.neverLoadPlugins) {
    ctx.later(state.config.pluginLoadDelayMs, () => {
      scanner.loaded_plugin_set = pluginSet();
      scanner.last_connect = nowSec();
    });
  }
  return { status: 200, body: { scanner_id: scanner.id, uuid: scanner.uuid } };
}

/** Plants records as they are (e.g. stale `off` scanners left by an earlier run). */
export function plantScanners(state: SimState, records: unknown[]): WireRecord[] {
  const planted = records.map((r) => managedScannerRecord(state, record(r)));
  state.scanners.push(...planted);
  return planted;
}

export function applyConfig(state: SimState, patch: Partial<SimConfig>): void {
  const p = record(patch);
  const c = state.config;
  if (typeof p.refuseLinking === 'boolean') c.refuseLinking = p.refuseLinking;
  if (typeof p.neverLoadPlugins === 'boolean') c.neverLoadPlugins = p.neverLoadPlugins;
  if (typeof p.pluginLoadDelayMs === 'number') c.pluginLoadDelayMs = p.pluginLoadDelayMs;
  const perms = record(p.permissions);
  if (Array.isArray(perms.deny)) c.permissions = { deny: perms.deny.map(String) as SimConfig['permissions']['deny'] };
}

/** Routes `/_sim/...`; undefined when the path is not a control path. */
export function handleControl(ctx: ControlContext, method: string, path: string, body: unknown): SimAnswer | undefined {
  const b = record(body);
  const listOf = (key: string) => (Array.isArray(body) ? body : Array.isArray(b[key]) ? (b[key] as unknown[]) : []);
  switch (`${method} ${path}`) {
    case 'POST /_sim/link':
      return linkScanner(ctx, b);
    case 'GET /_sim/requests':
      return { status: 200, body: ctx.requests };
    case 'GET /_sim/state':
      return { status: 200, body: snapshot(ctx.state) };
    case 'POST /_sim/reset':
      ctx.reset();
      return { status: 200, body: {} };
    case 'POST /_sim/faults':
      ctx.setFaults(listOf('rules') as FaultRule[]);
      // `scan-aborted` rows are not request faults: the scans store applies them at launch.
      setScanFaultRows(ctx.state, listOf('rules'));
      return { status: 200, body: {} };
    case 'POST /_sim/config':
      applyConfig(ctx.state, b);
      return { status: 200, body: ctx.state.config };
    case 'POST /_sim/scanners':
      return { status: 200, body: { scanners: plantScanners(ctx.state, listOf('scanners')) } };
    case 'POST /_sim/findings':
      ctx.state.vulnFindings = listOf('vulns');
      if (Array.isArray(b.assets)) ctx.state.assets = b.assets;
      return { status: 200, body: {} };
    default:
      return (
        handleScanControl(ctx.state, method, path, body) ??
        (path.startsWith('/_sim/') ? { status: 404, body: { error: `No control endpoint ${method} ${path}` } } : undefined)
      );
  }
}

/** The state as JSON (for debugging and tests in other processes). */
export function snapshot(state: SimState): unknown {
  return {
    config: state.config,
    scanners: state.scanners,
    groups: state.groups,
    groupMembers: Object.fromEntries([...state.groupMembers].map(([g, m]) => [g, [...m]])),
    credentials: [...state.credentials.values()],
    linkCalls: state.linkCalls,
  };
}
