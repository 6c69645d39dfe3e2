import type { OperationOptions } from '../../adapters/aws/cloudformation-stacksets.js';
import { stringify } from 'yaml';
import { matrixCounts, type MatrixCell } from '../../core/cloudformation-matrix.js';
import { deploymentGroups, type OrgTargets } from '../../core/cloudformation-targets.js';
import { fleetTags } from '../../core/naming.js';
import { readLinkingKey } from '../linking-key.js';
import { followOperation, type OperationOutcome } from './follow.js';
import { stackSetName, type OrgDeps } from './deps.js';
import { ensureOrgSecret, type OrgSecretResult } from './shared-secret.js';
import { fleetTemplateFor } from './template.js';
import { waitForOrg } from './wait.js';

export interface OrgUpInput extends OperationOptions {
  targets: OrgTargets;
  regions: string[];
  orgId: string;
  wait: boolean;
  timeoutMs: number;
  intervalMs: number;
}

export type OrgOutcome = 'ok' | 'stack-failed' | 'timeout' | 'not-ready' | 'not-waited';

export interface OrgUpResult {
  stackSet: { name: string; action: 'created' | 'updated' | 'unchanged' };
  secret: OrgSecretResult;
  scannersPerStack: number;
  amis: Record<string, string>;
  operations: Array<Omit<OperationOutcome, 'results'> & { failed: Array<{ account: string; region: string; reason: string | undefined }> }>;
  cells: MatrixCell[];
  counts: ReturnType<typeof matrixCounts>;
  ticks: number;
  outcome: OrgOutcome;
  warnings: string[];
}

/**
 * `org up`: the organisation-shared linking key, a service-managed StackSet carrying the fleet
 * template, stack instances for the targets (each operation followed to its end), then ONE
 * GET /scanners per tick until every expected scanner of every account and region is ready.
 */
