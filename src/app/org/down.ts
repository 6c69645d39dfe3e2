import type { OperationOptions, StackInstanceSummary } from '../../adapters/aws/cloudformation-stacksets.js';
import { orgMatrix } from '../../core/cloudformation-matrix.js';
import { orgKeyAlias, orgSecretName } from '../../core/cloudformation-org-policies.js';
import { RuntimeError, UsageError } from '../../core/errors.js';
import { stackSetName, type OrgDeps } from './deps.js';
import { followOperation, type OperationOutcome } from './follow.js';
import { scannersPerStackOf } from './status.js';

export interface OrgDownInput extends OperationOptions {
  /** OU/root ids for stack instances whose OU CloudFormation did not report. */
  scopeOus: string[];
  keepShared: boolean;
  dryRun: boolean;
}

export interface OrgDownResult {
  stackSet: { name: string; result: 'deleted' | 'gone' | 'would-delete' };
  stackInstances: Array<{ account: string; region: string }>;
  operations: Array<Omit<OperationOutcome, 'results'>>;
  tenableRecords: Array<{ name: string; id: number; result: 'deleted' | 'gone' | 'would-delete' }>;
  secret: 'deleted' | 'gone' | 'kept' | 'would-delete';
  kmsKey: 'scheduled' | 'gone' | 'kept' | 'would-delete';
  dryRun: boolean;
}

/**
 * `org down`: deletes the stack instances (grouped by OU with AccountFilterType INTERSECTION), then
 * the StackSet, then the Tenable records of exactly the scanner names those stacks created, then the
 * organisation secret and its KMS key (unless --keep-shared). Tenable records are deleted only
 * after AWS confirmed the stacks are gone, so a failed delete leaves everything visible.
 */
export async function orgDown(deps: OrgDeps, input: OrgDownInput): Promise<OrgDownResult> {
  const { config, events } = deps;
  const name = stackSetName(config.fleet);
  const set = await deps.stacksets.describe(name);
  const instances = set ? await deps.stacksets.instances(name) : [];
  const perStack = set ? scannersPerStackOf(set.templateBody, config.scanners.count) : config.scanners.count;
  const records = await deps.tenable().listScanners();
  const cells = orgMatrix(config.fleet, perStack, instances, records);
  const toDelete = cells.flatMap((c) => c.scanners.flatMap((s) => (s.id !== undefined ? [{ name: s.name, id: s.id }] : [])));
  const groups = deleteGroups(instances, input.scopeOus);
  if (input.dryRun) {
    return {
      stackSet: { name, result: set ? 'would-delete' : 'gone' },
      stackInstances: instances.map((i) => ({ account: i.account, region: i.region })),
      operations: [],
      tenableRecords: toDelete.map((r) => ({ ...r, result: 'would-delete' })),
      secret: input.keepShared ? 'kept' : 'would-delete',
      kmsKey: input.keepShared ? 'kept' : 'would-delete',
      dryRun: true,
    };
  }

  const operations: OperationOutcome[] = [];
  for (const g of groups) {
    events.log('info', `Deleting stack instances: accounts ${g.targets.Accounts.join(', ')} (in ${g.targets.OrganizationalUnitIds.join(', ')}) × ${g.regions.join(', ')} …`);
    const opId = await deps.stacksets.deleteInstances(name, g, input);
    const outcome = await followOperation(
      { stacksets: deps.stacksets, now: deps.now, sleep: deps.sleep, intervalMs: deps.operationIntervalMs ?? 10_000, timeoutMs: deps.operationTimeoutMs ?? 3 * 3600_000, onResult: (r) => events.result(r) },
      name,
      opId,
      'DELETE',
    );
    operations.push(outcome);
  }
  const remaining = set ? await deps.stacksets.instances(name) : [];
  if (remaining.length > 0) {
    throw new RuntimeError('STACK_INSTANCES_REMAIN', `${remaining.length} stack instance(s) of ${name} were not deleted: ${remaining.map((r) => `${r.account}/${r.region}${r.reason ? ` (${r.reason})` : ''}`).join(', ')}.`, {
      hint: 'the StackSet and the Tenable records are kept; fix the failing stacks (CloudFormation console → StackSets → Stack instances) and run `org down` again',
      data: { operations: operations.map(({ results: _r, ...o }) => o), remaining },
    });
  }
  const stackSetResult = set ? await deps.stacksets.delete(name) : 'gone';
  events.log('info', `StackSet ${name}: ${stackSetResult}`);

  const tenable = deps.tenable();
  const tenableRecords: OrgDownResult['tenableRecords'] = [];
  for (const r of toDelete) tenableRecords.push({ ...r, result: await tenable.deleteScanner(r.id) });

  const secret = input.keepShared ? 'kept' : await deps.orgSecret.deleteSecret(orgSecretName(config.fleet));
  const kmsKey = input.keepShared ? 'kept' : await deps.orgSecret.scheduleKeyDeletion(orgKeyAlias(config.fleet));
  return {
    stackSet: { name, result: stackSetResult },
    stackInstances: instances.map((i) => ({ account: i.account, region: i.region })),
    operations: operations.map(({ results: _r, ...o }) => o),
    tenableRecords,
    secret,
    kmsKey,
    dryRun: false,
  };
}

/** One DeleteStackInstances per OU and region set: exactly the accounts that have stacks. */
export function deleteGroups(instances: readonly StackInstanceSummary[], scopeOus: readonly string[]): Array<{ targets: { OrganizationalUnitIds: string[]; Accounts: string[]; AccountFilterType: 'INTERSECTION' }; regions: string[] }> {
  const byOu = new Map<string, { accounts: Set<string>; regions: Set<string> }>();
  const noOu = instances.filter((i) => !i.ou);
  if (noOu.length > 0 && scopeOus.length === 0) {
    throw new UsageError(`CloudFormation did not report the OU of ${noOu.length} stack instance(s) (${noOu.map((i) => i.account).join(', ')}).`, { hint: 'pass the OU or root that contains them: org down --targets r-xxxx' });
  }
  for (const i of instances) {
    for (const ou of i.ou ? [i.ou] : scopeOus) {
      const g = byOu.get(ou) ?? { accounts: new Set<string>(), regions: new Set<string>() };
      g.accounts.add(i.account);
      g.regions.add(i.region);
      byOu.set(ou, g);
    }
  }
  return [...byOu.entries()].map(([ou, g]) => ({ targets: { OrganizationalUnitIds: [ou], Accounts: [...g.accounts].sort(), AccountFilterType: 'INTERSECTION' as const }, regions: [...g.regions].sort() }));
}
