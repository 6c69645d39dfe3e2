import { randomUUID } from 'node:crypto';
import { CLOUD_AUDIT, TEMPLATES } from './tenable-simulator-scans-catalog.js';
import {
  applyCredentials,
  auditIds,
  awsCredentialProblem,
  resolveScanner,
  ScanInputError,
  templateByUuid,
} from './tenable-simulator-scans-config.js';
import { editorAndFolderRoutes, folderList } from './tenable-simulator-scans-folders.js';
import { listEntry, longUuid, scanRecord } from './tenable-simulator-scans-records.js';
import { scanExportRoutes } from './tenable-simulator-scans-export.js';
import { pickRun, scanHostRoutes } from './tenable-simulator-scans-hosts.js';
import { expandTargets, scanDetails } from './tenable-simulator-scans-results.js';
import {
  findScan,
  isActive,
  latestRun,
  legacyError,
  NOT_FOUND,
  runStatus,
  scanStore,
  type ScanStore,
  type SimRun,
  type SimScan,
} from './tenable-simulator-scans-store.js';
import { ok, record, type Route, type SimAnswer } from './tenable-simulator-http.js';
import { nowSec, type SimState } from './tenable-simulator-state.js';

/**
 * `/scans…` (with the editor and folder routes): the guide's "Create a Scan" and "Audit Cloud
 * Infrastructure" as the API does them. Recorded shapes (github:tenable/pyTenable @ 9674fac2af92,
 * tests/io/cassettes): `test_scan_create_scan_success.yaml` (`POST /scans` → `{scan:{…}}` with a
 * `template-…` uuid and the default cloud scanner when none is given), `test_scan_configure.yaml`
 * (`PUT /scans/{id}` answers the scan record unwrapped), `test_scan_list.yaml` (`{folders, scans,
 * timestamp}`), `test_folders_*.yaml`, `test_scan_status.yaml` (`latest-status` is `empty` before a
 * run). Launch and stop follow pyTenable's `scans.launch`/`scans.stop` (no recording exists); host
 * details (`GET /scans/{id}/hosts/{host_id}`) are in `tenable-simulator-scans-hosts.ts`.
 */

/** Validates and applies a create or edit body onto `scan` (a fresh one for `POST /scans`). */
function configure(state: SimState, store: ScanStore, scan: SimScan, body: unknown, creating: boolean): void {
  const b = record(body);
  if (creating || b.uuid !== undefined) {
    if (!templateByUuid(b.uuid))
      throw new ScanInputError(`Invalid 'uuid' field: no scan template has uuid ${String(b.uuid)}`);
    scan.templateUuid = String(b.uuid);
  }
  const settings = { ...scan.settings, ...record(b.settings) };
  if (typeof settings.name !== 'string' || settings.name.trim() === '')
    throw new ScanInputError("Invalid 'name' field: a scan needs a name");
  const template = templateByUuid(scan.templateUuid);
  const targets = typeof settings.text_targets === 'string' ? settings.text_targets.trim() : '';
  if (template?.name !== CLOUD_AUDIT && targets === '')
    throw new ScanInputError("Invalid 'text_targets' field: a scan needs targets");
  if (!resolveScanner(state, settings.scanner_id)) {
    throw new ScanInputError(`Invalid 'scanner_id' field: no scanner or scanner group ${String(settings.scanner_id)}`);
  }
  if (settings.folder_id !== undefined && settings.folder_id !== null) {
    const folder = store.folders.find((f) => f.id === Number(settings.folder_id));
    if (!folder) throw new ScanInputError(`Invalid 'folder_id' field: no folder ${String(settings.folder_id)}`);
    scan.folderId = folder.id;
  }
  scan.credentials =
    b.credentials === undefined ? scan.credentials : applyCredentials(state, scan.credentials, b.credentials);
  if (b.audits !== undefined) scan.audits = auditIds(b.audits);
  scan.settings = settings;
  scan.modifiedSec = nowSec();
}

const answerInput = (fn: () => SimAnswer): SimAnswer => {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ScanInputError) return legacyError(400, e.message);
    throw e;
  }
};

const isYes = (v: unknown) => v === true || v === 'yes' || v === 'true';

