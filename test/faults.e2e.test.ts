import { spawn } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DescribeInstancesCommand, DescribeSecurityGroupsCommand, type Instance } from '@aws-sdk/client-ec2';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { SANDBOX_AMIS } from '../src/sandbox/moto-amis.js';
import { BIN, cliEnv, expectNoStackTrace } from './helpers/cli.js';
import { jsonOf, startE2eSandbox, type E2eSandbox } from './helpers/sandbox-e2e.js';

/**
 * `up` under what AWS and Tenable really do: throttling, 5xx, capacity errors, IAM propagation,
 * connection resets, Tenable 429/5xx/drops, Ctrl-C and a killed process. Each run must end with the
 * fleet converged (or nothing left) and no duplicate scanners.
 */
let e2e: E2eSandbox;

beforeAll(async () => {
  e2e = await startE2eSandbox();
}, 120_000);

afterAll(async () => {
  await e2e?.stop();
});

afterEach(() => {
  e2e.proxy.setRules([]);
  e2e.sandbox.simulator.setFaults([]);
});

async function instancesOf(fleet: string, states = ['pending', 'running']): Promise<Instance[]> {
  const out = await e2e.ec2().send(
    new DescribeInstancesCommand({ Filters: [{ Name: 'tag:nessus-byol:fleet', Values: [fleet] }, { Name: 'instance-state-name', Values: states }] }),
  );
  return (out.Reservations ?? []).flatMap((r) => r.Instances ?? []);
}

function fleetFile(fleet: string, extra: Record<string, unknown> = {}): string {
  return e2e.fleetFrom('minimal.yaml', (doc) => {
    doc.setIn(['fleet'], fleet);
    for (const [k, v] of Object.entries(extra)) doc.setIn([k], doc.createNode(v));
  });
}

/** Linked TVM records named after this fleet's instances: exactly one per instance, no duplicates. */
async function expectOneRecordPerInstance(fleet: string): Promise<void> {
  const ids = (await instancesOf(fleet)).map((i) => i.InstanceId!);
  const res = await fetch(`${e2e.sandbox.simulatorUrl}/scanners`, {
    headers: { 'X-ApiKeys': `accessKey=${e2e.sandbox.tenable.accessKey}; secretKey=${e2e.sandbox.tenable.secretKey}` },
  });
  const names = ((await res.json()) as { scanners: Array<{ name: string }> }).scanners.map((s) => s.name).filter((n) => n.startsWith(`${fleet}-`));
  expect(names.sort()).toEqual(ids.map((id) => `${fleet}-${id}`).sort());
}

async function expectNothingLeft(fleet: string): Promise<void> {
  expect(await instancesOf(fleet, ['pending', 'running', 'stopping', 'stopped'])).toHaveLength(0);
  const sgs = await e2e.ec2().send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'tag:nessus-byol:fleet', Values: [fleet] }] }));
  expect(sgs.SecurityGroups).toHaveLength(0);
  await expect(e2e.iam().send(new GetRoleCommand({ RoleName: `nessus-byol-${fleet}-us-east-1` }))).rejects.toThrow(/cannot be found|not found/i);
  await expect(e2e.ssm().send(new GetParameterCommand({ Name: `/nessus-byol/${fleet}/linking-key` }))).rejects.toThrow();
  await expect(e2e.ssm().send(new GetParameterCommand({ Name: `/nessus-byol/${fleet}/lock` }))).rejects.toThrow();
}

