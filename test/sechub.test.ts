import { GetFindingsCommand, SecurityHubClient, type AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseAsset, parseVuln } from '../src/adapters/tenable/exports.js';
import { defaultProductArn, toAsff } from '../src/app/sechub/asff.js';
import type { AsffFinding, SechubSummary } from '../src/app/sechub/types.js';
import { motoClientConfig } from '../src/sandbox/aws-env.js';
import { sandboxAwsEnv, startMoto, type MotoServer } from '../src/sandbox/moto.js';
import { startTenableSimulator, type TenableSimulator } from '../src/sandbox/tenable-simulator.js';
import { startAwsProxy, type AwsProxy } from './fixtures/sechub/aws-proxy.js';
import {
  assetRecords,
  CALLER,
  OTHER_A,
  OTHER_B,
  STANDARD_COUNTS,
  standardVulns,
  vulnRecord,
  INSTANCES,
} from './fixtures/sechub/findings.js';
import {
  BIN,
  cliEnv,
  expectNoStackTrace,
  HAS_SCRIPT_PTY,
  parseSingleJson,
  runCli,
  runCliInTerminal,
} from './helpers/cli.js';

/** `nessus-byol sechub` end to end: the built CLI, the Tenable simulator's exports, moto's Security Hub. */

const REGION = 'us-east-1';
const ROLE = 'SecHubImport';
const keys = { accessKey: 'a1'.repeat(32), secretKey: 'b2'.repeat(32) };
let moto: MotoServer;
let sim: TenableSimulator;
let proxy: AwsProxy;
let dir: string;
let stateHome: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nessus-byol-sechub-'));
  moto = await startMoto({ stateDir: join(dir, 'moto') });
  proxy = await startAwsProxy(moto.endpoint);
  sim = await startTenableSimulator({ ...keys, linkingKey: 'c'.repeat(64) });
});

afterAll(async () => {
  await sim?.stop();
  await proxy?.stop();
  await moto?.stop();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  await fetch(`${moto.endpoint}/moto-api/reset`, { method: 'POST' });
  proxy.reset();
  sim.reset();
  sim.setFindings(standardVulns(), assetRecords());
  stateHome = mkdtempSync(join(dir, 'state-'));
});

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...sandboxAwsEnv(proxy.url, REGION),
    TIO_ACCESS_KEY: keys.accessKey,
    TIO_SECRET_KEY: keys.secretKey,
    NESSUS_BYOL_TENABLE_API_URL: sim.url,
    XDG_STATE_HOME: stateHome,
    ...extra,
  };
}

async function sechub(args: string[], extra: Record<string, string> = {}) {
  const r = await runCli(['sechub', '--json', ...args], { env: env(extra), timeoutMs: 60_000 });
  expectNoStackTrace(r.stderr);
  return { ...r, doc: parseSingleJson(r.stdout) };
}

