import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DescribeInstancesCommand, EC2Client, type Instance } from '@aws-sdk/client-ec2';
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  GetRoleCommand,
  IAMClient,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { buildIamPolicy, fleetPolicyTarget, policyActions, withAnyResource } from '../src/app/iam-policy.js';
import { resolveConfig } from '../src/config/resolve.js';
import type { PolicyDocument } from '../src/core/instance-role.js';
import { prepareMotoRegion, startMoto, type MotoServer } from '../src/sandbox/moto.js';
import { randomHexKey } from '../src/sandbox/sandbox.js';
import { startTenableSimulator, type TenableSimulator } from '../src/sandbox/tenable-simulator.js';
import { expectNoStackTrace, runCli, type CliResult } from './helpers/cli.js';

/**
 * The policy printed by `iam-policy -f` is enough to run the tool: a user holding exactly its actions
 * runs doctor, plan, up (until ready), status and down against moto with IAM enforcement on.
 *
 * moto 5.2.1 checks action names only: it matches a statement's Resource against `*` (so any scoped
 * ARN denies) and ignores conditions and iam:PassRole. The user therefore holds the same statements
 * and actions with Resource widened to `*`; the scoping is asserted by test/iam-policy.test.ts.
 */

const REGION = 'us-east-1';
let moto: MotoServer;
let sim: TenableSimulator;
let dir: string;
const tenable = { accessKey: randomHexKey(), secretKey: randomHexKey(), linkingKey: randomHexKey() };
let allowed: { id: string; secret: string };
let withoutRunInstances: { id: string; secret: string };

const admin = () => ({
  region: REGION,
  endpoint: moto.endpoint,
  credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
});
const as = (k: { id: string; secret: string }) => ({
  region: REGION,
  endpoint: moto.endpoint,
  credentials: { accessKeyId: k.id, secretAccessKey: k.secret },
  maxAttempts: 1,
});

function fleetFile(name: string): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(
    path,
    `version: 1\nfleet: ${name}\nregion: ${REGION}\nscanners: { count: 2 }\nwait: { until: ready, timeout: 90s, interval: 1s }\n`,
  );
  return path;
}

async function fleetPolicy(file: string): Promise<PolicyDocument> {
  const config = await resolveConfig({ file, flags: {}, env: {} });
  return buildIamPolicy(fleetPolicyTarget(config, { features: ['fleet'] })).document;
}

async function userWith(name: string, doc: PolicyDocument): Promise<{ id: string; secret: string }> {
  const iam = new IAMClient(admin());
  await iam.send(new CreateUserCommand({ UserName: name }));
  await iam.send(
    new PutUserPolicyCommand({ UserName: name, PolicyName: 'nessus-byol', PolicyDocument: JSON.stringify(doc) }),
  );
  const key = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
  return { id: key.AccessKey!.AccessKeyId!, secret: key.AccessKey!.SecretAccessKey! };
}

function cli(args: string[], key: { id: string; secret: string }): Promise<CliResult> {
  return runCli(args, {
    cwd: dir,
    timeoutMs: 240_000,
    env: {
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_ACCESS_KEY_ID: key.id,
      AWS_SECRET_ACCESS_KEY: key.secret,
      AWS_REGION: REGION,
      NESSUS_BYOL_TENABLE_API_URL: sim.url,
      TIO_ACCESS_KEY: tenable.accessKey,
      TIO_SECRET_KEY: tenable.secretKey,
    },
  });
}

async function fleetInstances(fleet: string, key: { id: string; secret: string }): Promise<Instance[]> {
  const out = await new EC2Client(as(key)).send(
    new DescribeInstancesCommand({ Filters: [{ Name: 'tag:nessus-byol:fleet', Values: [fleet] }] }),
  );
  return (out.Reservations ?? []).flatMap((r) => r.Instances ?? []);
}

/**
 * Stands in for the boot: the sandbox's boot watcher uses moto's dummy keys, which IAM enforcement
 * refuses, so this links each launched scanner the way its user-data would (the simulator's link
 * endpoint, with the linking key and the name the bootstrap gives it: `{fleet}-{instanceId}`).
 */
