import { DescribeImagesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RuntimeError } from '../core/errors.js';
import { readSandboxConsole } from './console.js';
import { formatEnv, readSandboxState, startSandboxDaemon, stopSandboxDaemon } from './control.js';
import { SANDBOX_AMIS } from './moto-amis.js';
import { isAlive, sleep } from './net.js';

const here = dirname(fileURLToPath(import.meta.url));
// Inside the checkout so the bundle's external imports resolve from node_modules.
const buildDir = join(here, '..', '..', 'node_modules', '.cache', 'nessus-byol-test');
const daemonScript = join(buildDir, `sandbox-daemon-${process.pid}.mjs`);
let stateDir: string;

beforeAll(async () => {
  mkdirSync(buildDir, { recursive: true });
  await build({
    entryPoints: [join(here, 'daemon-main.ts')],
    outfile: daemonScript,
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'silent',
  });
  stateDir = mkdtempSync(join(tmpdir(), 'nessus-byol-sandbox-'));
});

afterAll(async () => {
  await stopSandboxDaemon(stateDir).catch(() => undefined);
  rmSync(daemonScript, { force: true });
  rmSync(stateDir, { recursive: true, force: true });
});

describe('sandbox daemon', () => {
  it('starts in the background, serves the environment it prints, boots instances, and stops', async () => {
    const started = await startSandboxDaemon({ stateDir, daemonScript });
    expect(started.alreadyRunning).toBe(false);
    const { state } = started;
    expect(isAlive(state.pid)).toBe(true);
    expect(state.env).toMatchObject({
      AWS_ENDPOINT_URL: state.motoEndpoint,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_REGION: 'us-east-1',
      NESSUS_BYOL_TENABLE_API_URL: state.simulatorUrl,
      NESSUS_BYOL_SANDBOX_DIR: stateDir,
    });
    expect(state.env.TIO_ACCESS_KEY).toMatch(/^[0-9a-f]{64}$/);

    const again = await startSandboxDaemon({ stateDir, daemonScript });
    expect(again).toMatchObject({ alreadyRunning: true, state: { pid: state.pid } });

    const ec2 = new EC2Client({
      endpoint: state.env.AWS_ENDPOINT_URL,
      region: state.env.AWS_REGION,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    try {
      const images = await ec2.send(new DescribeImagesCommand({ ImageIds: [SANDBOX_AMIS.byol] }));
      expect(images.Images).toHaveLength(1);
      const userData = '#!/bin/bash\necho "nessus-byol-bootstrap: start"\n';
      const run = await ec2.send(
        new RunInstancesCommand({
          ImageId: SANDBOX_AMIS.byol,
          MinCount: 1,
          MaxCount: 1,
          UserData: Buffer.from(userData).toString('base64'),
        }),
      );
      const id = run.Instances?.[0]?.InstanceId ?? '';
      let text: string | undefined;
      for (let i = 0; i < 100 && !text?.includes('start'); i++) {
        await sleep(100);
        text = readSandboxConsole(stateDir, id);
      }
      expect(text).toBe('nessus-byol-bootstrap: start\n');
    } finally {
      ec2.destroy();
    }

    expect(await stopSandboxDaemon(stateDir)).toEqual({ stopped: true });
    expect(isAlive(state.pid)).toBe(false);
    expect(isAlive(state.motoPid)).toBe(false);
    expect(readSandboxState(stateDir)).toBeNull();
    expect(await stopSandboxDaemon(stateDir)).toEqual({ stopped: false });
  });

  it('says how to install moto_server when it is missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nessus-byol-sandbox-'));
    try {
      const env = { ...process.env, PATH: dirname(process.execPath) };
      const err = await startSandboxDaemon({ stateDir: dir, daemonScript, env }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RuntimeError);
      expect(err).toMatchObject({ code: 'MOTO_MISSING', hint: expect.stringContaining('pip install "moto[server]"') });
      expect(readSandboxState(dir)).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('formatEnv', () => {
  const env = { A: 'plain', B: 'it\'s $HOME `x` "q"' };

  it('prints sh exports that evaluate back to the same values', () => {
    const text = formatEnv(env, 'sh');
    expect(text).toBe(`export A='plain'\nexport B='it'\\''s $HOME \`x\` "q"'\n`);
    const out = execFileSync('bash', ['-c', `${text}\nprintf '%s' "$B"`], { encoding: 'utf8' });
    expect(out).toBe(env.B);
  });

  it('prints JSON', () => {
    expect(JSON.parse(formatEnv(env, 'json'))).toEqual(env);
  });
});
