import { readFile } from 'node:fs/promises';
import type { Ec2ScanGateway, TargetInstance } from '../../adapters/aws/ec2-scan.js';
import type { TenableClient } from '../../adapters/tenable/client.js';
import type { ExportFormat, ScanTemplate, TenableScans } from '../../adapters/tenable/scans.js';
import type { ResolvedConfig } from '../../config/resolve.js';
import { TenableError, UsageError } from '../../core/errors.js';
import { securityGroupName, TAG } from '../../core/naming.js';
import type { AwsGateways } from '../gateways.js';
import { parseDuration } from '../time.js';
import { matchRecords } from '../status-join.js';
import { reachability, reachabilityWarnings } from './egress.js';
import { exportScan, type ExportedFile } from './export.js';
import { findingsAtOrAbove, hostsToRead, severityCounts, topFindings, type ScanResults } from './results.js';
import { ensureFolder, findScan } from './scan-record.js';
import { chooseScanner, type FleetScanner, type GroupCandidate, type ScannerChoice } from './scanner-choice.js';
import { applyExclude, checkTargets, splitTargets } from './targets.js';
import { IN_PROGRESS, waitForScan } from './wait.js';
import type { Severity } from '../../adapters/tenable/scans.js';

export interface ScanDeps {
  config: ResolvedConfig;
  aws: AwsGateways;
  ec2Scan: Ec2ScanGateway;
  tenable: TenableClient;
  scans: TenableScans;
  signal: AbortSignal;
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface ScanOptions {
  targets?: string[] | undefined;
  targetTag?: { key: string; value: string } | undefined;
  targetFile?: string | undefined;
  exclude: string[];
  scanner?: string | undefined;
  template: string;
  wait: boolean;
  timeoutMs: number;
  stopOnExit: boolean;
  export?: { format: ExportFormat; path: string; chapters?: string[] | undefined } | undefined;
  failOn?: Severity | undefined;
  /** How many top findings to list (and read hosts for). */
  top: number;
}

/** How use cases report progress; they never print. */
export interface ScanEvents {
  info(message: string): void;
  warn(message: string): void;
  /** Asked before launching (blast radius); false cancels. */
  confirm(question: string): Promise<boolean>;
  status(status: string, elapsedMs: number): void;
}

export interface TargetSelection {
  targets: string[];
  how: string;
  excluded: string[];
  instances: TargetInstance[];
}

export interface ScanRunResult {
  fleet: string;
  scan: { id: number; name: string; folderId: number; template: string; created: boolean; launched: boolean; attached: boolean; runUuid?: string };
  scanner: { kind: ScannerChoice['kind']; name: string; uuid: string; why: string };
  targets: { count: number; how: string; excluded: string[]; list: string[] };
  status: string;
  elapsedMs?: number;
  results?: ScanResults;
  export?: ExportedFile;
  failOn?: { severity: Severity; findings: number; failed: boolean };
  warnings: string[];
}

/** Stable names: one TVM scan per fleet and template, in the fleet's own folder. */
export function scanFolderName(fleet: string): string {
  return `nessus-byol-${fleet}`;
}
export function scanName(fleet: string, template: string): string {
  return `nessus-byol ${fleet} ${template}`;
}

export async function selectTargets(deps: Pick<ScanDeps, 'config' | 'aws' | 'ec2Scan'>, o: Pick<ScanOptions, 'targets' | 'targetTag' | 'targetFile' | 'exclude'>): Promise<TargetSelection> {
  const given = [o.targets !== undefined, o.targetTag !== undefined, o.targetFile !== undefined].filter(Boolean).length;
  if (given > 1) throw new UsageError('Give only one of --targets, --target-tag and --target-file.', { hint: 'combine lists in one --target-file instead' });
  let targets: string[];
  let how: string;
  let instances: TargetInstance[] = [];
  if (o.targets !== undefined) {
    targets = checkTargets(o.targets.flatMap(splitTargets), '--targets');
    how = '--targets';
  } else if (o.targetFile !== undefined) {
    let text: string;
    try {
      text = await readFile(o.targetFile, 'utf8');
    } catch (e) {
      throw new UsageError(`Cannot read --target-file ${o.targetFile}: ${(e as NodeJS.ErrnoException).code ?? String(e)}.`, { hint: 'one target per line (IP, CIDR or host name); # starts a comment' });
    }
    targets = checkTargets(splitTargets(text), `--target-file ${o.targetFile}`);
    how = `--target-file ${o.targetFile}`;
  } else if (o.targetTag !== undefined) {
    instances = await deps.ec2Scan.runningInstances({ tag: o.targetTag });
    targets = [...new Set(instances.map((i) => i.privateIp))];
    how = `private IPs of ${instances.length} running instance(s) tagged ${o.targetTag.key}=${o.targetTag.value} in ${deps.config.region}`;
  } else {
    const vpcIds = await fleetVpcs(deps);
    instances = vpcIds.length ? await deps.ec2Scan.runningInstances({ vpcIds }) : [];
    targets = [...new Set(instances.map((i) => i.privateIp))];
    const own = instances.filter((i) => i.securityGroupIds.length > 0 && i.name?.startsWith(deps.config.fleet)).length;
    how = `private IPs of ${instances.length} running instance(s) in the fleet's VPC ${vpcIds.join(', ') || '(none found)'}${own ? ` (the fleet's own scanners included)` : ''}`;
  }
  const ex = applyExclude(targets, o.exclude.length ? checkTargets(o.exclude.flatMap(splitTargets), '--exclude') : []);
  if (ex.kept.length === 0) {
    throw new UsageError(`No scan targets: ${how}${ex.removed.length ? ` gave ${targets.length}, all excluded by --exclude` : ' gave none'}.`, {
      hint: 'pass --targets 10.0.1.0/24, --target-tag Key=Value or --target-file FILE (the default is the running instances in the fleet\'s VPC)',
    });
  }
  return { targets: ex.kept, how, excluded: ex.removed, instances };
}

/** network.vpcId, else the VPC(s) of the fleet's security group(s), else the default VPC. */
async function fleetVpcs(deps: Pick<ScanDeps, 'config' | 'aws'>): Promise<string[]> {
  if (deps.config.network.vpcId) return [deps.config.network.vpcId];
  const groups = await deps.aws.ec2.fleetSecurityGroups(deps.config.fleet);
  const vpcs = [...new Set(groups.filter((g) => g.name === securityGroupName(deps.config.fleet)).map((g) => g.vpcId).filter(Boolean))];
  if (vpcs.length) return vpcs;
  const d = await deps.aws.ec2.defaultVpcId();
  return d ? [d] : [];
}

/** This fleet's scanners joined to their Tenable records, and the declared groups with their members. */
export async function fleetScanners(deps: Pick<ScanDeps, 'config' | 'aws' | 'tenable'>): Promise<{ scanners: FleetScanner[]; groups: GroupCandidate[]; scannerIps: string[] }> {
  const instances = await deps.aws.ec2.fleetInstances(deps.config.fleet, ['running']);
  const records = await deps.tenable.listScanners();
  const matched = matchRecords(instances, records);
  const scanners: FleetScanner[] = instances.flatMap((i) => {
    const m = matched.get(i.instanceId);
    return m ? [{ instanceId: i.instanceId, name: i.tags[TAG.scannerName] ?? m.record.name, record: m.record, tagged: m.by === 'tag' }] : [];
  });
  const groups: GroupCandidate[] = [];
  if (deps.config.link.groups.length) {
    const all = await deps.tenable.listScannerGroups();
    for (const name of deps.config.link.groups) {
      const group = all.find((g) => g.name === name);
      if (group) groups.push({ group, members: await deps.tenable.listGroupScanners(group.id) });
    }
  }
  return { scanners, groups, scannerIps: instances.map((i) => i.privateIp).filter((ip): ip is string => Boolean(ip)) };
}

export function findTemplate(templates: ScanTemplate[], name: string): ScanTemplate {
  const t = templates.find((x) => x.name === name);
  if (!t) {
    throw new UsageError(`Tenable has no scan template named "${name}".`, {
      hint: `use one of: ${templates.map((x) => x.name).sort().join(', ')} (GET /editor/scan/templates)`,
      data: { templates: templates.map((x) => ({ name: x.name, title: x.title })) },
    });
  }
  return t;
}

/**
 * `scan -f F`: a vulnerability scan of the fleet's network run by the fleet's scanners. Looks first
 * (targets, scanners, template, the existing scan), asks, then brings the scan up to date (targets
 * and scanner change at each rebuild), launches it — or attaches to a run in progress — and waits.
 */
export async function runScan(deps: ScanDeps, o: ScanOptions, events: ScanEvents): Promise<ScanRunResult> {
  const { config } = deps;
  const warnings: string[] = [];
  const warn = (m: string) => {
    warnings.push(m);
    events.warn(m);
  };

  const template = findTemplate(await deps.scans.templates(), o.template);
  const selection = await selectTargets(deps, o);
  events.info(`${selection.targets.length} target(s): ${selection.how}${selection.excluded.length ? `; ${selection.excluded.length} excluded by --exclude` : ''}`);

  const fleet = await fleetScanners(deps);
  const { choice, notes } = chooseScanner({
    fleet: config.fleet,
    file: config.file,
    scanners: fleet.scanners,
    groups: fleet.groups,
    declaredGroups: config.link.groups,
    requested: o.scanner,
  });
  for (const n of notes) events.info(n);
  events.info(`scanner: ${choice.kind} ${choice.name} (${choice.why})`);

  // Reachability: scan.egress on the fleet group, and the targets' own groups.
  const fleetGroup = (await deps.aws.ec2.fleetSecurityGroups(config.fleet)).find((g) => g.name === securityGroupName(config.fleet));
  const targetGroupIds = [...new Set(selection.instances.flatMap((i) => i.securityGroupIds))];
  const reach = reachability({
    targets: selection.targets,
    egress: config.scan.egress,
    instances: selection.instances,
    targetGroups: await deps.ec2Scan.securityGroupRules(targetGroupIds),
    fleetGroupId: fleetGroup?.id,
    scannerIps: fleet.scannerIps,
  });
  for (const w of reachabilityWarnings(reach, selection.targets.length, config.file, fleetGroup ? `${fleetGroup.name} (${fleetGroup.id})` : securityGroupName(config.fleet))) warn(w);

  const name = scanName(config.fleet, template.name);
  const found = await findScan(deps.scans, scanFolderName(config.fleet), name);
  if (found.duplicates.length) warn(`Tenable has ${found.duplicates.length + 1} scans named "${name}"; using the oldest (${found.scan!.id}), not ${found.duplicates.join(', ')}`);
  const latest = found.scan ? await deps.scans.latestStatus(found.scan.id) : 'empty';
  const attached = IN_PROGRESS.has(latest);

  let scanId: number;
  let folderId: number;
  let runUuid: string | undefined;
  let created = false;
  if (attached) {
    scanId = found.scan!.id;
    folderId = found.folderId!;
    events.info(`scan "${name}" (${scanId}) is already ${latest}: attaching to it instead of launching again`);
  } else {
    const question = `Launch "${name}" (${template.title}) against ${selection.targets.length} target(s) on ${choice.kind} ${choice.name}?`;
    if (!(await events.confirm(question))) throw new UsageError('Cancelled; nothing was launched.');
    folderId = (await ensureFolder(deps.scans, scanFolderName(config.fleet), found.folderId)).id;
    const settings = {
      name,
      description: `Managed by nessus-byol for fleet ${config.fleet}; targets and scanner are rewritten at each \`nessus-byol scan\`.`,
      text_targets: selection.targets.join(','),
      scanner_id: choice.uuid,
      folder_id: folderId,
      enabled: false,
    };
    if (found.scan) {
      scanId = found.scan.id;
      await deps.scans.update(scanId, { uuid: template.uuid, settings });
      events.info(`updated scan "${name}" (${scanId}): ${selection.targets.length} target(s), scanner ${choice.name}`);
    } else {
      scanId = (await deps.scans.create({ uuid: template.uuid, settings })).id;
      created = true;
      events.info(`created scan "${name}" (${scanId}) in folder ${scanFolderName(config.fleet)}`);
    }
    runUuid = await deps.scans.launch(scanId);
    events.info(`launched scan ${scanId} (run ${runUuid})`);
  }

  const result: ScanRunResult = {
    fleet: config.fleet,
    scan: { id: scanId, name, folderId, template: template.name, created, launched: !attached, attached, ...(runUuid ? { runUuid } : {}) },
    scanner: { kind: choice.kind, name: choice.name, uuid: choice.uuid, why: choice.why },
    targets: { count: selection.targets.length, how: selection.how, excluded: selection.excluded, list: selection.targets },
    status: attached ? latest : 'launched',
    warnings,
  };
  if (!o.wait) return result;

  const done = await waitForScan(deps.scans, {
    scanId,
    scanName: name,
    timeoutMs: o.timeoutMs,
    intervalMs: intervalOf(config),
    stopOnExit: o.stopOnExit,
    signal: deps.signal,
    now: deps.now,
    sleep: deps.sleep,
    onStatus: (s, ms) => events.status(s, ms),
    onInfo: (m) => events.info(m),
  });
  result.status = done.status;
  result.elapsedMs = done.elapsedMs;
  result.results = await collectResults(deps.scans, scanId, o.top);

  if (o.export) {
    events.info(`exporting scan ${scanId} as ${o.export.format}`);
    result.export = await exportScan(
      deps.scans,
      scanId,
      { format: o.export.format, ...(o.export.chapters ? { chapters: o.export.chapters } : {}) },
      { path: o.export.path },
      { intervalMs: Math.min(intervalOf(config), 5000), timeoutMs: 30 * 60_000, now: deps.now, sleep: deps.sleep, signal: deps.signal },
    );
  }
  if (o.failOn) {
    const n = findingsAtOrAbove(result.results.severities, o.failOn);
    result.failOn = { severity: o.failOn, findings: n, failed: n > 0 };
  }
  return result;
}

/** The fleet's poll interval (validated by the schema), at least 1 s between status calls. */
function intervalOf(config: ResolvedConfig): number {
  return Math.max(1000, parseDuration(config.wait.interval));
}

/** `GET /scans/{id}`, then at most `top`… bounded host reads to name the hosts of the top findings. */
export async function collectResults(scans: TenableScans, scanId: number, top: number): Promise<ScanResults> {
  const details = await scans.details(scanId);
  const hostsByPlugin = new Map<number, string[]>();
  const first = topFindings(details, top);
  const wanted = new Set(first.map((f) => f.pluginId));
  const toRead = wanted.size ? hostsToRead(details.hosts, MAX_HOST_READS) : [];
  let read = 0;
  for (const h of toRead) {
    let hd;
    try {
      hd = await scans.hostDetails(scanId, h.hostId);
    } catch (e) {
      // Host names are a nicety: a host record Tenable cannot serve ends the extra reads, not the scan.
      if (e instanceof TenableError && e.code === 'TENABLE_NOT_FOUND') break;
      throw e;
    }
    read++;
    for (const p of new Set(hd.pluginIds)) {
      if (!wanted.has(p)) continue;
      hostsByPlugin.set(p, [...(hostsByPlugin.get(p) ?? []), h.hostname]);
    }
  }
  return {
    hostsScanned: details.info.hostCount ?? details.hosts.length,
    severities: severityCounts(details.hosts),
    top: topFindings(details, top, hostsByPlugin),
    hostsRead: read,
  };
}

/** The bound on extra calls for "hosts per finding" (issue 18: bounded). */
export const MAX_HOST_READS = 10;