function startLinker(fleet: string, key: { id: string; secret: string }): () => void {
  const linked = new Set<string>();
  let stopped = false;
  void (async () => {
    while (!stopped) {
      for (const i of await fleetInstances(fleet, key).catch(() => [])) {
        const name = `${fleet}-${i.InstanceId}`;
        if (linked.has(i.InstanceId!) || i.State?.Name !== 'running') continue;
        linked.add(i.InstanceId!);
        await fetch(`${sim.url}/_sim/link`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            key: tenable.linkingKey,
            name,
            hostname: i.InstanceId,
            host: 'cloud.tenable.com',
            port: 443,
            cloud: true,
            awsScanner: false,
            argv: [],
          }),
        });
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  return () => {
    stopped = true;
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nessus-byol-iam-'));
  moto = await startMoto({ stateDir: join(dir, 'moto') });
  await prepareMotoRegion(moto.endpoint, REGION);
  sim = await startTenableSimulator({ ...tenable, pluginLoadDelayMs: 200 });
  const policy = await fleetPolicy(fleetFile('iam-e2e'));
  const widened = withAnyResource(policy);
  expect(policyActions(widened)).toEqual(policyActions(policy));
  allowed = await userWith('nessus-byol-operator', widened);
  withoutRunInstances = await userWith('nessus-byol-short', {
    ...widened,
    Statement: widened.Statement.map((s) => ({
      ...s,
      Action: (s.Action as string[]).filter((a) => a !== 'ec2:RunInstances'),
    })).filter((s) => s.Action.length > 0),
  });
  fleetFile('iam-short');
  // From here on moto refuses every call the caller's policies do not allow.
  const res = await fetch(`${moto.endpoint}/moto-api/reset-auth`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: '0',
  });
  expect(res.status).toBe(200);
}, 180_000);

afterAll(async () => {
  await sim?.stop();
  await moto?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('iam-policy under moto IAM enforcement', () => {
  it('enforcement is on: the dummy sandbox keys are refused', async () => {
    const r = await cli(['doctor', '--region', REGION, '--json'], { id: 'testing', secret: 'testing' });
    expect(r.code).toBe(5);
    const doc = JSON.parse(r.stdout) as { error: { checks: Array<{ id: string; status: string }> } };
    expect(doc.error.checks.find((c) => c.id === 'credentials')?.status).toBe('fail');
  });

  it('a user holding exactly the policy runs doctor, plan, up, status and down', async () => {
    const file = 'iam-e2e.yaml';
    const doctor = await cli(['doctor', '-f', file, '--json'], allowed);
    expect(doctor.code, doctor.stdout + doctor.stderr).toBe(0);

    const plan = await cli(['plan', '-f', file, '--json'], allowed);
    expect(plan.code, plan.stderr).toBe(0);

    const stopLinker = startLinker('iam-e2e', allowed);
    try {
      const up = await cli(['up', '-f', file, '--yes', '--json'], allowed);
      expectNoStackTrace(up.stderr);
      expect(up.code, up.stdout + up.stderr).toBe(0);
    } finally {
      stopLinker();
    }
    const running = (await fleetInstances('iam-e2e', allowed)).filter((i) => i.State?.Name === 'running');
    expect(running).toHaveLength(2);
    for (const i of running) expect(i.Tags?.find((t) => t.Key === 'nessus-byol:scanner-id')?.Value).toMatch(/^\d+$/);

    const status = await cli(['status', '-f', file, '--json'], allowed);
    expect(status.code, status.stdout + status.stderr).toBe(0);

    const down = await cli(['down', '-f', file, '--yes', '--json'], allowed);
    expectNoStackTrace(down.stderr);
    expect(down.code, down.stdout + down.stderr).toBe(0);
    const left = (await fleetInstances('iam-e2e', allowed)).filter((i) => i.State?.Name !== 'terminated');
    expect(left).toEqual([]);
    await expect(
      new IAMClient(as(allowed)).send(new GetRoleCommand({ RoleName: `nessus-byol-iam-e2e-${REGION}` })),
    ).rejects.toThrow(/not found|cannot be found|NoSuchEntity/i);
  }, 400_000);

  it('without ec2:RunInstances, up fails naming the action and pointing to iam-policy', async () => {
    const up = await cli(['up', '-f', 'iam-short.yaml', '--yes', '--no-wait'], withoutRunInstances);
    expectNoStackTrace(up.stderr);
    expect(up.code).toBe(1);
    expect(up.stderr).toContain('ec2:RunInstances');
    expect(up.stderr).toContain('nessus-byol iam-policy');
  }, 240_000);
});
