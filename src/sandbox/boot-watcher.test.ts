import { DescribeInstancesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { motoClientConfig } from './aws-env.js';
import { startBootWatcher, type BootWatcher } from './boot-watcher.js';
import { readSandboxConsole } from './console.js';
import { startImds, type ImdsStandIn } from './imds.js';
import { SANDBOX_AMIS, prepareMotoRegion, startMoto, type MotoServer } from './moto.js';
import { readStandInLog } from './stand-ins/index.js';
import { startTenableSimulator, type TenableSimulator } from './tenable-simulator.js';

const region = 'us-east-1';
const linkingKey = 'a1b2c3d4'.repeat(8);
let stateDir: string;
let moto: MotoServer;
let sim: TenableSimulator;
let imds: ImdsStandIn;
let watcher: BootWatcher;
let ec2: EC2Client;

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'nessus-byol-boot-'));
  moto = await startMoto({ stateDir });
  await prepareMotoRegion(moto.endpoint, region);
  sim = await startTenableSimulator({
    accessKey: 'a'.repeat(64),
    secretKey: 'b'.repeat(64),
    linkingKey,
    pluginLoadDelayMs: 0,
  });
  imds = await startImds();
  watcher = startBootWatcher({
    endpoint: moto.endpoint,
    regions: [region],
    simulatorUrl: sim.url,
    imds,
    stateDir,
    intervalMs: 150,
  });
  ec2 = new EC2Client(motoClientConfig(moto.endpoint, region));
  const ssm = new SSMClient(motoClientConfig(moto.endpoint, region));
  await ssm.send(new PutParameterCommand({ Name: '/nessus/linking-key', Type: 'SecureString', Value: linkingKey }));
  await ssm.send(new PutParameterCommand({ Name: '/nessus/wrong-key', Type: 'SecureString', Value: 'f'.repeat(64) }));
  ssm.destroy();
});

afterAll(async () => {
  await watcher?.stop();
  ec2?.destroy();
  await imds?.stop();
  await sim?.stop();
  await moto?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

/** A miniature of the rendered bootstrap: same variables, IMDSv2, SSM SecureString, nessuscli, phases. */
function bootstrapScript(parameter: string): string {
  return `#!/bin/bash
set -euo pipefail
NESSUSCLI="\${NESSUS_BYOL_NESSUSCLI:-/opt/nessus/sbin/nessuscli}"
IMDS_ENDPOINT="\${NESSUS_BYOL_IMDS_ENDPOINT:-http://169.254.169.254}"
LOG_FILE="\${NESSUS_BYOL_LOG_FILE:-/var/log/nessus-byol-bootstrap.log}"
phase() { echo "nessus-byol-bootstrap: $*" | tee -a "$LOG_FILE"; }
phase start
TOKEN="$(curl -sSf -X PUT "$IMDS_ENDPOINT/latest/api/token" -H 'X-aws-ec2-metadata-token-ttl-seconds: 300')"
INSTANCE_ID="$(curl -sSf -H "X-aws-ec2-metadata-token: $TOKEN" "$IMDS_ENDPOINT/latest/meta-data/instance-id")"
REGION="$(curl -sSf -H "X-aws-ec2-metadata-token: $TOKEN" "$IMDS_ENDPOINT/latest/meta-data/placement/region")"
KEY="$(aws ssm get-parameter --region "$REGION" --name '${parameter}' --with-decryption --query Parameter.Value --output text)"
phase key-fetched
service nessusd stop
if "$NESSUSCLI" managed link --key="$KEY" --name="sbx-$INSTANCE_ID" --cloud; then
  phase link-ok
else
  phase "link-failed nessuscli exit $?"
  exit 1
fi
service nessusd start
phase nessusd-started
`;
}

async function launch(imageId: string, userData: string): Promise<string> {
  const out = await ec2.send(
    new RunInstancesCommand({
      ImageId: imageId,
      InstanceType: 'm5.xlarge',
      MinCount: 1,
      MaxCount: 1,
      UserData: Buffer.from(userData).toString('base64'),
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'nessus-byol:managed', Value: 'true' }] }],
    }),
  );
  const id = out.Instances?.[0]?.InstanceId;
  if (!id) throw new Error('moto launched nothing');
  return id;
}

