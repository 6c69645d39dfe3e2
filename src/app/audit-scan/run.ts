import type { TenableClient } from '../../adapters/tenable/client.js';
import type { ScanComplianceItem, TemplateAuditFile, TemplateDetails, TemplateScannerOption, TenableScans } from '../../adapters/tenable/scans.js';
import type { ResolvedConfig } from '../../config/resolve.js';
import { RuntimeError, UsageError } from '../../core/errors.js';
import type { Secret } from '../../core/secret.js';
import { findAuditCredential } from '../audit/credential.js';
import { AUDIT_DEFAULTS, AWS_CREDENTIAL_TYPE } from '../audit/types.js';
import type { AwsGateways } from '../gateways.js';
import { exportScan, type ExportedFile } from '../scan/export.js';
import { findTemplate, fleetScanners } from '../scan/run.js';
import { ensureFolder, findScan } from '../scan/scan-record.js';
import { chooseScanner } from '../scan/scanner-choice.js';
import { IN_PROGRESS, waitForScan } from '../scan/wait.js';

export const AUDIT_TEMPLATE = 'cloud_audit';
export const AUDIT_FOLDER = 'nessus-byol-audit';

export interface AuditScanDeps {
  tenable: TenableClient;
  scans: TenableScans;
  /** Only for --scanner/--group (the fleet's own scanners). */
  fleet?: { config: ResolvedConfig; aws: AwsGateways } | undefined;
  signal: AbortSignal;
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface AuditScanOptions {
  credentialName: string;
  regions: string[];
  audit?: string | undefined;
  scanner?: string | undefined;
  group?: string | undefined;
  wait: boolean;
  timeoutMs: number;
  intervalMs: number;
  stopOnExit: boolean;
  failOnFailed: boolean;
  /** --debug: plugin debugging on, and the Scan DB downloaded encrypted with this password. */
  debug?: { password: Secret; path: string } | undefined;
}

export interface AuditScanEvents {
  info(message: string): void;
  warn(message: string): void;
  status(status: string, elapsedMs: number): void;
}

export interface ComplianceSummary {
  passed: number;
  warning: number;
  failed: number;
  other: number;
  failedChecks: Array<{ pluginId: number; name: string; count: number }>;
}

export interface AuditScanResult {
  scan: { id: number; name: string; folderId: number; created: boolean; launched: boolean; attached: boolean; runUuid?: string };
  credential: { uuid: string; name: string };
  audit: { id: string; name: string };
  regions: string[];
  scanner: { uuid: string; name: string; why: string };
  pluginDebugging: boolean;
  status: string;
  elapsedMs?: number;
  compliance?: ComplianceSummary;
  debug?: ExportedFile;
  failOn?: { failed: boolean; count: number };
  warnings: string[];
}

export function auditScanName(fleet: string | undefined): string {
  return fleet ? `nessus-byol AWS audit ${fleet}` : 'nessus-byol AWS audit';
}

/** Counts per status; failed checks sorted by name with CIS numbering in numeric order. Pure. */
export function complianceSummary(items: ScanComplianceItem[]): ComplianceSummary {
  const s: ComplianceSummary = { passed: 0, warning: 0, failed: 0, other: 0, failedChecks: [] };
  for (const c of items) {
    if (c.status === 'PASSED') s.passed += c.count;
    else if (c.status === 'WARNING') s.warning += c.count;
    else if (c.status === 'FAILED') {
      s.failed += c.count;
      s.failedChecks.push({ pluginId: c.pluginId, name: c.name, count: c.count });
    } else s.other += c.count;
  }
  s.failedChecks.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  return s;
}

/** The "Regions to access" group the credential settings take: one of GovCloud, China, the rest. */
export function regionSettings(regions: string[]): Record<string, string> {
  const kind = (r: string) => (r.startsWith('us-gov-') ? 'GovCloud' : r.startsWith('cn-') ? 'China' : 'Rest of the World');
  const kinds = [...new Set(regions.map(kind))];
  if (kinds.length !== 1) {
    throw new UsageError(`--regions mixes ${kinds.join(' and ')} regions; one credential reaches only one of them.`, {
      hint: 'audit GovCloud, China and the other regions with separate credentials and scans',
    });
  }
  return { aws_ui_region_type: kinds[0]!, ...Object.fromEntries(regions.map((r) => [`aws_${r.replace(/-/g, '_')}`, 'yes'])) };
}

/** --audit NAME (by file id or title), else the newest CIS Amazon Web Services Foundations L1 file. */
export function chooseAuditFile(audits: TemplateAuditFile[], wanted: string | undefined): TemplateAuditFile {
  const aws = audits.filter((a) => a.category === 'Amazon AWS');
  const pool = aws.length ? aws : audits;
  if (wanted !== undefined) {
    const w = wanted.toLowerCase();
    const hit = pool.find((a) => a.id.toLowerCase() === w || a.name.toLowerCase() === w) ?? pool.find((a) => a.name.toLowerCase().includes(w) || a.id.toLowerCase().includes(w));
    if (!hit) {
      throw new UsageError(`The ${AUDIT_TEMPLATE} template has no audit file matching "${wanted}".`, {
        hint: `use one of: ${pool.map((a) => `"${a.name}"`).join(', ') || '(none listed)'}`,
      });
    }
    return hit;
  }
  const cis = pool.filter((a) => /CIS.*Foundations/i.test(a.name) && /\bL1\b/.test(a.name)).sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  const pick = cis[cis.length - 1] ?? pool[0];
  if (!pick) {
    throw new RuntimeError('NO_AUDIT_FILE', `Tenable lists no Amazon AWS audit file for the ${AUDIT_TEMPLATE} template.`, {
      hint: 'check the Compliance tab of an Audit Cloud Infrastructure scan in the Tenable UI',
    });
  }
  return pick;
}

/** The guide's "Scanner Type: Tenable Cloud Sensor": one of Tenable's cloud scanners the template offers. */
export function cloudSensor(details: TemplateDetails): TemplateScannerOption {
  const cloud = details.scannerOptions.filter((o) => o.id !== 'AUTO-ROUTED' && (o.type === undefined || o.type === 'local'));
  const pick = cloud.find((o) => o.id === details.defaultScannerId) ?? cloud[0];
  if (!pick) {
    throw new RuntimeError('NO_CLOUD_SENSOR', `The ${AUDIT_TEMPLATE} template offers no Tenable cloud scanner.`, {
      hint: "use --scanner NAME or --group NAME to run it on the fleet's own scanners",
    });
  }
  return pick;
}

/** `audit scan`: the guide's Audit Cloud Infrastructure scan, created once and re-launched. */
export async function runAuditScan(deps: AuditScanDeps, o: AuditScanOptions, events: AuditScanEvents): Promise<AuditScanResult> {
  const warnings: string[] = [];
  const template = findTemplate(await deps.scans.templates(), AUDIT_TEMPLATE);
  const credential = await findAuditCredential(deps.tenable, {}, o.credentialName);
  if (!credential) {
    throw new RuntimeError('AUDIT_CREDENTIAL_MISSING', `Tenable has no "${AWS_CREDENTIAL_TYPE}" credential named "${o.credentialName}".`, {
      hint: `create it with \`nessus-byol audit setup\`${o.credentialName === AUDIT_DEFAULTS.credentialName ? '' : ` --credential-name "${o.credentialName}"`} (or pass --credential-name for another one)`,
    });
  }
  const details = await deps.scans.templateDetails(template.uuid);
  const audit = chooseAuditFile(details.audits, o.audit);
  events.info(`audit file: ${audit.name} (${audit.id})`);

  let scanner: AuditScanResult['scanner'];
  if (o.scanner !== undefined || o.group !== undefined) {
    if (!deps.fleet) throw new UsageError('--scanner and --group pick one of the fleet\'s own scanners: give the fleet file with -f.', { hint: 'or leave them out to run on a Tenable Cloud Sensor, as the guide does' });
    const { config } = deps.fleet;
    const fleet = await fleetScanners({ config, aws: deps.fleet.aws, tenable: deps.tenable });
    const { choice } = chooseScanner({
      fleet: config.fleet,
      file: config.file,
      scanners: fleet.scanners,
      groups: fleet.groups,
      declaredGroups: o.group !== undefined ? [o.group] : [],
      requested: o.scanner,
    });
    if (o.group !== undefined && choice.kind !== 'group') {
      throw new RuntimeError('GROUP_NOT_USABLE', `Scanner group "${o.group}" is not one of fleet ${config.fleet}'s link.groups made only of its ready scanners.`, {
        hint: `run \`nessus-byol status -f ${config.file}\`; --group takes a group listed in link.groups`,
      });
    }
    scanner = { uuid: choice.uuid, name: choice.name, why: choice.why };
  } else {
    const s = cloudSensor(details);
    scanner = { uuid: s.id, name: s.name, why: 'Scanner Type: Tenable Cloud Sensor (the guide\'s setting)' };
  }
  events.info(`scanner: ${scanner.name} (${scanner.why})`);

  const fleetName = deps.fleet?.config.fleet;
  const name = auditScanName(fleetName);
  const found = await findScan(deps.scans, AUDIT_FOLDER, name);
  const latest = found.scan ? await deps.scans.latestStatus(found.scan.id) : 'empty';
  const attached = IN_PROGRESS.has(latest);
  let scanId: number;
  let folderId: number;
  let created = false;
  let runUuid: string | undefined;
  if (attached) {
    scanId = found.scan!.id;
    folderId = found.folderId!;
    events.info(`scan "${name}" (${scanId}) is already ${latest}: attaching to it`);
  } else {
    folderId = (await ensureFolder(deps.scans, AUDIT_FOLDER, found.folderId)).id;
    const settings = {
      name,
      description: 'Audit Cloud Infrastructure scan managed by nessus-byol (`nessus-byol audit scan`).',
      folder_id: folderId,
      scanner_id: scanner.uuid,
      enable_plugin_debugging: o.debug ? 'yes' : 'no',
      ...regionSettings(o.regions),
    };
    // The managed credential by uuid, never its key; on reconfigure `edit`, not `add` (pyTenable upsert_aws_credentials).
    const credentialRef = { 'Cloud Services': { [AWS_CREDENTIAL_TYPE]: [{ id: credential.uuid }] } };
    const audits = { feed: { add: [{ id: audit.id, variables: {} }] } };
    if (found.scan) {
      scanId = found.scan.id;
      await deps.scans.update(scanId, { uuid: template.uuid, settings, credentials: { edit: credentialRef }, ...(o.audit !== undefined ? { audits } : {}) });
      events.info(`updated scan "${name}" (${scanId})`);
    } else {
      scanId = (await deps.scans.create({ uuid: template.uuid, settings, credentials: { add: credentialRef }, audits })).id;
      created = true;
      events.info(`created scan "${name}" (${scanId}) in folder ${AUDIT_FOLDER}`);
    }
    runUuid = await deps.scans.launch(scanId);
    events.info(`launched scan ${scanId} (run ${runUuid})`);
  }

  const result: AuditScanResult = {
    scan: { id: scanId, name, folderId, created, launched: !attached, attached, ...(runUuid ? { runUuid } : {}) },
    credential: { uuid: credential.uuid, name: credential.name },
    audit: { id: audit.id, name: audit.name },
    regions: o.regions,
    scanner,
    pluginDebugging: Boolean(o.debug),
    status: attached ? latest : 'launched',
    warnings,
  };
  if (!o.wait) return result;

  const done = await waitForScan(deps.scans, {
    scanId,
    scanName: name,
    timeoutMs: o.timeoutMs,
    intervalMs: o.intervalMs,
    stopOnExit: o.stopOnExit,
    signal: deps.signal,
    now: deps.now,
    sleep: deps.sleep,
    onStatus: (s, ms) => events.status(s, ms),
    onInfo: (m) => events.info(m),
  });
  result.status = done.status;
  result.elapsedMs = done.elapsedMs;
  result.compliance = complianceSummary((await deps.scans.details(scanId)).compliance);
  if (o.debug) {
    events.info(`downloading the Scan DB of scan ${scanId} (encrypted with the password given)`);
    result.debug = await exportScan(
      deps.scans,
      scanId,
      { format: 'db', password: o.debug.password },
      { path: o.debug.path, mode: 0o600 },
      { intervalMs: Math.min(o.intervalMs, 5000), timeoutMs: 30 * 60_000, now: deps.now, sleep: deps.sleep, signal: deps.signal },
    );
  }
  if (o.failOnFailed) result.failOn = { failed: result.compliance.failed > 0, count: result.compliance.failed };
  return result;
}
