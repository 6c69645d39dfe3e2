import {
  CloudFormationClient,
  CreateStackInstancesCommand,
  CreateStackSetCommand,
  DeleteStackInstancesCommand,
  UpdateStackSetCommand,
} from '@aws-sdk/client-cloudformation';
import { CreateAliasCommand, CreateKeyCommand, DescribeKeyCommand, EnableKeyRotationCommand, KMSClient, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import { CreateSecretCommand, DescribeSecretCommand, GetSecretValueCommand, PutResourcePolicyCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import type { StackInstanceSummary } from '../src/adapters/aws/cloudformation-stacksets.js';
import { StackSetGateway } from '../src/adapters/aws/cloudformation-stacksets.js';
import { OrgSecretGateway } from '../src/adapters/aws/cloudformation-org-secret.js';
import type { TenableScanner } from '../src/adapters/tenable/scanner.js';
import type { OrgDeps } from '../src/app/org/deps.js';
import { deleteGroups, orgDown } from '../src/app/org/down.js';
import { orgUp } from '../src/app/org/up.js';
import { waitForOrg } from '../src/app/org/wait.js';
import { resolveValidated } from '../src/config/resolve.js';
import { validateFleetText } from '../src/config/validate.js';
import { templateScannerName } from '../src/core/cloudformation.js';
import { deploymentGroups, parseOperationLimit, parseRegions, parseTargetCsv, parseTargetList } from '../src/core/cloudformation-targets.js';
import { UsageError } from '../src/core/errors.js';
import { Secret } from '../src/core/secret.js';

const config = resolveValidated(validateFleetText('fleet.yaml', 'version: 1\nfleet: prod\nregion: us-east-1\nscanners: { count: 2 }\nlink: { key: { from: env } }\nwait: { timeout: 1m, interval: 1s }\n'), { file: 'fleet.yaml', flags: {}, env: {} });

function usage(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    expect((e as UsageError).exitCode).toBe(2);
    return e as UsageError;
  }
  throw new Error('expected a UsageError');
}

describe('org flags (exit 2 before anything is touched)', () => {
  it('parses OU, root and account targets and refuses malformed ones', () => {
    expect(parseTargetList('ou-ab12-cdef3456,ou-ab12-99990000')).toMatchObject({ ous: ['ou-ab12-cdef3456', 'ou-ab12-99990000'], accounts: [] });
    expect(parseTargetList('r-ab12,111122223333').accounts).toEqual([{ account: '111122223333', ou: 'r-ab12' }]);
    usage(() => parseTargetList('ou-xxxx'));
    usage(() => parseTargetList('11112222333'));
    expect(usage(() => parseTargetList('111122223333')).hint).toMatch(/root/);
    usage(() => parseRegions('us-east-1,mars-1'));
    usage(() => parseRegions(''));
    expect(parseOperationLimit('--max-concurrent', '10%', 1)).toEqual({ percentage: 10 });
    expect(parseOperationLimit('--failure-tolerance', '0', 0)).toEqual({ count: 0 });
    for (const bad of ['0', '101%', 'ten', '-1', '5.5']) usage(() => parseOperationLimit('--max-concurrent', bad, 1));
  });

  it('reads an accounts CSV and groups it into the fewest StackSet requests', () => {
    const csv = 'account,ou,region,vpcId,subnetId\n# comment\n111122223333,ou-ab12-cdef3456,,,\n444455556666,ou-ab12-cdef3456,,,\n777788889999,ou-ab12-cdef3456,eu-west-1,vpc-0abc12345678def00,subnet-0abc12345678def00\n';
    const t = parseTargetCsv('a.csv', csv, ['us-east-1', 'eu-west-1']);
    expect(deploymentGroups(t, ['us-east-1', 'eu-west-1'])).toEqual([
      { targets: { OrganizationalUnitIds: ['ou-ab12-cdef3456'], Accounts: ['111122223333', '444455556666'], AccountFilterType: 'INTERSECTION' }, regions: ['us-east-1', 'eu-west-1'], overrides: {} },
      { targets: { OrganizationalUnitIds: ['ou-ab12-cdef3456'], Accounts: ['777788889999'], AccountFilterType: 'INTERSECTION' }, regions: ['eu-west-1'], overrides: { VpcId: 'vpc-0abc12345678def00', SubnetId: 'subnet-0abc12345678def00' } },
    ]);
    const err = usage(() => parseTargetCsv('a.csv', 'account,ou\n1234,ou-x\n111122223333,ou-ab12-cdef3456\n111122223333,ou-ab12-cdef3456\n', ['us-east-1']));
    expect(err.message).toMatch(/a.csv:2: account "1234"/);
    expect(err.message).toMatch(/a.csv:2: ou "ou-x"/);
    expect(err.message).toMatch(/listed more than once/);
    usage(() => parseTargetCsv('a.csv', 'id,name\n', ['us-east-1']));
  });
});

describe('StackSet request shapes (aws-sdk-client-mock; moto ignores most of them)', () => {
  const cfn = mockClient(CloudFormationClient);
  afterEach(() => cfn.reset());
  const gw = new StackSetGateway({ region: 'us-east-1', maxAttempts: 1 }, async () => undefined);

  it('creates a service-managed StackSet with auto-deployment, managed execution and named-IAM capability', async () => {
    cfn.on(CreateStackSetCommand).resolves({ StackSetId: 'id' });
    await gw.create({ name: 'nessus-byol-prod', description: 'd', templateBody: 'x', parameters: {}, tags: { 'nessus-byol:fleet': 'prod' } });
    expect(cfn.commandCalls(CreateStackSetCommand)[0]!.args[0].input).toMatchObject({
      StackSetName: 'nessus-byol-prod',
      PermissionModel: 'SERVICE_MANAGED',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      ManagedExecution: { Active: true },
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      Tags: [{ Key: 'nessus-byol:fleet', Value: 'prod' }],
    });
  });

  it('creates stack instances per deployment group with the operation preferences; waits out a running operation', async () => {
    cfn.on(CreateStackInstancesCommand).rejectsOnce(Object.assign(new Error('busy'), { name: 'OperationInProgressException' })).resolves({ OperationId: 'op-1' });
    const op = await gw.createInstances('s', { targets: { OrganizationalUnitIds: ['r-ab12'], Accounts: ['111122223333'], AccountFilterType: 'INTERSECTION' }, regions: ['us-east-1'], overrides: { VpcId: 'vpc-0abc12345678def00' } }, { maxConcurrent: { percentage: 25 }, failureTolerance: { count: 1 } });
    expect(op).toBe('op-1');
    const calls = cfn.commandCalls(CreateStackInstancesCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.args[0].input).toEqual({
      StackSetName: 's',
      DeploymentTargets: { OrganizationalUnitIds: ['r-ab12'], Accounts: ['111122223333'], AccountFilterType: 'INTERSECTION' },
      Regions: ['us-east-1'],
      ParameterOverrides: [{ ParameterKey: 'VpcId', ParameterValue: 'vpc-0abc12345678def00' }],
      OperationPreferences: { RegionConcurrencyType: 'PARALLEL', MaxConcurrentPercentage: 25, FailureToleranceCount: 1 },
    });
  });

  it('updates and deletes with explicit targets (service-managed deletes need OUs)', async () => {
    cfn.on(UpdateStackSetCommand).resolves({ OperationId: 'op-u' });
    cfn.on(DeleteStackInstancesCommand).resolves({ OperationId: 'op-d' });
    expect(await gw.update({ name: 's', description: 'd', templateBody: 'x', parameters: {}, tags: {} }, {})).toBe('op-u');
    expect(cfn.commandCalls(UpdateStackSetCommand)[0]!.args[0].input.OperationPreferences).toEqual({ RegionConcurrencyType: 'PARALLEL', MaxConcurrentPercentage: 10, FailureTolerancePercentage: 0 });
    const [group] = deleteGroups([{ account: '111122223333', region: 'us-east-1', status: 'CURRENT', detailedStatus: 'SUCCEEDED', reason: undefined, ou: 'ou-ab12-cdef3456' }], []);
    await gw.deleteInstances('s', group!, {});
    expect(cfn.commandCalls(DeleteStackInstancesCommand)[0]!.args[0].input).toMatchObject({ DeploymentTargets: { OrganizationalUnitIds: ['ou-ab12-cdef3456'], Accounts: ['111122223333'], AccountFilterType: 'INTERSECTION' }, Regions: ['us-east-1'], RetainStacks: false });
    usage(() => deleteGroups([{ account: '111122223333', region: 'us-east-1', status: 'CURRENT', detailedStatus: undefined, reason: undefined, ou: undefined }], []));
  });
});

describe('organisation secret (idempotent, shared by aws:PrincipalOrgID)', () => {
  const kms = mockClient(KMSClient);
  const sm = mockClient(SecretsManagerClient);
  afterEach(() => {
    kms.reset();
    sm.reset();
  });
  const gw = new OrgSecretGateway({ region: 'us-east-1', maxAttempts: 1 });
  const policy = { Version: '2012-10-17' as const, Statement: [{ Effect: 'Allow' as const, Action: 'x', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abcdefghij' } } }] };
  const key = new Secret('a'.repeat(64), 'linking key');

  it('creates key, alias and secret the first time', async () => {
    kms.on(DescribeKeyCommand).rejects(Object.assign(new Error('nf'), { name: 'NotFoundException' }));
    kms.on(CreateKeyCommand).resolves({ KeyMetadata: { KeyId: 'k', Arn: 'arn:aws:kms:us-east-1:1:key/k' } });
    sm.on(DescribeSecretCommand).rejects(Object.assign(new Error('nf'), { name: 'ResourceNotFoundException' }));
    sm.on(CreateSecretCommand).resolves({ ARN: 'arn:s' });
    const k = await gw.ensureKey({ alias: 'alias/a', description: 'd', policy, tags: {} });
    const s = await gw.ensureSecret({ name: 'n', kmsKeyArn: k.arn, value: key, policy, tags: {}, description: 'd' });
    expect([k.result, s.result]).toEqual(['created', 'created']);
    expect(kms.commandCalls(CreateAliasCommand)).toHaveLength(1);
    expect(kms.commandCalls(EnableKeyRotationCommand)).toHaveLength(1);
    expect(JSON.parse(kms.commandCalls(CreateKeyCommand)[0]!.args[0].input.Policy!)).toEqual(policy);
    expect(sm.commandCalls(CreateSecretCommand)[0]!.args[0].input.KmsKeyId).toBe(k.arn);
    expect(sm.commandCalls(PutResourcePolicyCommand)[0]!.args[0].input).toMatchObject({ SecretId: 'arn:s', BlockPublicPolicy: true });
  });

  it('re-running changes only what differs: policy re-applied, value written only when it changed', async () => {
    kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: 'k', Arn: 'arn:k', KeyState: 'Enabled' } });
    sm.on(DescribeSecretCommand).resolves({ ARN: 'arn:s', KmsKeyId: 'arn:k' });
    sm.on(GetSecretValueCommand).resolves({ SecretString: key.reveal() });
    const k = await gw.ensureKey({ alias: 'alias/a', description: 'd', policy, tags: {} });
    const s = await gw.ensureSecret({ name: 'n', kmsKeyArn: k.arn, value: key, policy, tags: {}, description: 'd' });
    expect([k.result, s.result]).toEqual(['updated', 'unchanged']);
    expect(kms.commandCalls(CreateKeyCommand)).toHaveLength(0);
    expect(kms.commandCalls(PutKeyPolicyCommand)).toHaveLength(1);
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    sm.on(GetSecretValueCommand).resolves({ SecretString: 'old' });
    expect((await gw.ensureSecret({ name: 'n', kmsKeyArn: 'arn:k', value: key, policy, tags: {}, description: 'd' })).result).toBe('updated');
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(1);
  });
});

/** Simulated Tenable records: every expected scanner of the given cells, ready. */
function records(cells: Array<[string, string]>, perStack: number, startId = 1): TenableScanner[] {
  let id = startId;
  return cells.flatMap(([account, region]) =>
    Array.from({ length: perStack }, (_, i) => ({ id: id++, uuid: `u${id}`, name: templateScannerName('prod', account, region, i), type: 'managed', status: 'on', linked: true, lastConnectMs: 0, loadedPluginSet: '202501010000' })),
  );
}

function fakeDeps(instances: StackInstanceSummary[], scanners: () => TenableScanner[]) {
  const calls: string[] = [];
  let listCalls = 0;
  let existing: { templateBody: string } | null = null;
  let present: StackInstanceSummary[] = [];
  const deps: OrgDeps = {
    config,
    stacksets: {
      describe: async () => (existing ? { name: 'nessus-byol-prod', status: 'ACTIVE', templateBody: existing.templateBody, parameters: {} } : null),
      create: async (w) => {
        calls.push('create');
        existing = { templateBody: w.templateBody };
      },
      update: async () => (calls.push('update'), 'op-u'),
      createInstances: async () => {
        calls.push('createInstances');
        present = instances;
        return 'op-c';
      },
      deleteInstances: async () => {
        calls.push('deleteInstances');
        present = [];
        return 'op-d';
      },
      delete: async () => (calls.push('deleteStackSet'), 'deleted'),
      operationStatus: async () => ({ status: 'SUCCEEDED', reason: undefined }),
      operationResults: async () => instances.map((i) => ({ account: i.account, region: i.region, status: i.detailedStatus === 'FAILED' ? 'FAILED' : 'SUCCEEDED', reason: i.reason })),
      instances: async () => present,
    },
    orgSecret: {
      ensureKey: async () => ({ arn: 'arn:aws:kms:us-east-1:999988887777:key/k', result: 'created' }),
      ensureSecret: async () => ({ arn: 'arn:aws:secretsmanager:us-east-1:999988887777:secret:s-AbCdEf', result: 'created' }),
      deleteSecret: async () => (calls.push('deleteSecret'), 'deleted'),
      scheduleKeyDeletion: async () => (calls.push('deleteKey'), 'scheduled'),
    },
    aws: { identity: async () => ({ account: '999988887777', arn: 'arn' }) } as unknown as OrgDeps['aws'],
    tenable: () =>
      ({
        listScanners: async () => (listCalls++, scanners()),
        deleteScanner: async (id: number) => (calls.push(`deleteScanner:${id}`), 'deleted'),
      }) as unknown as ReturnType<OrgDeps['tenable']>,
    ec2For: () => ({ newestImage: async () => ({ id: 'ami-0123456789abcdef0', rootDeviceName: '/dev/xvda' }), image: async () => null }),
    env: { NESSUS_LINKING_KEY: 'b'.repeat(64) },
    now: () => clock,
    sleep: async (ms) => {
      clock += ms;
    },
    events: { log: () => undefined, result: () => undefined, tick: () => undefined },
  };
  let clock = 0;
  return { deps, calls, listCalls: () => listCalls };
}

const inst = (account: string, region: string, detailedStatus = 'SUCCEEDED', reason?: string): StackInstanceSummary => ({ account, region, status: detailedStatus === 'FAILED' ? 'OUTDATED' : 'CURRENT', detailedStatus, reason, ou: 'ou-ab12-cdef3456' });

describe('org up / org down use cases', () => {
  it('reports one failed account without hiding the ready ones; one GET /scanners per tick', async () => {
    const instances = [inst('111111111111', 'us-east-1'), inst('111111111111', 'eu-west-1'), inst('222222222222', 'us-east-1', 'FAILED', 'ResourceLogicalId:Scanner0, ResourceStatusReason: You are not subscribed to this service'), inst('222222222222', 'eu-west-1')];
    let tick = 0;
    const ok = records([['111111111111', 'us-east-1'], ['111111111111', 'eu-west-1'], ['222222222222', 'eu-west-1']], 2);
    const { deps, calls, listCalls } = fakeDeps(instances, () => (++tick < 3 ? ok.slice(0, 2) : ok));
    const r = await orgUp(deps, { targets: parseTargetList('ou-ab12-cdef3456'), regions: ['us-east-1', 'eu-west-1'], orgId: 'o-abcdefghij', wait: true, timeoutMs: 60_000, intervalMs: 1000 });
    expect(calls).toEqual(['create', 'createInstances']);
    expect(r.outcome).toBe('stack-failed');
    expect(r.cells.map((c) => `${c.account}/${c.region}:${c.state}`)).toEqual(['111111111111/eu-west-1:ready', '111111111111/us-east-1:ready', '222222222222/eu-west-1:ready', '222222222222/us-east-1:stack-failed']);
    expect(r.cells.find((c) => c.state === 'stack-failed')!.reason).toMatch(/not subscribed/);
    expect(r.operations[0]!.failed).toEqual([{ account: '222222222222', region: 'us-east-1', reason: expect.stringMatching(/not subscribed/) }]);
    expect(listCalls()).toBe(r.ticks);
    expect(JSON.stringify(r)).not.toContain('b'.repeat(64));
  });

  it('is idempotent: an unchanged template and existing stack instances start no operation', async () => {
    const instances = [inst('111111111111', 'us-east-1')];
    const { deps, calls } = fakeDeps(instances, () => records([['111111111111', 'us-east-1']], 2));
    const input = { targets: parseTargetList('ou-ab12-cdef3456'), regions: ['us-east-1'], orgId: 'o-abcdefghij', wait: true, timeoutMs: 10_000, intervalMs: 1000 };
    expect((await orgUp(deps, input)).outcome).toBe('ok');
    expect((await orgUp(deps, input)).stackSet.action).toBe('unchanged');
    expect(calls).toEqual(['create', 'createInstances']);
  });

  it('times out naming the missing scanners (exit 3 in the CLI)', async () => {
    const { deps } = fakeDeps([inst('111111111111', 'us-east-1')], () => records([['111111111111', 'us-east-1']], 1));
    const r = await orgUp(deps, { targets: parseTargetList('ou-ab12-cdef3456'), regions: ['us-east-1'], orgId: 'o-abcdefghij', wait: true, timeoutMs: 5000, intervalMs: 1000 });
    expect(r.outcome).toBe('timeout');
    expect(r.cells[0]!.scanners.map((s) => s.state)).toEqual(['ready', 'missing']);
  });

  it('org down deletes stack instances, then the StackSet, then exactly those Tenable records, then the secret', async () => {
    const instances = [inst('111111111111', 'us-east-1')];
    const other = { id: 99, uuid: 'x', name: 'prod-333333333333-us-east-1-0-other', type: 'managed', status: 'on', linked: true, lastConnectMs: 0 };
    const { deps, calls } = fakeDeps(instances, () => [...records([['111111111111', 'us-east-1']], 2, 10), other]);
    await orgUp(deps, { targets: parseTargetList('ou-ab12-cdef3456'), regions: ['us-east-1'], orgId: 'o-abcdefghij', wait: false, timeoutMs: 0, intervalMs: 1000 });
    calls.length = 0;
    const r = await orgDown(deps, { scopeOus: [], keepShared: false, dryRun: false });
    expect(calls).toEqual(['deleteInstances', 'deleteStackSet', 'deleteScanner:10', 'deleteScanner:11', 'deleteSecret', 'deleteKey']);
    expect(r.tenableRecords.map((t) => t.id)).toEqual([10, 11]);
  });
});

describe('org-wide waiting', () => {
  it('uses one GET /scanners per tick for 200 expected scanners across 100 account/region stacks', async () => {
    const cells: Array<[string, string]> = Array.from({ length: 50 }, (_, i) => [String(100000000000 + i), i % 2 ? 'eu-west-1' : 'us-east-1']);
    const instances = cells.flatMap(([a]) => [inst(a, 'us-east-1'), inst(a, 'eu-west-1')]);
    const all = records(instances.map((i) => [i.account, i.region] as [string, string]), 2);
    let calls = 0;
    let clock = 0;
    const r = await waitForOrg({
      tenable: { listScanners: async () => (calls++, all.slice(0, Math.min(all.length, calls * 50))) },
      fleet: 'prod',
      perStack: 2,
      instances,
      until: 'ready',
      timeoutMs: 600_000,
      intervalMs: 1000,
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
      },
    });
    expect(r.settled).toBe(true);
    expect(r.cells.reduce((n, c) => n + c.expected, 0)).toBe(200);
    expect(calls).toBe(r.ticks);
    expect(r.ticks).toBe(4);
  });
});