function bootOf(instanceId: string) {
  const found = watcher.boots.filter((b) => b.instanceId === instanceId);
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe('boot watcher', () => {
  it('runs the exact user-data script: IMDSv2, SSM through the real aws CLI, nessuscli links in the simulator', async () => {
    const id = await launch(SANDBOX_AMIS.byol, bootstrapScript('/nessus/linking-key'));
    await watcher.waitForIdle();
    const boot = bootOf(id);
    expect(boot.consoleLines.join('\n'), boot.consoleLines.join('\n')).toContain(
      'nessus-byol-bootstrap: nessusd-started',
    );
    expect(boot.exitCode).toBe(0);
    expect(boot.kind).toBe('script');
    expect(boot.consoleLines.filter((l) => l.startsWith('nessus-byol-bootstrap:'))).toEqual([
      'nessus-byol-bootstrap: start',
      'nessus-byol-bootstrap: key-fetched',
      'nessus-byol-bootstrap: link-ok',
      'nessus-byol-bootstrap: nessusd-started',
    ]);

    const calls = readStandInLog(join(stateDir, 'boot', id, 'nessuscli.jsonl'));
    expect(calls.map((c) => [c.tool, c.argv])).toEqual([
      ['service', ['nessusd', 'stop']],
      ['nessuscli', ['managed', 'link', `--key=${linkingKey}`, `--name=sbx-${id}`, '--cloud']],
      ['service', ['nessusd', 'start']],
    ]);

    expect(sim.state.scanners.some((s) => s.name === `sbx-${id}` && s.linked === 1)).toBe(true);
    expect(sim.state.linkCalls.at(-1)).toMatchObject({ name: `sbx-${id}`, cloud: true, outcome: 'linked' });

    expect(readSandboxConsole(stateDir, id)).toBe(`${boot.consoleLines.join('\n')}\n`);
    expect(readFileSync(join(stateDir, 'boot', id, 'bootstrap.log'), 'utf8')).toContain('link-ok');
    // The key reaches nessuscli's argv (as on a real scanner) but is never printed to the console.
    expect(readSandboxConsole(stateDir, id)).not.toContain(linkingKey);
  });

  it('reports a refused link on the console and in the exit code', async () => {
    const id = await launch(SANDBOX_AMIS.byol, bootstrapScript('/nessus/wrong-key'));
    await watcher.waitForIdle();
    const boot = bootOf(id);
    expect(boot.exitCode).toBe(1);
    expect(boot.consoleLines).toContain('[error] Failed to link: Invalid linking key');
    expect(boot.consoleLines).toContain('nessus-byol-bootstrap: link-failed nessuscli exit 1');
    expect(sim.state.linkCalls.at(-1)).toMatchObject({ name: `sbx-${id}`, outcome: 'bad-key' });
  });

  it('emulates the pre-authorized AMI first boot for JSON user-data', async () => {
    const name = 'preauth-scanner-1-x7k2';
    const userData = JSON.stringify({ name, key: linkingKey, iam_role: 'nessus-role', aws_scanner: true });
    const id = await launch(SANDBOX_AMIS.preauthorized, userData);
    await watcher.waitForIdle();
    const boot = bootOf(id);
    expect(boot.kind).toBe('json');
    expect(boot.exitCode).toBe(0);
    expect(boot.consoleLines).toContain('nessus-byol-bootstrap: link-ok');
    const calls = readStandInLog(join(stateDir, 'boot', id, 'nessuscli.jsonl'));
    expect(calls.map((c) => c.argv)).toEqual([
      ['managed', 'link', `--key=${linkingKey}`, `--name=${name}`, '--cloud', '--aws-scanner'],
    ]);
    expect(sim.state.scanners.some((s) => s.name === name && s.linked === 1)).toBe(true);
  });

  it('boots several instances at once, each exactly once', async () => {
    const out = await ec2.send(
      new RunInstancesCommand({
        ImageId: SANDBOX_AMIS.byol,
        InstanceType: 'm5.xlarge',
        MinCount: 3,
        MaxCount: 3,
        UserData: Buffer.from(bootstrapScript('/nessus/linking-key')).toString('base64'),
      }),
    );
    const ids = (out.Instances ?? []).map((i) => i.InstanceId ?? '');
    await watcher.waitForIdle();
    await watcher.waitForIdle();
    for (const id of ids) expect(bootOf(id).exitCode).toBe(0);
    const all = await ec2.send(new DescribeInstancesCommand({}));
    const running = (all.Reservations ?? []).flatMap((r) => r.Instances ?? []).length;
    expect(watcher.boots).toHaveLength(running);
    expect(existsSync(join(stateDir, 'console', `${ids[0]}.log`))).toBe(true);
  });
});
