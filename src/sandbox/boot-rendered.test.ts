import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderBootstrapScript, renderPreauthorizedJson, renderStandaloneScript } from '../bootstrap/index.js';
import { Secret } from '../core/secret.js';
import { motoClientConfig } from './aws-env.js';
import { startBootWatcher, type BootWatcher } from './boot-watcher.js';
import { startImds, type ImdsStandIn } from './imds.js';
import { SANDBOX_AMIS, prepareMotoRegion, startMoto, type MotoServer } from './moto.js';
import { readStandInLog } from './stand-ins/index.js';
import { startTenableSimulator, type TenableSimulator } from './tenable-simulator.js';

/** The user-data the tool really renders (src/bootstrap), booted by the sandbox end to end. */
const region = 'us-east-1';
const linkingKey = '0123456789abcdef'.repeat(4);
let stateDir: string;
let moto: MotoServer;
let sim: TenableSimulator;
let imds: ImdsStandIn;
let watcher: BootWatcher;
let ec2: EC2Client;

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'nessus-byol-rendered-'));
  moto = await startMoto({ stateDir });
  await prepareMotoRegion(moto.endpoint, region);
  sim = await startTenableSimulator({ accessKey: 'c'.repeat(64), secretKey: 'd'.repeat(64), linkingKey });
  imds = await startImds();
  watcher = startBootWatcher({ endpoint: moto.endpoint, regions: [region], simulatorUrl: sim.url, imds, stateDir });
  ec2 = new EC2Client(motoClientConfig(moto.endpoint, region));
  const ssm = new SSMClient(motoClientConfig(moto.endpoint, region));
  await ssm.send(new PutParameterCommand({ Name: '/nessus/linking-key', Type: 'SecureString', Value: linkingKey }));
  await ssm.send(
    new PutParameterCommand({ Name: '/nessus/activation-code', Type: 'SecureString', Value: 'ABCD-EFGH-IJKL-MNOP' }),
  );
  ssm.destroy();
  const sm = new SecretsManagerClient(motoClientConfig(moto.endpoint, region));
  await sm.send(new CreateSecretCommand({ Name: 'nessus/linking-key', SecretString: linkingKey }));
  sm.destroy();
});

afterAll(async () => {
  await watcher?.stop();
  ec2?.destroy();
  await imds?.stop();
  await sim?.stop();
  await moto?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

async function boot(imageId: string, userData: string) {
  const out = await ec2.send(
    new RunInstancesCommand({
      ImageId: imageId,
      MinCount: 1,
      MaxCount: 1,
      UserData: Buffer.from(userData).toString('base64'),
    }),
  );
  const id = out.Instances?.[0]?.InstanceId ?? '';
  await watcher.waitForIdle();
  const record = watcher.boots.find((b) => b.instanceId === id);
  if (!record) throw new Error(`instance ${id} was not booted`);
  const phases = record.consoleLines.filter((l) => l.startsWith('nessus-byol-bootstrap:'));
  const calls = readStandInLog(join(stateDir, 'boot', id, 'nessuscli.jsonl'));
  return { id, record, phases, calls };
}

const base = { fleet: 'sbx', region, nameTemplate: '{fleet}-{instanceId}', osUpdate: false, toolVersion: '0.0.0-test' };

describe('rendered user-data in the sandbox', () => {
  it('bootstrap, key from SSM, cloud, aws-scanner, OS update', async () => {
    const script = renderBootstrapScript({
      ...base,
      target: { kind: 'cloud' },
      awsScanner: true,
      osUpdate: true,
      key: { kind: 'ssm', parameter: '/nessus/linking-key', region },
    });
    const { id, record, phases, calls } = await boot(SANDBOX_AMIS.byol, script);
    expect(record.exitCode, record.consoleLines.join('\n')).toBe(0);
    expect(phases.map((p) => p.split(' ')[1])).toEqual(['start', 'os-update', 'key-fetched', 'link-ok', 'nessusd-started']);
    expect(calls.find((c) => c.tool === 'yum')?.argv).toEqual(['update', '-y']);
    const link = calls.find((c) => c.tool === 'nessuscli');
    expect(link?.argv).toEqual([
      'managed',
      'link',
      `--key=${linkingKey}`,
      `--name=sbx-${id}`,
      '--cloud',
      '--aws-scanner',
    ]);
    expect(sim.state.scanners.some((s) => s.name === `sbx-${id}` && s.linked === 1)).toBe(true);
    expect(record.consoleLines.join('\n')).not.toContain(linkingKey);
  });

  it('bootstrap, key from Secrets Manager, custom host', async () => {
    const script = renderBootstrapScript({
      ...base,
      target: { kind: 'custom', host: 'tvm.example.com', port: 8443 },
      awsScanner: false,
      key: { kind: 'secretsmanager', secretId: 'nessus/linking-key', region },
    });
    const { id, record, calls } = await boot(SANDBOX_AMIS.byol, script);
    expect(record.exitCode, record.consoleLines.join('\n')).toBe(0);
    expect(calls.find((c) => c.tool === 'nessuscli')?.argv).toEqual([
      'managed',
      'link',
      `--key=${linkingKey}`,
      `--name=sbx-${id}`,
      '--host=tvm.example.com',
      '--port=8443',
    ]);
  });

  it('bootstrap with a wrong embedded key ends in link-failed after its retries', async () => {
    const script = renderBootstrapScript({
      ...base,
      target: { kind: 'cloud' },
      awsScanner: false,
      linkAttempts: 2,
      key: { kind: 'embedded', key: new Secret('e'.repeat(64), 'linking key') },
    });
    const { record, phases, calls } = await boot(SANDBOX_AMIS.byol, script);
    expect(record.exitCode).toBe(1);
    expect(phases.at(-1)).toMatch(/^nessus-byol-bootstrap: link-failed /);
    expect(calls.filter((c) => c.tool === 'nessuscli')).toHaveLength(2);
  });

  it('standalone activation', async () => {
    const script = renderStandaloneScript({
      ...base,
      activationCode: { kind: 'ssm', parameter: '/nessus/activation-code', region },
    });
    const { record, phases, calls } = await boot(SANDBOX_AMIS.byol, script);
    expect(record.exitCode, record.consoleLines.join('\n')).toBe(0);
    expect(phases.map((p) => p.split(' ')[1])).toContain('activate-ok');
    expect(calls.find((c) => c.tool === 'nessuscli')?.argv).toEqual(['fetch', '--register', 'ABCD-EFGH-IJKL-MNOP']);
  });

  it('pre-authorized JSON with a proxy', async () => {
    const json = renderPreauthorizedJson({
      name: 'sbx-0-k2x9',
      key: new Secret(linkingKey, 'linking key'),
      iamRole: 'sbx-us-east-1-nessus',
      awsScanner: true,
      proxy: { host: 'proxy.corp.example', port: 3128 },
    });
    const { record, calls } = await boot(SANDBOX_AMIS.preauthorized, json);
    expect(record.exitCode, record.consoleLines.join('\n')).toBe(0);
    expect(calls[0]?.argv).toEqual([
      'managed',
      'link',
      `--key=${linkingKey}`,
      '--name=sbx-0-k2x9',
      '--cloud',
      '--aws-scanner',
      '--proxy-host=proxy.corp.example',
      '--proxy-port=3128',
    ]);
  });
});
