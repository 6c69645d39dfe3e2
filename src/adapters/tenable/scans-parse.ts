import { z } from 'zod';
import { numberish, optional, stringish } from './lenient.js';

/**
 * Lenient parsing of the scan API answers (`/editor/scan/templates`, `/folders`, `/scans`, `/scans/{id}`,
 * `/scans/{id}/latest-status`, `/scans/{id}/export`). Shapes follow pyTenable's recorded answers
 * (cassettes test_editor_template_list, test_folders_list, test_scan_create_scan_success,
 * test_scan_status, test_scan_results_without_history, test_scan_export_bytesio, test_editor_details):
 * unknown fields are dropped, numbers may arrive as strings, and a malformed list entry is skipped.
 */

export interface ScanTemplate {
  uuid: string;
  /** The short name the API and our flags use: `basic`, `cloud_audit`, `discovery`, … */
  name: string;
  /** What the UI shows: "Basic Network Scan". */
  title: string;
  cloudOnly?: boolean;
}

export interface ScanFolder {
  id: number;
  name: string;
  /** `main` (My Scans), `trash`, `custom`. */
  type?: string;
}

export interface ScanSummary {
  id: number;
  uuid?: string;
  name: string;
  folderId?: number;
  status?: string;
}

/** What `POST /scans` answers (`{scan:{…}}`); `uuid` is the schedule's `template-…` uuid, not a run. */
export interface CreatedScan {
  id: number;
  uuid?: string;
  name: string;
}

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';
/** Tenable's severity numbers 0–4 in `/scans/{id}` answers. */
export const SEVERITY_BY_LEVEL: readonly Severity[] = ['info', 'low', 'medium', 'high', 'critical'];

export interface ScanHost {
  hostId: number;
  hostname: string;
  critical: number;
  high: number;
  medium: number;
  low: number;
  info: number;
}

export interface ScanVulnerability {
  pluginId: number;
  pluginName: string;
  pluginFamily?: string;
  severity: Severity;
  /** Occurrences across the hosts. */
  count: number;
}

/** One compliance check of an audit scan (`compliance` in `/scans/{id}`). */
export interface ScanComplianceItem {
  pluginId: number;
  name: string;
  family?: string;
  /** PASSED | WARNING | FAILED | ERROR … (upper-cased), from `status` or else the severity level. */
  status: string;
  count: number;
}

export interface ScanDetails {
  info: {
    name?: string;
    status: string;
    hostCount?: number;
    scannerName?: string;
    policy?: string;
    targets?: string;
    folderId?: number;
    scanStartMs?: number;
    scanEndMs?: number;
  };
  hosts: ScanHost[];
  vulnerabilities: ScanVulnerability[];
  compliance: ScanComplianceItem[];
  /** Tenable's notes on the run (`notes[]`): where it says why a scan was aborted. */
  notes: string[];
}

/** `GET /scans/{id}/hosts/{host_id}`: only the plugin ids found on that host. */
export interface ScanHostDetails {
  hostname?: string;
  pluginIds: number[];
}

/** One scanner the template may run on (`settings.basic.inputs[id=scanner_id].options`). */
export interface TemplateScannerOption {
  /** The uuid `settings.scanner_id` takes (or `AUTO-ROUTED`). */
  id: string;
  name: string;
  /** `local` for Tenable's cloud scanners, `managed` for linked Nessus, `pool` for groups. */
  type?: string;
  status?: string;
}

export interface TemplateAuditFile {
  /** e.g. `72426_CIS_Amazon_Web_Services_Foundations_v1.3.0_L1.audit` */
  id: string;
  name: string;
  /** The compliance category, e.g. `Amazon AWS`. */
  category: string;
}

export interface TemplateDetails {
  scannerOptions: TemplateScannerOption[];
  defaultScannerId?: string;
  audits: TemplateAuditFile[];
}

const listOf = <T>(items: unknown, schema: z.ZodType<T>): T[] =>
  (Array.isArray(items) ? items : []).flatMap((e) => {
    const r = schema.safeParse(e);
    return r.success ? [r.data] : [];
  });

const intId = numberish.pipe(z.number().int());

const templateSchema = z
  .object({ uuid: stringish, name: stringish, title: optional(stringish), cloud_only: optional(z.boolean()) })
  .transform((t): ScanTemplate => ({ uuid: t.uuid, name: t.name, title: t.title ?? t.name, ...(t.cloud_only === undefined ? {} : { cloudOnly: t.cloud_only }) }));

