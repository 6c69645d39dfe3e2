import { createHash } from 'node:crypto';
import {
  AWS_AUDITS,
  AWS_COMPLIANCE_FAMILY,
  CHECK_SEVERITY,
  type CheckResult,
} from './tenable-simulator-scans-audits.js';
import { CLOUD_AUDIT } from './tenable-simulator-scans-catalog.js';
import { hostPlugins, PLUGINS, type SimPlugin } from './tenable-simulator-scans-plugins.js';
import { isActive, runEndMs, runStatus, type SimRun, type SimScan } from './tenable-simulator-scans-store.js';
import { OWNER, type WireRecord } from './tenable-simulator-state.js';

/**
 * What a simulated run found, and `GET /scans/{id}` built from it. Shapes follow pyTenable's
 * `tests/io/cassettes/test_scan_results_without_history.yaml` and `test_scan_results.yaml`
 * (github:tenable/pyTenable @ 9674fac2af92): `info`, `hosts` (with `severitycount.item` and a
 * score of info + 10·low + 100·medium + 1000·high + 10000·critical, as the recorded hosts add up),
 * `vulnerabilities` sorted by count, `comphosts`, `compliance`, `history` newest first, `notes`.
 */

/** A /24 expands to this many hosts at most; a scan reports at most MAX_HOSTS. */
export const MAX_HOSTS = 64;

const ipToInt = (ip: string) => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
const intToIp = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const isIp = (s: string) => IPV4.test(s) && s.split('.').every((o) => Number(o) <= 255);

/** Targets as TVM takes them (IPs, CIDRs, ranges, hostnames; comma or whitespace separated), bounded. */
export function expandTargets(text: string): string[] {
  const hosts = new Set<string>();
  const add = (h: string) => {
    if (hosts.size < MAX_HOSTS) hosts.add(h);
  };
  for (const token of text.split(/[\s,]+/).filter(Boolean)) {
    const cidr = /^([\d.]+)\/(\d{1,2})$/.exec(token);
    const range = /^([\d.]+)-([\d.]+)$/.exec(token);
    if (cidr && isIp(cidr[1] ?? '') && Number(cidr[2]) <= 32) {
      const bits = Number(cidr[2]);
      const size = 2 ** (32 - bits);
      const base = Math.floor(ipToInt(cidr[1] ?? '') / size) * size;
      // Network and broadcast addresses are not hosts, except in /31 and /32.
      const [first, last] = size <= 2 ? [base, base + size - 1] : [base + 1, base + size - 2];
      for (let n = first; n <= last && hosts.size < MAX_HOSTS; n++) add(intToIp(n));
    } else if (range && isIp(range[1] ?? '')) {
      const start = ipToInt(range[1] ?? '');
      const endText = range[2] ?? '';
      const end = isIp(endText) ? ipToInt(endText) : Math.floor(start / 256) * 256 + Number(endText);
      for (let n = start; n <= end && hosts.size < MAX_HOSTS; n++) add(intToIp(n));
    } else {
      add(token);
    }
  }
  return [...hosts];
}

const digestOf = (host: string) => createHash('sha256').update(host).digest();
const uuidFrom = (d: Buffer) => {
  const h = d.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};

export interface HostResult {
  hostId: number;
  hostname: string;
  uuid: string;
  plugins: SimPlugin[];
  checks: { name: string; result: CheckResult; auditName: string }[];
}

/** The findings of a finished run; the AWS account is one asset at 127.0.0.1, as the guide notes. */
export function runResults(run: SimRun): HostResult[] {
  if (run.templateName === CLOUD_AUDIT) {
    const checks = AWS_AUDITS.filter((a) => run.audits.includes(a.id)).flatMap((a) =>
      a.checks.map((c) => ({ ...c, auditName: a.name })),
    );
    const plugins = run.debug ? [PLUGINS.scanInfo, PLUGINS.debugLog] : [PLUGINS.scanInfo];
    return [{ hostId: 2, hostname: '127.0.0.1', uuid: uuidFrom(digestOf(`aws:${run.uuid}`)), plugins, checks }];
  }
  return run.hosts.map((hostname, i) => {
    const d = digestOf(hostname);
    return { hostId: i + 2, hostname, uuid: uuidFrom(d), plugins: hostPlugins(d, run.debug), checks: [] };
  });
}

const SEVERITY_KEYS = ['info', 'low', 'medium', 'high', 'critical'] as const;

function hostEntry(h: HostResult, index: number, severities: number[], done: boolean): WireRecord {
  const counts = [0, 0, 0, 0, 0];
  if (done) for (const s of severities) counts[s] = (counts[s] ?? 0) + 1;
  const total = counts.reduce((a, b) => a + b, 0);
  const score = counts.reduce((sum, c, s) => sum + c * 10 ** s, 0);
  const progress = done ? 100 : 40;
  return {
    asset_id: h.hostId,
    host_id: h.hostId,
    uuid: h.uuid,
    hostname: h.hostname,
    progress: `${progress}-100/${progress * 2}-200`,
    scanprogresscurrent: progress,
    scanprogresstotal: 100,
    numchecksconsidered: progress,
    totalchecksconsidered: 100,
    severitycount: { item: counts.map((count, severitylevel) => ({ count, severitylevel })) },
    severity: total,
    score,
    ...Object.fromEntries(SEVERITY_KEYS.map((k, s) => [k, counts[s]])),
    host_index: index,
  };
}

