import { AWS_COMPLIANCE_FAMILY, CHECK_SEVERITY } from './tenable-simulator-scans-audits.js';
import { checkPluginId, runResults, type HostResult } from './tenable-simulator-scans-results.js';
import {
  findScan,
  legacyError,
  NOT_FOUND,
  runEndMs,
  runStatus,
  scanStore,
  type SimRun,
  type SimScan,
} from './tenable-simulator-scans-store.js';
import { ok, type Route } from './tenable-simulator-http.js';
import type { WireRecord } from './tenable-simulator-state.js';

/**
 * `GET /scans/{id}/hosts/{host_id}[?history_id=&history_uuid=]` (pyTenable `scans.host_details`): one
 * host of a run. Shape as recorded in pyTenable's `tests/io/cassettes/test_scan_host_details.yaml`
 * (github:tenable/pyTenable @ 9674fac2af92): `info` {`mac-address`, `host-fqdn`, `host-ip`,
 * `operating-system`, `host_start`, `host_end` in ctime form}, `vulnerabilities` [{`count`, `host_id`,
 * `hostname`, `plugin_family`, `plugin_id`, `plugin_name`, `severity`, `severity_index`, `vuln_index`}]
 * and `compliance` (same item shape). An unknown host answers 404 `{"error":"The requested file was
 * not found"}` as `test_scan_host_details_notfounderror.yaml` records.
 */

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

/** `Thu Jun 10 11:37:06 2021`, as the recorded `host_start`/`host_end` (UTC here). */
export function ctime(ms: number): string {
  const d = new Date(ms);
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate())} ${time} ${d.getUTCFullYear()}`;
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** The run `GET /scans/{id}` and host details answer for: the one asked for, else the latest. */
export function pickRun(scan: SimScan, query: URLSearchParams): { run: SimRun | undefined; asked: boolean } {
  const historyId = query.get('history_id');
  const historyUuid = query.get('history_uuid');
  if (historyId === null && historyUuid === null) return { run: scan.runs[scan.runs.length - 1], asked: false };
  const run = scan.runs.find(
    (r) =>
      (historyId === null || String(r.historyId) === historyId) && (historyUuid === null || r.uuid === historyUuid),
  );
  return { run, asked: true };
}

function item(h: HostResult, id: number, name: string, family: string, severity: number): WireRecord {
  // Each simulated finding is on one port, so it occurs once on its host.
  return {
    count: 1,
    host_id: h.hostId,
    hostname: h.hostname,
    plugin_family: family,
    plugin_id: id,
    plugin_name: name,
    severity,
    severity_index: 0,
    vuln_index: 0,
  };
}

/** The body for one host of a run that is running or done; undefined when the run has no such host. */
export function hostDetails(run: SimRun, hostId: number, now: number): WireRecord | undefined {
  const status = runStatus(run, now);
  if (status !== 'running' && status !== 'completed') return undefined;
  const h = runResults(run).find((r) => r.hostId === hostId);
  if (!h) return undefined;
  const done = status === 'completed';
  const end = runEndMs(run, now);
  const vulnerabilities = done
    ? h.plugins
        .map((p) => item(h, p.id, p.name, p.family, p.severity))
        .sort((a, b) => Number(b.severity) - Number(a.severity) || Number(a.plugin_id) - Number(b.plugin_id))
    : [];
  const compliance = done
    ? h.checks.map((c) =>
        item(h, checkPluginId(c.name), `${c.name} [simulated]`, AWS_COMPLIANCE_FAMILY, CHECK_SEVERITY[c.result]),
      )
    : [];
  const isIp = IPV4.test(h.hostname);
  return {
    info: {
      'mac-address': null,
      'host-fqdn': isIp ? null : h.hostname,
      'host-ip': isIp ? h.hostname : null,
      'operating-system': null,
      ...(end !== undefined ? { host_end: ctime(end) } : {}),
      host_start: ctime(run.launchedMs + run.pendingMs),
    },
    vulnerabilities,
    compliance,
  };
}

export const scanHostRoutes: Route[] = [
  {
    method: 'GET',
    pattern: /^\/scans\/([^/]+)\/hosts\/([^/]+)$/,
    permission: 'scans',
    handle: (state, req, [id = '', hostId = '']) => {
      const scan = findScan(scanStore(state), id);
      if (!scan) return legacyError(404, 'Scan not found');
      const { run } = pickRun(scan, req.query);
      const body = run && /^\d+$/.test(hostId) ? hostDetails(run, Number(hostId), Date.now()) : undefined;
      return body ? ok(body) : legacyError(404, NOT_FOUND);
    },
  },
];