export function parseTemplates(body: unknown): ScanTemplate[] {
  return listOf(z.object({ templates: z.unknown() }).parse(body ?? {}).templates, templateSchema);
}

const folderSchema = z
  .object({ id: intId, name: stringish, type: optional(stringish) })
  .transform((f): ScanFolder => ({ id: f.id, name: f.name, ...(f.type === undefined ? {} : { type: f.type }) }));

export function parseFolders(body: unknown): ScanFolder[] {
  return listOf(z.object({ folders: z.unknown() }).parse(body ?? {}).folders, folderSchema);
}

export function parseCreatedFolder(body: unknown): number {
  return z.object({ id: intId }).parse(body).id;
}

const summarySchema = z
  .object({ id: intId, uuid: optional(stringish), name: stringish, folder_id: optional(intId), status: optional(stringish) })
  .transform((s): ScanSummary => ({
    id: s.id,
    name: s.name,
    ...(s.uuid === undefined ? {} : { uuid: s.uuid }),
    ...(s.folder_id === undefined ? {} : { folderId: s.folder_id }),
    ...(s.status === undefined ? {} : { status: s.status }),
  }));

/** `GET /scans` → `{folders, scans}`; `scans` is null when there are none. */
export function parseScanList(body: unknown): ScanSummary[] {
  return listOf(z.object({ scans: z.unknown() }).parse(body ?? {}).scans, summarySchema);
}

export function parseCreatedScan(body: unknown): CreatedScan {
  const s = z.object({ scan: z.object({ id: intId, uuid: optional(stringish), name: optional(stringish) }) }).parse(body).scan;
  return { id: s.id, name: s.name ?? '', ...(s.uuid === undefined ? {} : { uuid: s.uuid }) };
}

/** `POST /scans/{id}/launch` → `{scan_uuid}` (the run's history uuid). */
export function parseLaunch(body: unknown): string {
  return z.object({ scan_uuid: stringish }).parse(body).scan_uuid;
}

/** `GET /scans/{id}/latest-status` → `{status}`: `empty` before any run, then pending, running, completed… */
export function parseLatestStatus(body: unknown): string {
  return z.object({ status: stringish }).parse(body).status.toLowerCase();
}

const count = numberish.optional().catch(undefined).transform((n) => n ?? 0);

const hostSchema = z
  .object({
    host_id: intId,
    hostname: optional(stringish),
    critical: count,
    high: count,
    medium: count,
    low: count,
    info: count,
  })
  .transform((h): ScanHost => ({
    hostId: h.host_id,
    hostname: h.hostname ?? String(h.host_id),
    critical: h.critical,
    high: h.high,
    medium: h.medium,
    low: h.low,
    info: h.info,
  }));

const levelSchema = numberish.pipe(z.number().int().min(0).max(4));

const vulnSchema = z
  .object({ plugin_id: intId, plugin_name: optional(stringish), plugin_family: optional(stringish), severity: levelSchema, count })
  .transform((v): ScanVulnerability => ({
    pluginId: v.plugin_id,
    pluginName: v.plugin_name ?? `plugin ${v.plugin_id}`,
    severity: SEVERITY_BY_LEVEL[v.severity]!,
    count: v.count,
    ...(v.plugin_family === undefined ? {} : { pluginFamily: v.plugin_family }),
  }));

// Compliance rows carry `severity` like vulnerabilities (3 failed, 2 warning, 0 passed in Tenable's UI
// colours) and, in newer answers, a `status`/`compliance_status` string; the string wins.
const COMPLIANCE_BY_LEVEL: Record<number, string> = { 0: 'PASSED', 1: 'WARNING', 2: 'WARNING', 3: 'FAILED', 4: 'FAILED' };
const complianceSchema = z
  .object({
    plugin_id: intId,
    plugin_name: optional(stringish),
    plugin_family: optional(stringish),
    status: optional(stringish),
    compliance_status: optional(stringish),
    severity: optional(levelSchema),
    count,
  })
  .transform((c): ScanComplianceItem => ({
    pluginId: c.plugin_id,
    name: c.plugin_name ?? `check ${c.plugin_id}`,
    status: (c.status ?? c.compliance_status ?? COMPLIANCE_BY_LEVEL[c.severity ?? -1] ?? 'UNKNOWN').toUpperCase(),
    count: c.count,
    ...(c.plugin_family === undefined ? {} : { family: c.plugin_family }),
  }));

const epochSecondsMs = optional(numberish).transform((n) => (n === undefined || n <= 0 ? undefined : n < 1e11 ? n * 1000 : n));