export async function orgUp(deps: OrgDeps, input: OrgUpInput): Promise<OrgUpResult> {
  const { config, events } = deps;
  const name = stackSetName(config.fleet);
  const identity = await deps.aws.identity();

  events.log('info', `Reading the linking key (${config.link.key.from}) …`);
  const key = await readLinkingKey(config, { tenable: deps.tenable, aws: deps.aws, env: deps.env });
  const secret = await ensureOrgSecret(config, deps.orgSecret, { key, account: identity.account, orgId: input.orgId });
  events.log('info', `Organisation secret ${secret.secretName}: ${secret.secret} (KMS key ${secret.kmsAlias}: ${secret.kmsKey}); readable by the fleet's scanner roles in ${input.orgId} only`);

  const built = await fleetTemplateFor(config, {
    regions: input.regions,
    offline: false,
    ec2For: deps.ec2For,
    keyStore: { from: 'secretsmanager', secretId: secret.secretArn },
    keyKmsArn: secret.kmsKeyArn,
  });
  for (const w of built.warnings) events.log('warn', w);
  const templateBody = stringify(built.template, { lineWidth: 0 });
  const write = { name, description: built.template.Description, templateBody, parameters: {}, tags: fleetTags(config.fleet, config.tags) };
  const opOpts: OperationOptions = { ...(input.maxConcurrent ? { maxConcurrent: input.maxConcurrent } : {}), ...(input.failureTolerance ? { failureTolerance: input.failureTolerance } : {}) };
  const follow = (operationId: string, action: string) =>
    followOperation(
      { stacksets: deps.stacksets, now: deps.now, sleep: deps.sleep, ...(deps.signal ? { signal: deps.signal } : {}), intervalMs: deps.operationIntervalMs ?? 10_000, timeoutMs: deps.operationTimeoutMs ?? 3 * 3600_000, onResult: (r) => events.result(r) },
      name,
      operationId,
      action,
    );

  const operations: OperationOutcome[] = [];
  const existing = await deps.stacksets.describe(name);
  let action: OrgUpResult['stackSet']['action'];
  if (!existing) {
    events.log('info', `Creating StackSet ${name} (service-managed, auto-deployment on) …`);
    await deps.stacksets.create(write);
    action = 'created';
  } else if (existing.templateBody.trim() !== templateBody.trim()) {
    events.log('info', `Updating StackSet ${name}: the template changed; existing stack instances are updated …`);
    operations.push(await follow(await deps.stacksets.update(write, opOpts), 'UPDATE'));
    action = 'updated';
  } else {
    action = 'unchanged';
  }

  const present = await deps.stacksets.instances(name);
  for (const group of deploymentGroups(input.targets, input.regions)) {
    const missingRegions = group.targets.Accounts
      ? group.regions.filter((r) => group.targets.Accounts!.some((a) => !present.some((p) => p.account === a && p.region === r)))
      : group.regions.filter((r) => !present.some((p) => p.region === r && p.ou !== undefined && group.targets.OrganizationalUnitIds.includes(p.ou)));
    if (missingRegions.length === 0) {
      events.log('debug', `stack instances for ${describeGroup(group.targets)} already exist in ${group.regions.join(', ')}`);
      continue;
    }
    events.log('info', `Creating stack instances: ${describeGroup(group.targets)} × ${missingRegions.join(', ')} …`);
    operations.push(await follow(await deps.stacksets.createInstances(name, { ...group, regions: missingRegions }, opOpts), 'CREATE'));
  }

  const instances = (await deps.stacksets.instances(name)).filter((i) => input.regions.includes(i.region));
  const base = {
    stackSet: { name, action },
    secret,
    scannersPerStack: built.scannersPerStack,
    amis: Object.fromEntries(Object.entries(built.template.Mappings?.AmiByRegion ?? {}).map(([r, v]) => [r, v.ImageId ?? ''])),
    operations: operations.map(({ results, ...o }) => ({ ...o, failed: results.filter((r) => r.status === 'FAILED' || r.status === 'CANCELLED').map((r) => ({ account: r.account, region: r.region, reason: r.reason })) })),
    warnings: built.warnings,
  };
  if (!input.wait) {
    const { cells } = await waitForOrg({ tenable: deps.tenable(), fleet: config.fleet, perStack: built.scannersPerStack, instances, until: config.wait.until, timeoutMs: 0, intervalMs: 0, now: deps.now, sleep: deps.sleep });
    return { ...base, cells, counts: matrixCounts(cells), ticks: 1, outcome: 'not-waited' };
  }
  events.log('info', `Waiting for ${instances.length * built.scannersPerStack} scanner(s) in ${instances.length} account/region stack(s) to be ${config.wait.until} (one GET /scanners per tick) …`);
  const waited = await waitForOrg({
    tenable: deps.tenable(),
    fleet: config.fleet,
    perStack: built.scannersPerStack,
    instances,
    until: config.wait.until,
    timeoutMs: input.timeoutMs,
    intervalMs: input.intervalMs,
    now: deps.now,
    sleep: deps.sleep,
    ...(deps.signal ? { signal: deps.signal } : {}),
    onTick: (t, cells) => events.tick(t, cells),
  });
  await joinGroups(deps, waited.cells);
  const counts = matrixCounts(waited.cells);
  const outcome: OrgOutcome = counts['stack-failed'] > 0 ? 'stack-failed' : waited.settled ? 'ok' : counts.missing + counts.deploying === 0 ? 'not-ready' : 'timeout';
  return { ...base, cells: waited.cells, counts, ticks: waited.ticks, outcome };
}

function describeGroup(t: { OrganizationalUnitIds: string[]; Accounts?: string[] }): string {
  return t.Accounts ? `accounts ${t.Accounts.join(', ')} (in ${t.OrganizationalUnitIds.join(', ')})` : `OUs ${t.OrganizationalUnitIds.join(', ')}`;
}

/** Adds linked scanners to the configured Tenable scanner groups (creating a missing group once). */
async function joinGroups(deps: OrgDeps, cells: MatrixCell[]): Promise<void> {
  const names = deps.config.link.groups;
  const ids = cells.flatMap((c) => c.scanners.flatMap((s) => (s.state !== 'missing' && s.id !== undefined ? [s.id] : [])));
  if (names.length === 0 || ids.length === 0) return;
  try {
    const tenable = deps.tenable();
    const groups = await tenable.listScannerGroups();
    for (const groupName of names) {
      const gid = groups.find((g) => g.name === groupName)?.id ?? (await tenable.createScannerGroup(groupName)).id;
      const members = new Set((await tenable.listGroupScanners(gid)).map((s) => s.id));
      for (const id of ids) if (!members.has(id)) await tenable.addScannerToGroup(gid, id);
    }
  } catch (e) {
    deps.events.log('warn', `joining scanner groups: ${(e as Error).message}`);
  }
}
