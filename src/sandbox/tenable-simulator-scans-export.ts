import { randomBytes } from 'node:crypto';
import { templateByUuid } from './tenable-simulator-scans-config.js';
import { EXTENSIONS, exportBytes } from './tenable-simulator-scans-files.js';
import { runResults } from './tenable-simulator-scans-results.js';
import {
  findScan,
  isActive,
  legacyError,
  NOT_FOUND,
  runStatus,
  scanStore,
  type SimScanExport,
} from './tenable-simulator-scans-store.js';
import { ok, record, type Route, type SimAnswer } from './tenable-simulator-http.js';
import type { SimState } from './tenable-simulator-state.js';

/**
 * `POST /scans/{id}/export` → `{file, temp_token}`, `GET …/export/{file}/status` → `{status:
 * loading|ready}`, `GET …/export/{file}/download` → the bytes as `application/octet-stream` with a
 * `content-disposition` file name — as recorded in pyTenable's `test_scan_export_bytesio.yaml`
 * (github:tenable/pyTenable @ 9674fac2af92), whose file ids are `SSE-<run uuid>-<format>`. Formats and
 * chapters are the ones pyTenable's `scans.export` accepts; `db` needs a password, html/pdf chapters.
 */

const FORMATS = ['nessus', 'html', 'pdf', 'csv', 'db'];
const CHAPTERS = [
  'vuln_hosts_summary',
  'vuln_by_host',
  'vuln_by_plugin',
  'compliance_exec',
  'compliance',
  'remediations',
];

function requestExport(state: SimState, scanRef: string, body: unknown, query: URLSearchParams): SimAnswer {
  const store = scanStore(state);
  const scan = findScan(store, scanRef);
  if (!scan) return legacyError(404, NOT_FOUND);
  const b = record(body);
  const format = b.format ?? 'nessus';
  if (typeof format !== 'string' || !FORMATS.includes(format))
    return legacyError(400, `Invalid 'format' field: expected one of ${FORMATS.join(', ')}`);
  const chapters = typeof b.chapters === 'string' && b.chapters !== '' ? b.chapters.split(';') : [];
  if (chapters.some((c) => !CHAPTERS.includes(c)))
    return legacyError(400, `Invalid 'chapters' field: expected ${CHAPTERS.join(';')}`);
  if ((format === 'html' || format === 'pdf') && chapters.length === 0)
    return legacyError(400, "Invalid 'chapters' field: required for html and pdf");
  if (format === 'db' && (typeof b.password !== 'string' || b.password === '')) {
    return legacyError(400, "Invalid 'password' field: a password is required for the db format");
  }
  const historyId = query.get('history_id');
  const run =
    historyId === null ? scan.runs[scan.runs.length - 1] : scan.runs.find((r) => String(r.historyId) === historyId);
  if (!run) return legacyError(404, NOT_FOUND);
  if (isActive(runStatus(run, Date.now())))
    return legacyError(409, 'The scan is still running: export it once it has finished');
  const now = Date.now();
  const e: SimScanExport = {
    file: `SSE-${run.uuid}-${format}`,
    scanId: scan.id,
    historyId: run.historyId,
    format,
    chapters,
    createdMs: now,
    readyMs: now + store.clock.exportMs,
    ...(format === 'db' ? { password: String(b.password) } : {}),
  };
  store.exports.set(e.file, e);
  return ok({ file: e.file, temp_token: randomBytes(32).toString('hex') });
}

function exportOf(state: SimState, scanRef: string, file: string): SimScanExport | undefined {
  const store = scanStore(state);
  const scan = findScan(store, scanRef);
  const e = store.exports.get(file);
  return scan && e?.scanId === scan.id ? e : undefined;
}

function download(state: SimState, scanRef: string, file: string): SimAnswer {
  const e = exportOf(state, scanRef, file);
  if (!e) return legacyError(404, NOT_FOUND);
  if (Date.now() < e.readyMs) return legacyError(409, 'The export is not ready yet');
  const scan = findScan(scanStore(state), scanRef);
  const run = scan?.runs.find((r) => r.historyId === e.historyId);
  if (!scan || !run) return legacyError(404, NOT_FOUND);
  const done = runStatus(run, Date.now()) === 'completed';
  const name = String(scan.settings.name);
  const bytes = exportBytes(
    e.format,
    {
      scanName: name,
      policy: templateByUuid(scan.templateUuid)?.title ?? 'Basic Network Scan',
      run,
      results: done ? runResults(run) : [],
      chapters: e.chapters,
    },
    e.password,
  );
  const filename = `${name.replace(/[^\w.-]+/g, '_')}.${EXTENSIONS[e.format] ?? e.format}`;
  return {
    status: 200,
    body: bytes,
    headers: { 'content-type': 'application/octet-stream', 'content-disposition': `attachment; filename=${filename}` },
  };
}

const route = (method: string, pattern: RegExp, handle: Route['handle']): Route => ({
  method,
  pattern,
  permission: 'scans',
  handle,
});

export const scanExportRoutes: Route[] = [
  route('POST', /^\/scans\/([^/]+)\/export$/, (state, req, [id = '']) => requestExport(state, id, req.body, req.query)),
  route('GET', /^\/scans\/([^/]+)\/export\/([^/]+)\/status$/, (state, _req, [id = '', file = '']) => {
    const e = exportOf(state, id, file);
    if (!e) return legacyError(404, NOT_FOUND);
    return ok({ status: Date.now() < e.readyMs ? 'loading' : 'ready' });
  }),
  route('GET', /^\/scans\/([^/]+)\/export\/([^/]+)\/download$/, (state, _req, [id = '', file = '']) =>
    download(state, id, file),
  ),
];
