import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  DescribeVolumesCommand,
  type Instance,
} from '@aws-sdk/client-ec2';
import { GetRoleCommand, ListAttachedRolePoliciesCommand, GetRolePolicyCommand } from '@aws-sdk/client-iam';
import { GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { readStandInLog } from '../src/sandbox/stand-ins/index.js';
import { expectNoStackTrace } from './helpers/cli.js';
import { jsonOf, startE2eSandbox, type E2eSandbox } from './helpers/sandbox-e2e.js';

let e2e: E2eSandbox;

beforeAll(async () => {
  e2e = await startE2eSandbox({ regions: ['us-east-1', 'us-gov-west-1', 'eu-west-1'] });
}, 120_000);

afterAll(async () => {
  await e2e?.stop();
});

async function fleetInstances(fleet: string, region = 'us-east-1', states = ['pending', 'running']): Promise<Instance[]> {
  const out = await e2e.ec2(region).send(
    new DescribeInstancesCommand({ Filters: [{ Name: 'tag:nessus-byol:fleet', Values: [fleet] }, { Name: 'instance-state-name', Values: states }] }),
  );
  return (out.Reservations ?? []).flatMap((r) => r.Instances ?? []);
}

async function userDataOf(id: string, region = 'us-east-1'): Promise<string> {
  const out = await e2e.ec2(region).send(new DescribeInstanceAttributeCommand({ InstanceId: id, Attribute: 'userData' }));
  return Buffer.from(out.UserData?.Value ?? '', 'base64').toString('utf8');
}

async function simConfig(body: Record<string, unknown>): Promise<void> {
  await fetch(`${e2e.sandbox.simulatorUrl}/_sim/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

function tagsOf(tags: Array<{ Key?: string; Value?: string }> | undefined): Record<string, string> {
  return Object.fromEntries((tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
}

function linkCalls(instanceId: string): string[][] {
  return readStandInLog(join(e2e.sandbox.stateDir, 'boot', instanceId, 'nessuscli.jsonl'))
    .filter((c) => c.argv[0] === 'managed' && c.argv[1] === 'link')
    .map((c) => c.argv);
}

/** The secure defaults every launched scanner must have, read back from moto. */
async function expectSecureInstance(i: Instance, fleet: string, region: string, opts: { keyInUserData: boolean }): Promise<void> {
  expect(i.MetadataOptions?.HttpTokens).toBe('required');
  expect(i.MetadataOptions?.HttpPutResponseHopLimit).toBe(1);
  const tags = tagsOf(i.Tags);
  expect(tags['nessus-byol:fleet']).toBe(fleet);
  expect(tags['nessus-byol:managed']).toBe('true');
  expect(tags.Name).toMatch(new RegExp(`^${fleet}-`));
  expect(tags['nessus-byol:scanner-id']).toMatch(/^\d+$/);
  const volumes = await e2e.ec2(region).send(new DescribeVolumesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [i.InstanceId!] }] }));
  expect(volumes.Volumes?.length).toBeGreaterThan(0);
  for (const v of volumes.Volumes ?? []) {
    expect(v.Encrypted).toBe(true);
    expect(tagsOf(v.Tags)['nessus-byol:fleet']).toBe(fleet);
  }
  const userData = await userDataOf(i.InstanceId!, region);
  const key = e2e.sandbox.tenable.linkingKey;
  if (opts.keyInUserData) expect(userData).toContain(key);
  else expect(userData).not.toContain(key);
}

async function expectSecurityGroup(fleet: string, region: string): Promise<void> {
  const out = await e2e.ec2(region).send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'tag:nessus-byol:fleet', Values: [fleet] }] }));
  expect(out.SecurityGroups).toHaveLength(1);
  const sg = out.SecurityGroups![0]!;
  for (const p of sg.IpPermissions ?? []) {
    expect(p.IpRanges?.map((r) => r.CidrIp)).not.toContain('0.0.0.0/0');
    expect(p.Ipv6Ranges?.map((r) => r.CidrIpv6) ?? []).not.toContain('::/0');
  }
  expect(sg.IpPermissionsEgress?.map((p) => p.FromPort)).toEqual([443]);
}

describe('up against the sandbox (moto + Tenable simulator + real user-data boot)', () => {
  it('cloud: key from an existing SSM parameter, 2 scanners, group joined, secure defaults', async () => {
    const stored = await e2e.cli(['linking-key', '--store', 'ssm:/nessus/linking-key', '--region', 'us-east-1']);
    expect(stored.code, stored.stderr).toBe(0);
    const file = e2e.fleetFrom('cloud.yaml');
    const since = e2e.sandbox.simulator.requests.length;
    const r = await e2e.cli(['up', '-f', file, '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expectNoStackTrace(r.stderr);
    const doc = jsonOf(r) as { ok: boolean; scanners: Array<{ instanceId: string; phase: string; scannerId: number; name: string }> };
    expect(doc.ok).toBe(true);
    expect(doc.scanners).toHaveLength(2);
    expect(doc.scanners.every((s) => s.phase === 'ready')).toBe(true);

    const instances = await fleetInstances('prod-scanners');
    expect(instances).toHaveLength(2);
    for (const i of instances) {
      await expectSecureInstance(i, 'prod-scanners', 'us-east-1', { keyInUserData: false });
      const calls = linkCalls(i.InstanceId!);
      expect(calls).toHaveLength(1);
      expect(calls[0]).toEqual(['managed', 'link', `--key=${e2e.sandbox.tenable.linkingKey}`, `--name=prod-scanners-${i.InstanceId}`, '--cloud']);
    }
    await expectSecurityGroup('prod-scanners', 'us-east-1');
    const sgIngress = await e2e.ec2().send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'tag:nessus-byol:fleet', Values: ['prod-scanners'] }] }));
    expect(sgIngress.SecurityGroups![0]!.IpPermissions?.flatMap((p) => p.IpRanges?.map((x) => `${p.FromPort} ${x.CidrIp}`) ?? [])).toEqual(['8834 203.0.113.0/24']);

    const role = await e2e.iam().send(new GetRoleCommand({ RoleName: 'nessus-byol-prod-scanners-us-east-1' }));
    expect(tagsOf(role.Role?.Tags)['nessus-byol:fleet']).toBe('prod-scanners');
    const policy = await e2e.iam().send(new GetRolePolicyCommand({ RoleName: 'nessus-byol-prod-scanners-us-east-1', PolicyName: 'nessus-byol-boot-secrets' }));
    const statements = JSON.parse(decodeURIComponent(policy.PolicyDocument!)).Statement as Array<{ Action: string; Resource: string[] }>;
    expect(statements).toEqual([expect.objectContaining({ Action: 'ssm:GetParameter', Resource: ['arn:aws:ssm:us-east-1:123456789012:parameter/nessus/linking-key'] })]);

    // Polling: one GET /scanners per tick for the whole fleet, never one call per scanner.
    const requests = e2e.sandbox.simulator.requests.slice(since);
    const lists = requests.filter((q) => q.method === 'GET' && q.path === '/scanners');
    expect(requests.filter((q) => q.method === 'GET' && /^\/scanners\/\d+$/.test(q.path))).toHaveLength(0);
    // From the first gap on: the pre-launch listing counts as tick 1, so tick 2 comes one interval after it.
    for (let k = 1; k < lists.length; k++) expect(lists[k]!.time - lists[k - 1]!.time).toBeGreaterThanOrEqual(700);

    // The group was created once and both scanners joined it.
    const groups = requests.filter((q) => q.method === 'POST' && /^\/scanner-groups\/\d+\/scanners\/\d+$/.test(q.path));
    expect(groups).toHaveLength(2);
  });

  it('a re-run of up creates nothing new and reports what it kept', async () => {
    const file = e2e.fleetFrom('cloud.yaml');
    const before = (await fleetInstances('prod-scanners')).map((i) => i.InstanceId).sort();
    const calls = e2e.proxy.calls.length;
    const r = await e2e.cli(['up', '-f', file, '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = jsonOf(r) as { created: unknown[]; kept: string[]; scanners: Array<{ isNew: boolean; phase: string }> };
    expect(doc.created).toEqual([]);
    expect(doc.kept.join(' ')).toMatch(/security group sg-/);
    expect(doc.scanners.every((s) => !s.isNew && s.phase === 'ready')).toBe(true);
    expect((await fleetInstances('prod-scanners')).map((i) => i.InstanceId).sort()).toEqual(before);
    const mutating = e2e.proxy.calls.slice(calls).filter((c) => /^(Run|Create|Put|Authorize|Import|Attach|Add)/.test(c.action) && c.action !== 'PutParameter' && c.action !== 'CreateTags');
    expect(mutating).toEqual([]);
  });

  it('FedRAMP (GovCloud): key from Secrets Manager, --host=fedcloud.tenable.com --port=443, aws-us-gov ARNs', async () => {
    const sm = new SecretsManagerClient({ region: 'us-gov-west-1', endpoint: e2e.sandbox.motoEndpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    await sm.send(new CreateSecretCommand({ Name: 'nessus/linking-key', SecretString: e2e.sandbox.tenable.linkingKey }));
    const file = e2e.fleetFrom('fedramp.yaml');
    const r = await e2e.cli(['up', '-f', file, '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const [i] = await fleetInstances('gov-scanners', 'us-gov-west-1');
    expect(i).toBeDefined();
    await expectSecureInstance(i!, 'gov-scanners', 'us-gov-west-1', { keyInUserData: false });
    expect(linkCalls(i!.InstanceId!)[0]).toEqual(['managed', 'link', `--key=${e2e.sandbox.tenable.linkingKey}`, `--name=gov-scanners-${i!.InstanceId}`, '--host=fedcloud.tenable.com', '--port=443']);
    const policy = await e2e.iam('us-gov-west-1').send(new GetRolePolicyCommand({ RoleName: 'nessus-byol-gov-scanners-us-gov-west-1', PolicyName: 'nessus-byol-boot-secrets' }));
    expect(decodeURIComponent(policy.PolicyDocument!)).toContain('arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:nessus/linking-key-??????');
  });

  it('cloud + awsScanner: key from the Tenable API into a fleet-owned SecureString, --aws-scanner, EC2 read-only role', async () => {
    const file = e2e.fleetFrom('cloud-aws-scanner.yaml');
    const r = await e2e.cli(['up', '-f', file, '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const instances = await fleetInstances('aws-scanners', 'eu-west-1');
    expect(instances).toHaveLength(2);
    for (const i of instances) {
      await expectSecureInstance(i, 'aws-scanners', 'eu-west-1', { keyInUserData: false });
      expect(linkCalls(i.InstanceId!)[0]).toEqual(['managed', 'link', `--key=${e2e.sandbox.tenable.linkingKey}`, `--name=aws-scanners-${i.InstanceId}`, '--cloud', '--aws-scanner']);
    }
    const param = await e2e.ssm('eu-west-1').send(new GetParameterCommand({ Name: '/nessus-byol/aws-scanners/linking-key', WithDecryption: true }));
    expect(param.Parameter?.Type).toBe('SecureString');
    expect(param.Parameter?.Value).toBe(e2e.sandbox.tenable.linkingKey);
    const attached = await e2e.iam().send(new ListAttachedRolePoliciesCommand({ RoleName: 'nessus-byol-aws-scanners-eu-west-1' }));
    expect(attached.AttachedPolicies?.map((p) => p.PolicyArn)).toEqual(['arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess']);
    expect(r.stdout + r.stderr).not.toContain(e2e.sandbox.tenable.linkingKey);
  });

  it('pre-authorized JSON: the key is embedded (opt-in, warned), names per instance, linked by the AMI at first boot', async () => {
    const file = e2e.fleetFrom('preauthorized-json.yaml');
    const r = await e2e.cli(['up', '-f', file, '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/embedded in user-data/);
    expect(r.stdout + r.stderr).not.toContain(e2e.sandbox.tenable.linkingKey);
    const instances = await fleetInstances('preauth-scanners');
    expect(instances).toHaveLength(2);
    const names = new Set<string>();
    for (const i of instances) {
      await expectSecureInstance(i, 'preauth-scanners', 'us-east-1', { keyInUserData: true });
      const json = JSON.parse(await userDataOf(i.InstanceId!)) as { name: string; key: string; iam_role: string; aws_scanner: boolean };
      expect(json).toMatchObject({ key: e2e.sandbox.tenable.linkingKey, iam_role: 'nessus-byol-preauth-scanners-us-east-1', aws_scanner: true });
      expect(json.name).toMatch(/^preauth-scanners-[01]-[0-9a-f]{4}$/);
      names.add(json.name);
      expect(tagsOf(i.Tags).Name).toBe(json.name);
    }
    expect(names.size).toBe(2);
  });

  it('a refused link fails fast with the bootstrap line and the exact ssh logs command (instances kept)', async () => {
    await simConfig({ refuseLinking: true });
    try {
      const file = e2e.fleetFrom('minimal.yaml', (doc) => doc.setIn(['fleet'], 'refused'));
      const r = await e2e.cli(['up', '-f', file, '--yes', '--json']);
      expect(r.code).toBe(1);
      expectNoStackTrace(r.stderr);
      const [i] = await fleetInstances('refused');
      expect(r.stderr).toMatch(/failed to link/);
      expect(r.stderr).toMatch(/link-failed/);
      expect(r.stderr).toContain(`logs: nessus-byol ssh refused-${i!.InstanceId} logs -f ${file}`);
      expect(jsonOf(r)).toMatchObject({ ok: false, error: { code: 'LINK_FAILED' } });
    } finally {
      await simConfig({ refuseLinking: false });
    }
  });

  it('linked but never ready exits 4 with the diagnosis; a timeout keeps the instances unless --rollback-on-timeout', async () => {
    await simConfig({ neverLoadPlugins: true });
    try {
      const file = e2e.fleetFrom('minimal.yaml', (doc) => {
        doc.setIn(['fleet'], 'notready');
        doc.setIn(['wait'], doc.createNode({ until: 'ready', timeout: '6s', interval: '1s' }));
      });
      const r = await e2e.cli(['up', '-f', file, '--yes', '--json']);
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(/linked but did not become ready/);
      expect(r.stderr).toMatch(/plugins not loaded/);
      expect(await fleetInstances('notready')).toHaveLength(1);
      const rolled = await e2e.cli(['up', '-f', e2e.fleetFrom('minimal.yaml', (doc) => {
        doc.setIn(['fleet'], 'rolledback');
        doc.setIn(['wait'], doc.createNode({ until: 'ready', timeout: '6s', interval: '1s' }));
      }), '--yes', '--rollback-on-timeout']);
      expect(rolled.code).toBe(4);
      expect(await fleetInstances('rolledback')).toHaveLength(0);
    } finally {
      await simConfig({ neverLoadPlugins: false });
    }
  });

  it('a failure midway (second RunInstances refused) removes everything this run created', async () => {
    e2e.proxy.setRules([{ action: 'RunInstances', from: 2, times: 1, error: { status: 400, code: 'InvalidParameterValue', message: 'injected failure' } }]);
    const file = e2e.fleetFrom('minimal.yaml', (doc) => {
      doc.setIn(['fleet'], 'midway');
      doc.setIn(['scanners'], doc.createNode({ count: 3 }));
    });
    const r = await e2e.cli(['up', '-f', file, '--yes', '--json']);
    e2e.proxy.setRules([]);
    expect(r.code).toBe(1);
    expectNoStackTrace(r.stderr);
    expect(jsonOf(r)).toMatchObject({ ok: false, error: { code: 'AWS_INVALIDPARAMETERVALUE' } });
    expect(r.stderr).toMatch(/removed instances/);
    expect(await fleetInstances('midway')).toHaveLength(0);
    const sgs = await e2e.ec2().send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'tag:nessus-byol:fleet', Values: ['midway'] }] }));
    expect(sgs.SecurityGroups).toHaveLength(0);
    await expect(e2e.iam().send(new GetRoleCommand({ RoleName: 'nessus-byol-midway-us-east-1' }))).rejects.toThrow();
    await expect(e2e.ssm().send(new GetParameterCommand({ Name: '/nessus-byol/midway/linking-key' }))).rejects.toThrow();
    await expect(e2e.ssm().send(new GetParameterCommand({ Name: '/nessus-byol/midway/lock' }))).rejects.toThrow();
  });

  it('a second run while the fleet lock is held refuses with a clear message', async () => {
    await e2e.ssm().send(
      new PutParameterCommand({
        Name: '/nessus-byol/locked/lock',
        Type: 'String',
        Value: JSON.stringify({ owner: 'ci@runner (pid 1)', runId: 'x', command: 'rebuild', acquiredAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 3_600_000).toISOString() }),
      }),
    );
    const file = e2e.fleetFrom('minimal.yaml', (doc) => doc.setIn(['fleet'], 'locked'));
    const r = await e2e.cli(['up', '-f', file, '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/locked by another run: rebuild by ci@runner/);
    expect(r.stderr).toMatch(/--force-unlock/);
    expect(await fleetInstances('locked')).toHaveLength(0);
  });

  it('without a TTY and without --yes, up refuses before touching anything (exit 2)', async () => {
    const file = e2e.fleetFrom('minimal.yaml', (doc) => doc.setIn(['fleet'], 'no-tty'));
    const calls = e2e.proxy.calls.length;
    const r = await e2e.cli(['up', '-f', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--yes/);
    expect(e2e.proxy.calls.length).toBe(calls);
  });

  it('missing Tenable keys are a usage error naming the variables, before anything is created', async () => {
    const file = e2e.fleetFrom('minimal.yaml', (doc) => doc.setIn(['fleet'], 'no-keys'));
    const calls = e2e.proxy.calls.length;
    const r = await e2e.cli(['up', '-f', file, '--yes'], { TIO_ACCESS_KEY: undefined, TIO_SECRET_KEY: undefined });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/TIO_ACCESS_KEY and TIO_SECRET_KEY are not set/);
    expect(e2e.proxy.calls.length).toBe(calls);
  });
});
