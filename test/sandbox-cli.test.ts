import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSandboxState, stopSandboxDaemon } from '../src/sandbox/control.js';
import { MARKETPLACE_OWNER_ID, SANDBOX_AMIS } from '../src/sandbox/moto-amis.js';
import { BIN, cliEnv, expectNoStackTrace, parseSingleJson, runCli } from './helpers/cli.js';

/**
 * `nessus-byol sandbox start|env|status|stop` through the built CLI, with a real background
 * sandbox (moto_server + Tenable simulator) in a temp state dir.
 */

const START_TIMEOUT = 90_000;
const shellQuote = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`;

let root: string;
let stateDir: string;
let startedPid: number | undefined;

/** Runs a bash script with the clean test environment (no ambient AWS_/TIO_/NESSUS_ variables). */
function bash(script: string, env: Record<string, string | undefined> = {}) {
  const r = spawnSync('bash', ['-c', script], { env: cliEnv(env), encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const sandboxCli = `${shellQuote(process.execPath)} ${shellQuote(BIN)} sandbox`;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'nessus-byol-sandbox-cli-'));
  stateDir = join(root, 'state');
});

afterAll(async () => {
  // Whatever a failed test left behind: never leave a daemon or moto_server running.
  for (const dir of [stateDir, join(root, 'no-moto')]) await stopSandboxDaemon(dir).catch(() => undefined);
  await rm(root, { recursive: true, force: true });
});

describe('sandbox lifecycle', () => {
  it('start prints export lines on stdout and a summary with the next step on stderr', async () => {
    const r = await runCli(['sandbox', 'start', '--state-dir', stateDir, '--plugin-delay', '200ms'], {
      timeoutMs: START_TIMEOUT,
    });
    expect(r.code, r.stderr).toBe(0);
    expectNoStackTrace(r.stderr);
    for (const name of [
      'AWS_ENDPOINT_URL',
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_REGION',
      'NESSUS_BYOL_TENABLE_API_URL',
      'TIO_ACCESS_KEY',
      'TIO_SECRET_KEY',
    ]) {
      expect(r.stdout).toMatch(new RegExp(`^export ${name}='[^']+'$`, 'm'));
    }
    // stdout is only export lines, so `eval "$(nessus-byol sandbox start)"` works.
    expect(
      r.stdout
        .trim()
        .split('\n')
        .every((l) => l.startsWith('export ')),
    ).toBe(true);
    expect(r.stderr).toMatch(/Sandbox started \(pid \d+\)/);
    expect(r.stderr).toMatch(/moto_server\)\s+http:\/\/127\.0\.0\.1:\d+/);
    expect(r.stderr).toMatch(/Tenable simulator\s+http:\/\/127\.0\.0\.1:\d+/);
    // nessus-byol is not on the test's PATH, so the hints say how to run it from here: npx.
    expect(r.stderr).toContain('eval "$(npx nessus-byol sandbox env --state-dir');
    expect(r.stderr).toContain('  npx nessus-byol up -f examples/minimal.yaml --yes');
    // …and name the image `up` will take: the newest BYOL AMI, not merely the first registered.
    expect(r.stderr).toContain(`newest Nessus BYOL AMI ${SANDBOX_AMIS.byolNewer}`);
    startedPid = readSandboxState(stateDir)?.pid;
    expect(startedPid).toBeTypeOf('number');
  });

  it('start again reports the running sandbox (alreadyRunning) with --json', async () => {
    const r = await runCli(['sandbox', 'start', '--state-dir', stateDir, '--json'], { timeoutMs: START_TIMEOUT });
    expect(r.code, r.stderr).toBe(0);
    const doc = parseSingleJson(r.stdout);
    expect(doc).toMatchObject({ ok: true, alreadyRunning: true, pid: startedPid, stateDir });
    expect(doc.env).toMatchObject({
      AWS_ENDPOINT_URL: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      AWS_REGION: 'us-east-1',
    });
    expect(r.stderr).toContain('already running');
  });

  it('env prints the environment (sh, json and --json), unmasked', async () => {
    const sh = await runCli(['sandbox', 'env', '--state-dir', stateDir]);
    expect(sh.code, sh.stderr).toBe(0);
    expect(sh.stdout).toMatch(/^export AWS_ENDPOINT_URL='http:\/\/127\.0\.0\.1:\d+'$/m);
    expect(sh.stdout).toMatch(/^export NESSUS_BYOL_TENABLE_API_URL='http:\/\/127\.0\.0\.1:\d+'$/m);
    expect(sh.stdout).toMatch(/^export TIO_ACCESS_KEY='[0-9a-f]{64}'$/m);
    expect(sh.stdout).toMatch(/^export TIO_SECRET_KEY='[0-9a-f]{64}'$/m);

    const json = await runCli(['sandbox', 'env', '--state-dir', stateDir, '--shell', 'json']);
    expect(json.code, json.stderr).toBe(0);
    const env = JSON.parse(json.stdout) as Record<string, string>;
    expect(env.NESSUS_BYOL_SANDBOX_DIR).toBe(stateDir);
    expect(sh.stdout).toContain(`export TIO_ACCESS_KEY='${env.TIO_ACCESS_KEY}'`);

    const doc = parseSingleJson((await runCli(['sandbox', 'env', '--state-dir', stateDir, '--json'])).stdout);
    expect(doc).toMatchObject({ ok: true, env, pid: startedPid });
  });

  it('with `eval "$(nessus-byol sandbox env)"` the aws CLI finds the BYOL AMI in moto', () => {
    const r = bash(
      `set -e; eval "$(${sandboxCli} env)"; aws ec2 describe-images --owners ${MARKETPLACE_OWNER_ID} --output json`,
      { NESSUS_BYOL_SANDBOX_DIR: stateDir },
    );
    expect(r.code, r.stderr).toBe(0);
    const images = (JSON.parse(r.stdout) as { Images: { ImageId: string }[] }).Images.map((i) => i.ImageId);
    expect(images).toContain(SANDBOX_AMIS.byol);
  });

  it('with the printed TVM keys the Tenable simulator answers GET /scanners (and refuses without them)', () => {
    const ok = bash(
      `set -e; eval "$(${sandboxCli} env --state-dir ${shellQuote(stateDir)})"
       curl -sS -w '\\n%{http_code}' -H "X-ApiKeys: accessKey=$TIO_ACCESS_KEY;secretKey=$TIO_SECRET_KEY" "$NESSUS_BYOL_TENABLE_API_URL/scanners"`,
    );
    expect(ok.code, ok.stderr).toBe(0);
    const [body, status] = ok.stdout.trimEnd().split(/\n(?=\d{3}$)/);
    expect(status).toBe('200');
    expect(JSON.parse(body!)).toHaveProperty('scanners');

    const denied = bash(
      `set -e; eval "$(${sandboxCli} env --state-dir ${shellQuote(stateDir)})"
       curl -sS -o /dev/null -w '%{http_code}' -H "X-ApiKeys: accessKey=$TIO_ACCESS_KEY;secretKey=wrong" "$NESSUS_BYOL_TENABLE_API_URL/scanners"`,
    );
    expect(denied.stdout).toMatch(/^40[13]$/);
  });

  it('status shows pid, ports, start time and counts the instances booted', async () => {
    const before = await runCli(['sandbox', 'status', '--json'], { env: { NESSUS_BYOL_SANDBOX_DIR: stateDir } });
    expect(before.code, before.stderr).toBe(0);
    expect(parseSingleJson(before.stdout)).toMatchObject({
      ok: true,
      running: true,
      pid: startedPid,
      stateDir,
      instancesBooted: 0,
      ports: { moto: expect.any(Number), tenable: expect.any(Number), imds: expect.any(Number) },
      startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });

    // An instance launched in moto is booted by the sandbox: its user-data runs.
    const launched = bash(
      `set -e; eval "$(${sandboxCli} env --state-dir ${shellQuote(stateDir)})"
       aws ec2 run-instances --image-id ${SANDBOX_AMIS.byol} --instance-type t3.micro --count 1 \
         --user-data "$(printf '#!/bin/bash\\necho hello from the sandbox boot\\n')" --query 'Instances[0].InstanceId' --output text`,
    );
    expect(launched.code, launched.stderr).toBe(0);
    const instanceId = launched.stdout.trim();
    expect(instanceId).toMatch(/^i-/);

    let booted: Record<string, unknown> = {};
    for (let i = 0; i < 100; i++) {
      booted = parseSingleJson((await runCli(['sandbox', 'status', '--state-dir', stateDir, '--json'])).stdout);
      if ((booted.boots as { succeeded: number }).succeeded >= 1) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(booted).toMatchObject({ instancesBooted: 1, boots: { total: 1, succeeded: 1, failed: 0 } });
    expect(existsSync(join(stateDir, 'boot', instanceId, 'boot.json'))).toBe(true);

    const human = await runCli(['sandbox', 'status', '--state-dir', stateDir]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain('running');
    expect(human.stdout).toMatch(new RegExp(`pid:\\s+${startedPid}`));
    expect(human.stdout).toMatch(/instances booted:\s+1 /);
    expect(human.stdout).toMatch(/AWS \(moto\):\s+http:\/\/127\.0\.0\.1:(\d+)\s+\(port \1\)/);
  });

  it('stop ends the daemon; stopping again is fine (exit 0)', async () => {
    const r = await runCli(['sandbox', 'stop', '--state-dir', stateDir, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(parseSingleJson(r.stdout)).toMatchObject({ ok: true, stopped: true, pid: startedPid });
    expect(readSandboxState(stateDir)).toBeNull();
    expect(isAlive(startedPid!)).toBe(false);

    const again = await runCli(['sandbox', 'stop', '--state-dir', stateDir]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/no sandbox running/i);
    expect(again.stdout).toBe('');
  });

  it('env after stop exits 1 with a hint to run `sandbox start`', async () => {
    const r = await runCli(['sandbox', 'env', '--state-dir', stateDir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('No sandbox is running');
    expect(r.stderr).toContain('nessus-byol sandbox start');
    expectNoStackTrace(r.stderr);

    const json = await runCli(['sandbox', 'env', '--state-dir', stateDir, '--json']);
    expect(json.code).toBe(1);
    expect(parseSingleJson(json.stdout)).toMatchObject({
      ok: false,
      error: { code: 'SANDBOX_NOT_RUNNING', hint: expect.stringContaining('sandbox start') },
    });
  });

  it('status when stopped says so (exit 0)', async () => {
    const r = await runCli(['sandbox', 'status', '--state-dir', stateDir, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(parseSingleJson(r.stdout)).toMatchObject({ ok: true, running: false, stateDir });
  });
});

describe('sandbox start failures', () => {
  it('without moto_server on PATH: exit 1 with the install command', async () => {
    const emptyBin = await mkdtemp(join(root, 'empty-bin-'));
    const dir = join(root, 'no-moto');
    const r = await runCli(['sandbox', 'start', '--state-dir', dir], {
      env: { PATH: emptyBin },
      timeoutMs: START_TIMEOUT,
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('moto_server was not found');
    expect(r.stderr).toContain('pip install "moto[server]"');
    expectNoStackTrace(r.stderr);
    expect(readSandboxState(dir)).toBeNull();

    const json = await runCli(['sandbox', 'start', '--state-dir', dir, '--json'], {
      env: { PATH: emptyBin },
      timeoutMs: START_TIMEOUT,
    });
    expect(json.code).toBe(1);
    expect(parseSingleJson(json.stdout)).toMatchObject({
      ok: false,
      error: { code: 'MOTO_MISSING', hint: expect.stringContaining('pip install "moto[server]"') },
    });
  });

  it('an unknown --shell is a usage error (exit 2)', async () => {
    const r = await runCli(['sandbox', 'env', '--state-dir', join(root, 'bad-shell'), '--shell', 'fish']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('sh, json');
  });

  it('a bad --plugin-delay is a usage error (exit 2) and starts nothing', async () => {
    const dir = join(root, 'bad-flag');
    const r = await runCli(['sandbox', 'start', '--state-dir', dir, '--plugin-delay', 'soon']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--plugin-delay');
    expect(existsSync(dir)).toBe(false);
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