/** Every finding in an account's Security Hub (moto), reached like the CLI does: as the caller or a role. */
async function findingsOf(account: string): Promise<AwsSecurityFinding[]> {
  let credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' } as {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
  };
  if (account !== CALLER) {
    const sts = new STSClient(motoClientConfig(moto.endpoint, REGION));
    const c = (
      await sts.send(
        new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/${ROLE}`, RoleSessionName: 'test' }),
      )
    ).Credentials!;
    credentials = { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
  }
  const hub = new SecurityHubClient({ ...motoClientConfig(moto.endpoint, REGION), credentials });
  const all: AwsSecurityFinding[] = [];
  let NextToken: string | undefined;
  do {
    const out = await hub.send(new GetFindingsCommand({ MaxResults: 100, NextToken }));
    all.push(...(out.Findings ?? []));
    NextToken = out.NextToken;
  } while (NextToken);
  return all.sort((a, b) => (a.Id! < b.Id! ? -1 : 1));
}

/** What the mapping makes of the fixture for one account: the expected Security Hub content. */
function expectedFor(account: string, vulns = standardVulns()): AsffFinding[] {
  const assets = new Map(
    assetRecords()
      .map((r) => parseAsset(r)!)
      .filter((a) => a.aws)
      .map((a) => [a.uuid, { ...a.aws!, uuid: a.uuid, ipv4s: a.ipv4s, ipv6s: a.ipv6s }]),
  );
  return vulns
    .map((raw) => parseVuln(raw))
    .flatMap((v) => ('unreadable' in v ? [] : [{ v, a: assets.get(v.assetUuid) }]))
    .filter(({ a }) => a?.ownerId === account)
    .map(({ v, a }) => toAsff(v, a!, { productArn: defaultProductArn(REGION), fallbackTime: 'unused' }))
    .sort((x, y) => (x.Id < y.Id ? -1 : 1));
}

describe('sechub import', () => {
  it('imports every account through --assume-role, field by field, in batches of at most 100', async () => {
    const r = await sechub(['--severity', 'all', '--assume-role', ROLE]);
    expect(r.code, r.stderr).toBe(0);
    const s = r.doc.summary as SechubSummary;
    expect(s).toMatchObject({
      exported: STANDARD_COUNTS.total,
      aws: STANDARD_COUNTS.total - STANDARD_COUNTS.nonAws,
      skipped: { notAws: STANDARD_COUNTS.nonAws, foreignAccount: 0, unreadable: 0 },
      imported: STANDARD_COUNTS.total - STANDARD_COUNTS.nonAws,
      failed: 0,
      callerAccount: CALLER,
      sinceSource: 'none',
      stateSaved: true,
    });
    expect(s.accounts).toEqual([
      {
        account: OTHER_B,
        via: 'assume-role',
        findings: STANDARD_COUNTS.otherB,
        imported: STANDARD_COUNTS.otherB,
        failed: 0,
      },
      { account: CALLER, via: 'caller', findings: STANDARD_COUNTS.caller, imported: STANDARD_COUNTS.caller, failed: 0 },
      {
        account: OTHER_A,
        via: 'assume-role',
        findings: STANDARD_COUNTS.otherA,
        imported: STANDARD_COUNTS.otherA,
        failed: 0,
      },
    ]);

    for (const account of [CALLER, OTHER_A, OTHER_B]) {
      const got = await findingsOf(account);
      expect(got, `Security Hub of ${account}`).toEqual(expectedFor(account));
      expect(got.every((f) => f.AwsAccountId === account)).toBe(true);
    }
    const caller = await findingsOf(CALLER);
    // Ports that differ only by number are three findings; fixed ones are archived; every label appears.
    expect(caller.filter((f) => f.GeneratorId === 'tenable-plugin-42873').map((f) => f.Id)).toEqual([
      `us-east-1/${INSTANCES[0]!.instanceId}/42873/443/tcp`,
      `us-east-1/${INSTANCES[0]!.instanceId}/42873/80/tcp`,
      `us-east-1/${INSTANCES[0]!.instanceId}/42873/8443/tcp`,
    ]);
    expect(caller.find((f) => f.GeneratorId === 'tenable-plugin-170001')?.RecordState).toBe('ARCHIVED');
    expect(new Set(caller.map((f) => f.Severity?.Label))).toEqual(
      new Set(['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL']),
    );
    expect(caller.every((f) => f.Title!.length <= 256 && f.Description!.length <= 1024)).toBe(true);

    const sizes = proxy.imports.map((c) => c.ids.length);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(100);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(STANDARD_COUNTS.total - STANDARD_COUNTS.nonAws);
    expect(sizes.length).toBeGreaterThanOrEqual(4); // the caller's 130 need two calls, each other account one
  });

  it('without --assume-role, skips and counts other accounts and never imports them under the caller', async () => {
    const r = await sechub(['--severity', 'all']);
    expect(r.code, r.stderr).toBe(0);
    const s = r.doc.summary as SechubSummary;
    expect(s.skipped.foreignAccount).toBe(STANDARD_COUNTS.otherA + STANDARD_COUNTS.otherB);
    expect(s.imported).toBe(STANDARD_COUNTS.caller);
    expect(r.stderr).toContain(`finding(s) of account ${OTHER_A} skipped`);
    const caller = await findingsOf(CALLER);
    expect(caller).toHaveLength(STANDARD_COUNTS.caller);
    expect(caller.every((f) => f.AwsAccountId === CALLER)).toBe(true);
    expect(await findingsOf(OTHER_A)).toEqual([]);
  });

  it('reports a finding Security Hub rejects, exits 1, and does not move the next run forward', async () => {
    // The proxy empties Resources of one finding on its way: moto (which checks little else) fails it
    // in FailedFindings with InvalidInput, as Security Hub would for a malformed finding.
    proxy.breakFindings((f) => f.GeneratorId === 'tenable-plugin-160003');
    const r = await sechub(['--severity', 'all']);
    expect(r.code).toBe(1);
    const error = r.doc.error as { code: string; message: string; summary: SechubSummary };
    expect(error.code).toBe('SECHUB_IMPORT_FAILED');
    expect(error.message).toContain('InvalidInput');
    expect(error.summary).toMatchObject({
      failed: 1,
      imported: STANDARD_COUNTS.caller - 1,
      failureCodes: { InvalidInput: 1 },
      stateSaved: false,
    });
    expect(error.summary.failures[0]).toMatchObject({
      id: `us-east-1/${INSTANCES[0]!.instanceId}/160003/0/tcp`,
      account: CALLER,
      code: 'InvalidInput',
    });
    expect(r.stderr).toContain('160003');

    proxy.reset();
    const again = await sechub(['--severity', 'all']);
    expect(again.code, again.stderr).toBe(0);
    expect((again.doc.summary as SechubSummary).sinceSource).toBe('none'); // the failed run was not remembered
  });

  it('retries throttled imports', async () => {
    proxy.throttleNextImports(2);
    const r = await sechub(['--severity', 'all']);
    expect(r.code, r.stderr).toBe(0);
    expect(proxy.imports.filter((c) => c.status === 429)).toHaveLength(2);
    expect((r.doc.summary as SechubSummary).imported).toBe(STANDARD_COUNTS.caller);
    expect(await findingsOf(CALLER)).toHaveLength(STANDARD_COUNTS.caller);
  });

  it('continues from the last successful run: the second run imports only new findings', async () => {
    const first = await sechub(['--severity', 'all']);
    expect(first.code, first.stderr).toBe(0);
    expect(readdirSync(join(stateHome, 'nessus-byol'))).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 1100)); // `since` has one-second resolution
    const fresh = [170100, 170101, 170102].map((pluginId) =>
      vulnRecord({
        assetUuid: INSTANCES[0]!.assetUuid,
        pluginId,
        severity: 'high',
        lastFound: new Date().toISOString(),
      }),
    );
    sim.setFindings([...standardVulns(), ...fresh], assetRecords());
    proxy.reset();

    const second = await sechub(['--severity', 'all']);
    expect(second.code, second.stderr).toBe(0);
    const s = second.doc.summary as SechubSummary;
    expect(s).toMatchObject({ sinceSource: 'state', exported: 3, imported: 3 });
    expect(s.since).toBe(Math.floor(Date.parse((first.doc.summary as SechubSummary).startedAt) / 1000));
    expect(proxy.imports.flatMap((c) => c.ids).sort()).toEqual(
      fresh.map((_, i) => `us-east-1/${INSTANCES[0]!.instanceId}/${170100 + i}/0/tcp`),
    );
    expect(await findingsOf(CALLER)).toHaveLength(STANDARD_COUNTS.caller + 3);

    // An explicit --since wins over the remembered run (epoch seconds, as the original tool took).
    const explicit = await sechub(['--severity', 'all', '--since', String(Date.parse('2024-04-01T00:00:00Z') / 1000)]);
    expect(explicit.doc.summary).toMatchObject({ sinceSource: 'flag', exported: STANDARD_COUNTS.total + 3 });
  });

  it('--dry-run imports and remembers nothing', async () => {
    const r = await sechub(['--severity', 'all', '--assume-role', ROLE, '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.doc.summary).toMatchObject({
      dryRun: true,
      imported: 0,
      wouldImport: STANDARD_COUNTS.total - STANDARD_COUNTS.nonAws,
      stateSaved: false,
    });
    expect(proxy.imports).toEqual([]);
    expect(await findingsOf(CALLER)).toEqual([]);
    expect(() => readdirSync(join(stateHome, 'nessus-byol'))).toThrow();
  });

  it('keeps the state in SSM with --state-store ssm:/…', async () => {
    const first = await sechub(['--state-store', 'ssm:/nessus-byol/sechub/state']);
    expect(first.code, first.stderr).toBe(0);
    const second = await sechub(['--state-store', 'ssm:/nessus-byol/sechub/state']);
    expect(second.doc.summary).toMatchObject({ sinceSource: 'state' });
  });
});

describe('sechub invocation', () => {
  it("refuses the original tool's secret flags without echoing their values (exit 2)", async () => {
    const secret = 'TOPSECRET0123456789';
    for (const flag of ['--tio-access-key', '--tio-secret-key', '--aws-secret-key']) {
      const r = await runCli(['sechub', flag, secret], { env: env() });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(flag);
      expect(r.stderr + r.stdout).not.toContain(secret);
      expectNoStackTrace(r.stderr);
    }
    const r = await runCli(['sechub', `--tio-secret-key=${secret}`, '--json'], { env: env() });
    expect(r.code).toBe(2);
    expect(parseSingleJson(r.stdout)).toMatchObject({ ok: false, error: { code: 'USAGE' } });
    expect(r.stdout + r.stderr).not.toContain(secret);
    expect(r.stdout).toContain('TIO_SECRET_KEY');
    expect(proxy.imports).toEqual([]);
  });

  it('names missing Tenable keys and bad flags with exit 2', async () => {
    const noKeys = await runCli(['sechub'], { env: { ...env(), TIO_ACCESS_KEY: undefined as unknown as string } });
    expect(noKeys.code).toBe(2);
    expect(noKeys.stderr).toContain('TIO_ACCESS_KEY');
    for (const args of [
      ['--batch-size', '101'],
      ['--since', 'soon'],
      ['--severity', 'severe'],
      ['--run-every', '5s'],
    ]) {
      const r = await runCli(['sechub', ...args], { env: env() });
      expect(r.code, args.join(' ')).toBe(2);
    }
  });
});

function spawnCli(args: string[]) {
  const child = spawn(process.execPath, [BIN, ...args], { env: cliEnv(env()), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const waitFor = async (text: string, timeoutMs = 30_000) => {
    const end = Date.now() + timeoutMs;
    while (!stderr.includes(text)) {
      if (Date.now() > end) throw new Error(`timed out waiting for "${text}" in:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { child, exited, waitFor, out: () => ({ stdout, stderr }) };
}

describe('sechub --run-every', () => {
  it('loops until SIGTERM, then exits 0 with every run in the JSON document', async () => {
    const run = spawnCli(['sechub', '--run-every', '1m', '--json']);
    await run.waitFor('Next run at');
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    const doc = parseSingleJson(run.out().stdout);
    expect(doc).toMatchObject({ ok: true, stopped: true });
    expect((doc.runs as { summary: SechubSummary }[])[0]!.summary).toMatchObject({
      imported: expectedFor(CALLER).filter((f) => f.Severity.Label !== 'INFORMATIONAL').length, // info is not exported by default
      failed: 0,
    });
  });

  it('finishes the Security Hub calls in flight on SIGTERM mid-import, sends no more, and exits 0', async () => {
    proxy.delayImports(1500);
    const run = spawnCli([
      'sechub',
      '--severity',
      'all',
      '--assume-role',
      ROLE,
      '--batch-size',
      '10',
      '--concurrency',
      '2',
      '--json',
    ]);
    const end = Date.now() + 30_000;
    while (proxy.imports.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    const s = parseSingleJson(run.out().stdout).summary as SechubSummary;
    const sent = proxy.imports.flatMap((c) => c.ids);
    expect(s).toMatchObject({ stopped: true, stateSaved: false, failed: 0, imported: sent.length });
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.length).toBeLessThanOrEqual(20); // the two calls in flight, nothing after SIGTERM
    expect(run.out().stderr).toContain('SIGTERM');
  });

  it('exits 130 on Ctrl-C', async () => {
    const run = spawnCli(['sechub', '--run-every', '1m']);
    await run.waitFor('Next run at');
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    expect(run.out().stderr).toContain('Interrupted');
  });
});

describe.runIf(HAS_SCRIPT_PTY)('sechub on a terminal', () => {
  it('shows a progress bar and the summary', async () => {
    const r = await runCliInTerminal(['sechub', '--severity', 'all'], { env: env() });
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain('Exporting findings');
    expect(r.output).toMatch(/imported\s+130/);
  });
});