describe('up survives AWS faults', () => {
  it('EC2 RequestLimitExceeded bursts, HTTP 500/503 and a connection reset are retried', async () => {
    e2e.proxy.setRules([
      { action: 'DescribeSubnets', times: 1, drop: true },
      { action: 'DescribeImages', times: 3, error: { status: 503, code: 'RequestLimitExceeded', message: 'Request limit exceeded.' } },
      { action: 'CreateSecurityGroup', times: 1, error: { status: 500, code: 'InternalError', message: 'An internal error has occurred' } },
      { action: 'RunInstances', times: 2, error: { status: 503, code: 'Unavailable', message: 'The server is overloaded' } },
      { action: 'PutParameter', times: 1, error: { status: 400, code: 'ThrottlingException', message: 'Rate exceeded' } },
    ]);
    const r = await e2e.cli(['up', '-f', fleetFile('throttled', { scanners: { count: 2 } }), '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const injected = e2e.proxy.calls.filter((c) => c.injected);
    expect(injected.map((c) => c.injected)).toEqual(expect.arrayContaining(['drop', 'RequestLimitExceeded', 'InternalError', 'Unavailable', 'ThrottlingException']));
    expect(await instancesOf('throttled')).toHaveLength(2);
    await expectOneRecordPerInstance('throttled');
  });

  it('InsufficientInstanceCapacity falls back to the next instance type the config allows', async () => {
    // EC2 answers capacity errors with HTTP 500, which the SDK's standard mode retries first (6 attempts).
    e2e.proxy.setRules([{ action: 'RunInstances', times: 6, error: { status: 500, code: 'InsufficientInstanceCapacity', message: 'We currently do not have sufficient m5.xlarge capacity.' } }]);
    const file = fleetFile('capacity', { scanners: { count: 1, instanceType: ['m5.xlarge', 'm6i.xlarge'], subnetIds: undefined } });
    const r = await e2e.cli(['up', '-f', file, '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const [i] = await instancesOf('capacity');
    expect(i?.InstanceType).toBe('m6i.xlarge');
    expect(jsonOf(r)).toMatchObject({ scanners: [{ instanceType: 'm6i.xlarge', phase: 'ready' }] });
  });

  it('no capacity anywhere fails cleanly (exit 1, hint) and leaves nothing behind', async () => {
    e2e.proxy.setRules([{ action: 'RunInstances', times: Infinity, error: { status: 500, code: 'InsufficientInstanceCapacity', message: 'no capacity' } }]);
    const r = await e2e.cli(['up', '-f', fleetFile('nocapacity', { scanners: { count: 1, instanceType: ['m5.xlarge', 'm6i.xlarge'] } }), '--yes']);
    expect(r.code).toBe(1);
    expectNoStackTrace(r.stderr);
    expect(r.stderr).toMatch(/No capacity for 1 scanner/);
    expect(r.stderr).toMatch(/hint: add instance types/);
    await expectNothingLeft('nocapacity');
  });

  it('IAM propagation ("Invalid IAM Instance Profile") on RunInstances is waited out', async () => {
    e2e.proxy.setRules([
      { action: 'RunInstances', times: 2, error: { status: 400, code: 'InvalidParameterValue', message: 'Value (nessus-byol-iamwait-us-east-1) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name' } },
    ]);
    const r = await e2e.cli(['up', '-f', fleetFile('iamwait'), '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/IAM propagation/);
    expect(await instancesOf('iamwait')).toHaveLength(1);
  });
});

describe('up survives Tenable faults', () => {
  it('429 with retry-after and an HTML body, 5xx and dropped connections while waiting', async () => {
    e2e.sandbox.simulator.setFaults([
      { method: 'GET', pathPrefix: '/scanners', status: 429, retryAfter: 1, times: 2 },
      { method: 'GET', pathPrefix: '/scanners', status: 503, times: 1 },
      { method: 'GET', pathPrefix: '/scanners', action: 'drop', times: 1 },
      { method: 'GET', pathPrefix: '/scanners', status: 502, times: 1 },
    ]);
    const r = await e2e.cli(['up', '-f', fleetFile('tvmfaults', { scanners: { count: 2 } }), '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expectNoStackTrace(r.stderr);
    expect(r.stderr).not.toMatch(/<html>/i);
    expect(jsonOf(r)).toMatchObject({ ok: true });
    await expectOneRecordPerInstance('tvmfaults');
  });

  it('a key without permission (403 Insufficient scope) names the missing permission and creates nothing', async () => {
    await fetch(`${e2e.sandbox.simulatorUrl}/_sim/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ permissions: { deny: ['linking-key'] } }) });
    try {
      const r = await e2e.cli(['up', '-f', fleetFile('noscope'), '--yes']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/Insufficient scope/);
      expect(r.stderr).toMatch(/Scan Manager/);
      await expectNothingLeft('noscope');
    } finally {
      await fetch(`${e2e.sandbox.simulatorUrl}/_sim/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ permissions: { deny: [] } }) });
    }
  });
});

describe('wait, down and rebuild survive faults too', () => {
  it('wait: Tenable 429 (HTML body), 503 and a dropped connection', async () => {
    const file = fleetFile('waitfaults', { scanners: { count: 2 } });
    const launched = await e2e.cli(['up', '-f', file, '--yes', '--no-wait']);
    expect(launched.code, launched.stderr).toBe(0);
    e2e.sandbox.simulator.setFaults([
      { method: 'GET', pathPrefix: '/scanners', status: 429, retryAfter: 1, times: 2 },
      { method: 'GET', pathPrefix: '/scanners', status: 503, times: 1 },
      { method: 'GET', pathPrefix: '/scanners', action: 'drop', times: 1 },
    ]);
    const r = await e2e.cli(['wait', '-f', file, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expectNoStackTrace(r.stderr);
    await expectOneRecordPerInstance('waitfaults');
  });

  it('down: EC2 throttling and 5xx, a connection reset, Tenable 503 on DELETE — nothing left, no record left', async () => {
    const file = fleetFile('downfaults', { scanners: { count: 2 } });
    const created = await e2e.cli(['up', '-f', file, '--yes']);
    expect(created.code, created.stderr).toBe(0);
    e2e.proxy.setRules([
      { action: 'TerminateInstances', times: 2, error: { status: 503, code: 'RequestLimitExceeded', message: 'Request limit exceeded.' } },
      { action: 'DescribeInstances', times: 1, drop: true },
      { action: 'DeleteSecurityGroup', times: 1, error: { status: 500, code: 'InternalError', message: 'An internal error has occurred' } },
    ]);
    e2e.sandbox.simulator.setFaults([{ method: 'DELETE', pathPrefix: '/scanners', status: 503, times: 1 }]);
    const r = await e2e.cli(['down', '-f', file, '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expectNoStackTrace(r.stderr);
    await expectNothingLeft('downfaults');
    await expectOneRecordPerInstance('downfaults');
  });

  it('rebuild: throttled RunInstances and Tenable 429 — exactly the new scanners, one record each', async () => {
    const file = fleetFile('rebuildfaults', { scanners: { count: 2 }, ami: { id: SANDBOX_AMIS.byol } });
    const created = await e2e.cli(['up', '-f', file, '--yes']);
    expect(created.code, created.stderr).toBe(0);
    const newer = fleetFile('rebuildfaults', { scanners: { count: 2 }, ami: { id: SANDBOX_AMIS.byolNewer } });
    e2e.proxy.setRules([{ action: 'RunInstances', times: 2, error: { status: 503, code: 'RequestLimitExceeded', message: 'Request limit exceeded.' } }]);
    e2e.sandbox.simulator.setFaults([{ method: 'GET', pathPrefix: '/scanners', status: 429, retryAfter: 1, times: 2 }]);
    const r = await e2e.cli(['rebuild', '-f', newer, '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const instances = await instancesOf('rebuildfaults');
    expect(instances).toHaveLength(2);
    expect(instances.every((i) => i.ImageId === SANDBOX_AMIS.byolNewer)).toBe(true);
    await expectOneRecordPerInstance('rebuildfaults');
  });
});

/** Starts the real CLI and resolves once stderr matches, so a signal lands mid-run. */
function startUp(file: string, until: RegExp): Promise<{ child: ReturnType<typeof spawn>; output: () => string; exit: Promise<number | null> }> {
  const child = spawn(process.execPath, [BIN, 'up', '-f', file, '--yes'], { env: cliEnv(e2e.env), cwd: e2e.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : null))));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`never saw ${until}:\n${text}`)), 60_000);
    const onData = (d: Buffer) => {
      text += d.toString();
      if (until.test(text)) {
        clearTimeout(timer);
        resolve({ child, output: () => text, exit });
      }
    };
    child.stderr!.on('data', onData);
    child.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  });
}

describe('interruptions', () => {
  it('SIGINT mid-up exits 130 and leaves nothing behind (instances, records, shared resources, lock)', async () => {
    // Linking never completes, so the run is surely still waiting when the signal arrives.
    await fetch(`${e2e.sandbox.simulatorUrl}/_sim/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ neverLoadPlugins: true }) });
    try {
      // Signal once both scanners have linked (plugins never load, so the wait goes on): a link still in
      // flight at that moment could land after the rollback has looked, because moto terminates at once
      // while the sandbox's boots end a poll later (a real instance runs nothing once terminated).
      const run = await startUp(fleetFile('sigint', { scanners: { count: 2 } }), /scanner sigint-i-[0-9a-f]+ .*: linked[\s\S]*scanner sigint-i-[0-9a-f]+ .*: linked/);
      run.child.kill('SIGINT');
      const code = await run.exit;
      expect(code, run.output()).toBe(130);
      expect(run.output()).toMatch(/Interrupted/);
      expectNoStackTrace(run.output());
      await expectNothingLeft('sigint');
      await expectOneRecordPerInstance('sigint');
    } finally {
      await fetch(`${e2e.sandbox.simulatorUrl}/_sim/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ neverLoadPlugins: false }) });
    }
  });

  it('a killed process (SIGKILL) followed by a re-run converges with no duplicate scanners', { timeout: 180_000 }, async () => {
    const file = fleetFile('killed', { scanners: { count: 2 } });
    // The second RunInstances is held back (and never reaches moto), so the kill lands mid-run
    // with one scanner launched and one still to create.
    e2e.proxy.setRules([{ action: 'RunInstances', from: 2, times: 1, delayMs: 3000, drop: true }]);
    const run = await startUp(file, /scanner killed-i-[0-9a-f]+ .*: launched/);
    run.child.kill('SIGKILL');
    await run.exit;
    e2e.proxy.setRules([]);
    // The killed run's lock is still there: a plain re-run refuses, --force-unlock takes over.
    const refused = await e2e.cli(['up', '-f', file, '--yes']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/locked by another run/);
    const r = await e2e.cli(['up', '-f', file, '--yes', '--json', '--force-unlock']);
    expect(r.code, r.stderr).toBe(0);
    const instances = await instancesOf('killed');
    expect(instances).toHaveLength(2);
    expect(jsonOf(r)).toMatchObject({ ok: true });
    await expectOneRecordPerInstance('killed');
    // A second re-run has nothing left to do.
    const again = await e2e.cli(['up', '-f', file, '--yes', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(jsonOf(again)).toMatchObject({ created: [] });
    expect(await instancesOf('killed')).toHaveLength(instances.length);
  });
});
