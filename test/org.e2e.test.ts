import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../src/sandbox/sandbox.js';
import { runCli } from './helpers/cli.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';

const run = promisify(execFile);

/**
 * `org up` across simulated accounts: moto's service-managed StackSets deploy one hidden stack per
 * account and region of the OU, the boot watcher (watching those accounts) runs each instance's real
 * user-data, which reads the organisation secret by ARN and links to the Tenable simulator. One
 * account the watcher does not boot stands for a failed account: reported as missing, the others ready.
 */
describe('org up across simulated accounts (sandbox)', () => {
  let sandbox: Sandbox;
  let dir: string;
  const watched: string[] = [];
  let org: { id: string; ou: string; accounts: string[] };

  const awsCli = async (args: string[]) => JSON.parse((await run('aws', [...args, '--output', 'json'], { env: { ...process.env, ...sandbox.env } })).stdout || '{}') as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- aws CLI JSON
  const cli = (args: string[]) => runCli(args, { env: sandbox.env, cwd: dir, timeoutMs: 240_000 });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nessus-byol-org-'));
    sandbox = await startSandbox({ stateDir: join(dir, 'sandbox'), region: 'us-east-1', regions: ['us-east-1', 'eu-west-1'], pluginLoadDelayMs: 200, accounts: () => watched });
    const created = await awsCli(['organizations', 'create-organization', '--feature-set', 'ALL']);
    const root = (await awsCli(['organizations', 'list-roots'])).Roots[0].Id as string;
    const ou = (await awsCli(['organizations', 'create-organizational-unit', '--parent-id', root, '--name', 'scanners'])).OrganizationalUnit.Id as string;
    const accounts: string[] = [];
    for (const n of [1, 2, 3]) {
      const a = (await awsCli(['organizations', 'create-account', '--email', `member${n}@example.com`, '--account-name', `member${n}`])).CreateAccountStatus.AccountId as string;
      await awsCli(['organizations', 'move-account', '--account-id', a, '--source-parent-id', root, '--destination-parent-id', ou]);
      accounts.push(a);
    }
    watched.push(accounts[0]!, accounts[1]!); // accounts[2] never boots: the "failed" account
    org = { id: created.Organization.Id as string, ou, accounts };
    writeFileSync(join(dir, 'fleet.yaml'), 'version: 1\nfleet: orgdemo\nregion: us-east-1\nscanners: { count: 1 }\nlink: { key: { from: tenable-api } }\nwait: { until: ready, timeout: 60s, interval: 1s }\n');
  }, 180_000);
  afterAll(async () => sandbox?.stop());

  it('links every scanner of the booted accounts and reports the missing account without hiding the rest', async () => {
    const r = await cli(['org', 'up', '-f', 'fleet.yaml', '--org-id', org.id, '--targets', org.ou, '--regions', 'us-east-1,eu-west-1', '--yes', '--json']);
    expect(r.code, r.stderr).toBe(3);
    const doc = JSON.parse(r.stdout) as { ok: false; error: { code: string; cells: Array<{ account: string; region: string; state: string }>; secret: { secretArn: string }; stackSet: { action: string } } };
    expect(doc.error.code).toBe('LINK_TIMEOUT');
    const matrix = Object.fromEntries(doc.error.cells.map((c) => [`${c.account}/${c.region}`, c.state]));
    expect(matrix).toEqual({
      [`${org.accounts[0]}/eu-west-1`]: 'ready',
      [`${org.accounts[0]}/us-east-1`]: 'ready',
      [`${org.accounts[1]}/eu-west-1`]: 'ready',
      [`${org.accounts[1]}/us-east-1`]: 'ready',
      [`${org.accounts[2]}/eu-west-1`]: 'missing',
      [`${org.accounts[2]}/us-east-1`]: 'missing',
    });
    expect(doc.error.stackSet.action).toBe('created');
    expect(doc.error.secret.secretArn).toMatch(/^arn:aws:secretsmanager:us-east-1:123456789012:secret:nessus-byol\/orgdemo\/org-linking-key-/);
    // The key is never in any output; the secret is shared by policy with the organisation only.
    expect(r.stdout + r.stderr).not.toContain(sandbox.tenable.linkingKey);
    const policy = await awsCli(['secretsmanager', 'get-resource-policy', '--secret-id', doc.error.secret.secretArn]);
    expect(policy.ResourcePolicy).toContain(org.id);
    // Each linked scanner booted from the user-data and read the key by ARN.
    expect(sandbox.simulator.state.scanners.map((s) => String(s.name)).filter((n) => n.startsWith('orgdemo-')).sort()).toEqual(
      [0, 1].flatMap((i) => ['eu-west-1', 'us-east-1'].map((region) => `orgdemo-${org.accounts[i]}-${region}-0`)).sort(),
    );

    // org status: the same matrix, one GET /scanners, nothing changed; re-running up changes nothing.
    const status = await cli(['org', 'status', '-f', 'fleet.yaml', '--json']);
    expect(status.code, status.stderr).toBe(0);
    expect((JSON.parse(status.stdout) as { counts: { ready: number; missing: number } }).counts).toMatchObject({ ready: 4, missing: 2 });
    const text = await cli(['org', 'status', '-f', 'fleet.yaml']);
    expect(text.stdout).toMatch(new RegExp(`${org.accounts[2]}\\s+missing 1/1\\s+missing 1/1`));
  }, 240_000);

  it('fails fast with exit 2 on malformed flags, before touching anything', async () => {
    for (const args of [
      ['--targets', 'ou-bad', '--regions', 'us-east-1', '--org-id', 'o-abcdefghij'],
      ['--targets', 'r-ab12', '--regions', 'us-east-1,nowhere', '--org-id', 'o-abcdefghij'],
      ['--targets', 'r-ab12', '--regions', 'us-east-1', '--org-id', 'o-abcdefghij', '--max-concurrent', '0%'],
      ['--targets', 'r-ab12', '--regions', 'us-east-1', '--org-id', 'nope'],
      ['--targets', 'missing.csv', '--regions', 'us-east-1', '--org-id', 'o-abcdefghij'],
    ]) {
      const r = await cli(['org', 'up', '-f', 'fleet.yaml', '--yes', '--json', ...args]);
      expect(r.code, `${args.join(' ')}\n${r.stdout}${r.stderr}`).toBe(2);
      expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { code: 'USAGE' } });
    }
    for (const sub of [['org', 'up'], ['org', 'status'], ['org', 'down'], ['export', 'cloudformation']]) {
      expect((await cli([...sub, '--help'])).stdout).toContain('Examples:');
    }
  }, 120_000);
});