export function parseScanDetails(body: unknown): ScanDetails {
  const r = z
    .object({
      info: z.object({
        name: optional(stringish),
        status: stringish,
        hostcount: optional(numberish),
        scanner_name: optional(stringish),
        policy: optional(stringish),
        targets: optional(stringish),
        folder_id: optional(intId),
        scan_start: epochSecondsMs,
        scan_end: epochSecondsMs,
      }),
      hosts: z.unknown(),
      vulnerabilities: z.unknown(),
      compliance: z.unknown(),
      notes: z.unknown(),
    })
    .parse(body);
  const i = r.info;
  const info: ScanDetails['info'] = { status: i.status.toLowerCase() };
  if (i.name !== undefined) info.name = i.name;
  if (i.hostcount !== undefined) info.hostCount = i.hostcount;
  if (i.scanner_name !== undefined) info.scannerName = i.scanner_name;
  if (i.policy !== undefined) info.policy = i.policy;
  if (i.targets !== undefined) info.targets = i.targets;
  if (i.folder_id !== undefined) info.folderId = i.folder_id;
  if (i.scan_start !== undefined) info.scanStartMs = i.scan_start;
  if (i.scan_end !== undefined) info.scanEndMs = i.scan_end;
  return {
    info,
    hosts: listOf(r.hosts, hostSchema),
    vulnerabilities: listOf(r.vulnerabilities, vulnSchema),
    compliance: listOf(r.compliance, complianceSchema),
    notes: listOf(r.notes, z.object({ title: optional(stringish), message: optional(stringish) }))
      .map((n) => [n.title, n.message].filter((x) => x !== undefined && x.trim() !== '').join(': '))
      .filter((n) => n !== ''),
  };
}

export function parseHostDetails(body: unknown): ScanHostDetails {
  const r = z
    .object({ info: optional(z.object({ 'host-fqdn': optional(stringish), 'host-ip': optional(stringish) })), vulnerabilities: z.unknown() })
    .parse(body ?? {});
  const pluginIds = listOf(r.vulnerabilities, z.object({ plugin_id: intId })).map((v) => v.plugin_id);
  const hostname = r.info?.['host-fqdn'] ?? r.info?.['host-ip'];
  return { pluginIds, ...(hostname === undefined ? {} : { hostname }) };
}

/** `POST /scans/{id}/export` → `{file}` (e.g. `SSE-…-nessus`). */
export function parseExportFile(body: unknown): string {
  return z.object({ file: stringish }).parse(body).file;
}

/** `GET /scans/{id}/export/{file}/status` → `{status: loading|ready|error}`. */
export function parseExportReady(body: unknown): string {
  return z.object({ status: stringish }).parse(body).status.toLowerCase();
}

const optionSchema = z
  .object({ id: stringish, name: optional(stringish), type: optional(stringish), status: optional(stringish) })
  .transform((o): TemplateScannerOption => ({
    id: o.id,
    name: o.name ?? o.id,
    ...(o.type === undefined ? {} : { type: o.type }),
    ...(o.status === undefined ? {} : { status: o.status }),
  }));

/**
 * `GET /editor/scan/templates/{uuid}`: the scanner choices (the `scanner_id` input of the basic
 * settings) and the feed audit files of the compliance section.
 */
export function parseTemplateDetails(body: unknown): TemplateDetails {
  const r = z
    .object({
      settings: optional(z.object({ basic: optional(z.object({ inputs: z.unknown() })) })),
      compliance: optional(z.object({ data: z.unknown() })),
    })
    .parse(body ?? {});
  const inputs = listOf(r.settings?.basic?.inputs, z.object({ id: stringish, default: z.unknown().optional(), options: z.unknown().optional() }));
  const scannerInput = inputs.find((i) => i.id === 'scanner_id');
  const out: TemplateDetails = { scannerOptions: listOf(scannerInput?.options, optionSchema), audits: [] };
  if (typeof scannerInput?.default === 'string') out.defaultScannerId = scannerInput.default;
  const categories = listOf(r.compliance?.data, z.object({ name: stringish, audits: z.unknown() }));
  for (const c of categories) {
    for (const a of listOf(c.audits, z.object({ id: optional(stringish), name: optional(stringish), type: optional(stringish) }))) {
      if (a.id === undefined || a.type === 'custom') continue;
      out.audits.push({ id: a.id, name: a.name ?? a.id, category: c.name });
    }
  }
  return out;
}