/** Compliance results get ids of their own, one per check name (real ones are per audit item). */
export const checkPluginId = (name: string) => 1_000_000 + (digestOf(name).readUInt32BE(0) % 900_000);

function aggregate(items: { id: number; name: string; family: string; severity: number }[]): WireRecord[] {
  const byId = new Map<number, WireRecord & { count: number }>();
  for (const it of items) {
    const e = byId.get(it.id) ?? {
      count: 0,
      plugin_id: it.id,
      plugin_name: it.name,
      severity: it.severity,
      plugin_family: it.family,
    };
    e.count++;
    byId.set(it.id, e);
  }
  return [...byId.values()]
    .sort(
      (a, b) =>
        b.count - a.count || Number(b.severity) - Number(a.severity) || Number(a.plugin_id) - Number(b.plugin_id),
    )
    .map((e, i) => ({ ...e, vuln_index: i + 1 }));
}

const sec = (ms: number) => Math.floor(ms / 1000);

export function historyEntry(run: SimRun, now: number): WireRecord {
  const end = runEndMs(run, now) ?? now;
  return {
    history_id: run.historyId,
    owner_id: OWNER.owner_id,
    creation_date: sec(run.launchedMs),
    last_modification_date: sec(end),
    uuid: run.uuid,
    type: 'ps',
    status: runStatus(run, now),
    scheduler: 0,
    alt_targets_used: run.altTargetsUsed,
    is_archived: false,
  };
}

/** `GET /scans/{id}` for one run of the scan (the latest unless asked), or for a scan never run. */
export function scanDetails(
  scan: SimScan,
  run: SimRun | undefined,
  policy: string,
  scannerName: string,
  now: number,
): WireRecord {
  const status = run ? runStatus(run, now) : 'empty';
  const results = run && (status === 'completed' || status === 'running') ? runResults(run) : [];
  const done = status === 'completed';
  const hosts = results.map((h, i) =>
    hostEntry(
      h,
      i,
      h.plugins.map((p) => p.severity),
      done,
    ),
  );
  const comphosts = results
    .filter((h) => h.checks.length > 0)
    .map((h, i) =>
      hostEntry(
        h,
        i,
        h.checks.map((c) => CHECK_SEVERITY[c.result]),
        done,
      ),
    );
  const vulnerabilities = done
    ? aggregate(
        results.flatMap((h) =>
          h.plugins.map((p) => ({ id: p.id, name: p.name, family: p.family, severity: p.severity })),
        ),
      )
    : [];
  const compliance = done
    ? aggregate(
        results.flatMap((h) =>
          h.checks.map((c) => ({
            id: checkPluginId(c.name),
            name: `${c.name} [simulated]`,
            family: AWS_COMPLIANCE_FAMILY,
            severity: CHECK_SEVERITY[c.result],
          })),
        ),
      )
    : [];
  const end = run ? runEndMs(run, now) : undefined;
  const info: WireRecord = {
    owner: 'api@example.com',
    name: scan.settings.name,
    no_target: false,
    folder_id: scan.folderId,
    control: true,
    user_permissions: 128,
    schedule_uuid: scan.scheduleUuid,
    edit_allowed: status === 'empty' || !isActive(status),
    scanner_name: run?.scannerName ?? scannerName,
    policy,
    shared: null,
    object_id: scan.id,
    tag_targets: null,
    acls: [
      { permissions: 0, owner: null, display_name: null, name: null, uuid: null, id: null, type: 'default' },
      {
        permissions: 128,
        owner: 1,
        display_name: 'API user',
        name: 'api@example.com',
        uuid: OWNER.owner_uuid,
        id: OWNER.owner_id,
        type: 'user',
      },
    ],
    hostcount: hosts.length,
    status,
    scan_type: 'ps',
    targets: run?.targets ?? scan.settings.text_targets ?? '',
    alt_targets_used: run?.altTargetsUsed ?? false,
    'pci-can-upload': false,
    ...(run ? { uuid: run.uuid, scan_start: sec(run.launchedMs) } : {}),
    timestamp: sec(end ?? now),
    is_archived: false,
    reindexing: false,
    ...(end !== undefined ? { scan_end: sec(end) } : {}),
    haskb: done,
    hasaudittrail: done,
    scanner_start: null,
    scanner_end: null,
  };
  const notes =
    run?.abort && status === 'aborted' ? [{ title: 'Scan aborted', message: run.abort.reason, severity: 2 }] : [];
  return {
    info,
    hosts,
    vulnerabilities,
    comphosts,
    compliance,
    filters: [],
    history: [...scan.runs].reverse().map((r) => historyEntry(r, now)),
    notes,
    remediations: {
      num_cves: 0,
      num_hosts: hosts.length,
      num_remediated_cves: 0,
      num_impacted_hosts: 0,
      remediations: [],
    },
  };
}