function launch(state: SimState, store: ScanStore, scan: SimScan, body: unknown): SimAnswer {
  const last = latestRun(scan);
  if (last && isActive(runStatus(last, Date.now()))) return legacyError(409, 'Scan is already running');
  const alt = record(body).alt_targets;
  if (alt !== undefined && (!Array.isArray(alt) || !alt.every((t) => typeof t === 'string'))) {
    return legacyError(400, "Invalid 'alt_targets' field: a list of targets is expected");
  }
  const template = templateByUuid(scan.templateUuid) ?? TEMPLATES[1];
  const altUsed = Array.isArray(alt) && alt.length > 0;
  const targets = altUsed ? alt.join(',') : String(scan.settings.text_targets ?? '');
  const scanner = resolveScanner(state, scan.settings.scanner_id);
  const faultReason = store.aborts.shift();
  const pendingProblem =
    scanner === undefined
      ? "The scan's scanner no longer exists: unable to find a matching scanner route."
      : (scanner.unavailable ??
        (template?.name === CLOUD_AUDIT ? awsCredentialProblem(state, scan.credentials) : undefined));
  const run: SimRun = {
    historyId: state.nextId++,
    uuid: randomUUID(),
    launchedMs: Date.now(),
    pendingMs: store.clock.pendingMs,
    runningMs: store.clock.runningMs,
    targets,
    altTargetsUsed: altUsed,
    hosts: template?.name === CLOUD_AUDIT ? [] : expandTargets(targets),
    scannerName: scanner?.name ?? 'Unknown scanner',
    templateName: template?.name ?? 'basic',
    templateTitle: template?.title ?? 'Basic Network Scan',
    debug: isYes(scan.settings.enable_plugin_debugging),
    audits: [...scan.audits],
  };
  if (pendingProblem) run.abort = { reason: pendingProblem, phase: 'pending' };
  else if (faultReason) run.abort = { reason: faultReason, phase: 'running' };
  scan.runs.push(run);
  scan.read = false;
  return ok({ scan_uuid: run.uuid });
}

const withScan = (
  fn: (state: SimState, store: ScanStore, scan: SimScan, body: unknown, query: URLSearchParams) => SimAnswer,
  missing = NOT_FOUND,
) =>
  ((state, req, [id = '']) => {
    const store = scanStore(state);
    const scan = findScan(store, id);
    return scan ? fn(state, store, scan, req.body, req.query) : legacyError(404, missing);
  }) satisfies Route['handle'];

const route = (method: string, pattern: RegExp, handle: Route['handle']): Route => ({
  method,
  pattern,
  permission: 'scans',
  handle,
});

export const scanRoutes: Route[] = [
  ...editorAndFolderRoutes,
  route('GET', /^\/scans$/, (state, req) => {
    const store = scanStore(state);
    const now = Date.now();
    const folderId = req.query.get('folder_id');
    const since = Number(req.query.get('last_modification_date') ?? 0) || 0;
    const scans = [...store.scans.values()].filter(
      (s) => (folderId === null || s.folderId === Number(folderId)) && s.modifiedSec >= since,
    );
    return ok({ folders: folderList(store), scans: scans.map((s) => listEntry(s, now)), timestamp: nowSec() });
  }),
  route('POST', /^\/scans$/, (state, req) =>
    answerInput(() => {
      const store = scanStore(state);
      const now = nowSec();
      const main = store.folders.find((f) => f.type === 'main');
      const scan: SimScan = {
        id: 0,
        scheduleUuid: `template-${longUuid()}`,
        templateUuid: '',
        policyId: state.nextId++,
        folderId: main?.id ?? 0,
        settings: {},
        credentials: [],
        audits: [],
        createdSec: now,
        modifiedSec: now,
        read: true,
        runs: [],
      };
      configure(state, store, scan, req.body, true);
      scan.id = state.nextId++;
      store.scans.set(scan.id, scan);
      return ok({ scan: scanRecord(state, store, scan) });
    }),
  ),
  route(
    'PUT',
    /^\/scans\/([^/]+)$/,
    withScan((state, store, scan, body) =>
      answerInput(() => {
        // Edit a copy so a rejected edit changes nothing.
        const draft: SimScan = {
          ...scan,
          settings: { ...scan.settings },
          credentials: [...scan.credentials],
          audits: [...scan.audits],
        };
        configure(state, store, draft, body, false);
        Object.assign(scan, draft);
        return ok(scanRecord(state, store, scan));
      }),
    ),
  ),
  route(
    'GET',
    /^\/scans\/([^/]+)$/,
    withScan((state, _store, scan, _body, query) => {
      const { run, asked } = pickRun(scan, query);
      if (asked && !run) return legacyError(404, 'Scan not found');
      const template = templateByUuid(scan.templateUuid);
      scan.read = true;
      return ok(
        scanDetails(
          scan,
          run,
          template?.title ?? 'Basic Network Scan',
          resolveScanner(state, scan.settings.scanner_id)?.name ?? '',
          Date.now(),
        ),
      );
    }, 'Scan not found'),
  ),
  route(
    'DELETE',
    /^\/scans\/([^/]+)$/,
    withScan((_state, store, scan) => {
      store.scans.delete(scan.id);
      return ok();
    }),
  ),
  route(
    'POST',
    /^\/scans\/([^/]+)\/launch$/,
    withScan((state, store, scan, body) => launch(state, store, scan, body)),
  ),
  route(
    'POST',
    /^\/scans\/([^/]+)\/stop$/,
    withScan((_state, _store, scan) => {
      const last = latestRun(scan);
      if (!last || !isActive(runStatus(last, Date.now()))) return legacyError(409, 'Scan is not active');
      last.stoppedMs = Date.now();
      return ok();
    }),
  ),
  route(
    'GET',
    /^\/scans\/([^/]+)\/latest-status$/,
    withScan((_state, _store, scan) => {
      const last = latestRun(scan);
      return ok({ status: last ? runStatus(last, Date.now()) : 'empty' });
    }),
  ),
  ...scanHostRoutes,
  ...scanExportRoutes,
];
