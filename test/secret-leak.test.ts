import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DescribeInstanceAttributeCommand, DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { REPO_ROOT, runCli, type CliResult } from './helpers/cli.js';
import { formatHits, scanFiles, scanText, type LeakHit, type Secrets } from './helpers/leak.js';
import { startE2eSandbox, type E2eSandbox } from './helpers/sandbox-e2e.js';

/**
 * Secret-leak scan (issue 7, item 3): every command runs in the sandbox with known secret values in
 * its environment and in SSM / Secrets Manager, and none of them may appear — as plaintext, as SSM's
 * undecrypted `kms:alias/aws/ssm:<plaintext>`, URL-encoded, or base64 at any alignment — in stdout,
 * stderr (runs with `--verbose`, once as text and once with `--json`), any file the command wrote
 * (its cwd, HOME and TMPDIR are fresh directories that are scanned afterwards), or the user-data of
 * the instances it launched when the key comes from SSM / Secrets Manager (read back from moto with
 * DescribeInstanceAttribute).
 *
 * Not covered, on purpose:
 * - `sandbox env` prints the sandbox's own dummy Tenable keys: that is its job (eval "$(…)"), and
 *   those keys only open the local simulator.
 * - `ssh` needs a real sshd (test/ssh.test.ts sets one up); add a row here once a helper makes it cheap.
 * - `init` is interactive (test/wizard-steps.test.ts).
 *
 * ─── ADDING A COMMAND ────────────────────────────────────────────────────────────────────────────
 * Every new command joins this table: add a row to CASES (order matters — rows share one sandbox and
 * run top to bottom, so e.g. `status` comes after the `up` that created its fleet, `down` last).
 * A row is { name, args, fleet?, env?, setup?, codes?, userData? } — see LeakCase below.
 * ─────────────────────────────────────────────────────────────────────────────────────────────────
 */

interface LeakContext {
  e2e: E2eSandbox;
  secrets: Secrets;
}

interface LeakCase {
  name: string;
  /** Arguments after `nessus-byol`; `--verbose` (and once `--json`) are appended. */
  args: string[];
  /** An example from examples/, copied into the run's cwd as `fleet.yaml` with short waits. */
  fleet?: string;
  /** Edits of that copy (e.g. a smaller count). */
  edit?: (doc: ReturnType<typeof parseDocument>) => void;
  /** Added to the CLI's environment (which already holds every secret). */
  env?: Record<string, string | undefined>;
  /** Runs once before the command (e.g. store a secret where the fleet reads it). */
  setup?: (ctx: LeakContext) => Promise<unknown>;
  /** Accepted exit codes (default [0]): a check that finds problems (5) is not a leak. */
  codes?: number[];
  /** Read back the user-data of this fleet's instances; `allow` lists secrets that belong there by design. */
  userData?: { fleet: string; region: string; allow?: string[] };
  /** Only the text run (e.g. a command whose second run would do something else). */
  once?: boolean;
}

const FLEET = ['-f', 'fleet.yaml'];
/** `audit scan --debug` encrypts the Scan DB with it (read from the environment): it is a secret like the others. */
const SCAN_DB_PASSWORD = `scan-db-${randomBytes(16).toString('hex')}`;
const UP = ['up', ...FLEET, '--yes'];

const storeSsm = (ctx: LeakContext, region: string, name: string, value: string) =>
  ctx.e2e.ssm(region).send(new PutParameterCommand({ Name: name, Value: value, Type: 'SecureString', Overwrite: true }));

const CASES: LeakCase[] = [
  { name: 'schema', args: ['schema'] },
  { name: 'plan --offline (cloud)', args: ['plan', ...FLEET, '--offline'], fleet: 'cloud.yaml' },
  { name: 'plan --offline (custom host + proxy password from SSM)', args: ['plan', ...FLEET, '--offline'], fleet: 'custom-host.yaml' },
  { name: 'plan --offline (pre-authorized JSON: key embedded, masked in the plan)', args: ['plan', ...FLEET, '--offline'], fleet: 'preauthorized-json.yaml' },
  { name: 'linking-key (read, printed masked)', args: ['linking-key'] },
  { name: 'linking-key --store ssm:/nessus/linking-key', args: ['linking-key', '--store', 'ssm:/nessus/linking-key', '--region', 'us-east-1'] },
  { name: 'plan online (cloud, key from SSM)', args: ['plan', ...FLEET], fleet: 'cloud.yaml' },
  { name: 'plan online (minimal, key from the Tenable API)', args: ['plan', ...FLEET], fleet: 'minimal.yaml' },
  {
    name: 'up cloud.yaml (key from SSM)',
    args: UP,
    fleet: 'cloud.yaml',
    edit: (doc) => doc.setIn(['scanners', 'count'], 1),
    userData: { fleet: 'prod-scanners', region: 'us-east-1' },
  },
  { name: 'up minimal.yaml (key from the Tenable API into a fleet-owned SecureString)', args: UP, fleet: 'minimal.yaml', userData: { fleet: 'minimal', region: 'us-east-1' } },
  {
    name: 'up custom-host.yaml (NESSUS_LINKING_KEY, proxy password from SSM)',
    args: UP,
    fleet: 'custom-host.yaml',
    setup: (ctx) => storeSsm(ctx, 'us-east-2', '/nessus/proxy-password', ctx.secrets.PROXY_PASSWORD!),
    userData: { fleet: 'custom-scanners', region: 'us-east-2' },
  },
  {
    name: 'plan online (custom host: proxy password read from SSM)',
    args: ['plan', ...FLEET],
    fleet: 'custom-host.yaml',
  },
  {
    name: 'up fedramp.yaml (key from Secrets Manager)',
    args: UP,
    fleet: 'fedramp.yaml',
    setup: async (ctx) => {
      const sm = new SecretsManagerClient({ region: 'us-gov-west-1', endpoint: ctx.e2e.sandbox.motoEndpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
      await sm.send(new CreateSecretCommand({ Name: 'nessus/linking-key', SecretString: ctx.secrets.LINKING_KEY }));
    },
    userData: { fleet: 'gov-scanners', region: 'us-gov-west-1' },
  },
  {
    name: 'up cloud-aws-scanner.yaml (--aws-scanner)',
    args: UP,
    fleet: 'cloud-aws-scanner.yaml',
    edit: (doc) => doc.setIn(['scanners', 'count'], 1),
    userData: { fleet: 'aws-scanners', region: 'eu-west-1' },
  },
  {
    // The Marketplace JSON format carries the key by nature (opt-in, warned): allowed in user-data only.
    name: 'up preauthorized-json.yaml (key embedded on purpose)',
    args: UP,
    fleet: 'preauthorized-json.yaml',
    edit: (doc) => doc.setIn(['scanners', 'count'], 1),
    userData: { fleet: 'preauth-scanners', region: 'us-east-1', allow: ['LINKING_KEY'] },
  },
  {
    name: 'up standalone.yaml (activation code from SSM, key pair created)',
    args: UP,
    fleet: 'standalone.yaml',
    setup: (ctx) => storeSsm(ctx, 'us-east-1', '/nessus/activation-code', ctx.secrets.ACTIVATION_CODE!),
    userData: { fleet: 'standalone-scanner', region: 'us-east-1' },
  },
  { name: 'up sandbox-demo.yaml --no-wait', args: [...UP, '--no-wait'], fleet: 'sandbox-demo.yaml', userData: { fleet: 'demo', region: 'us-east-1' } },
  { name: 'wait (after up --no-wait)', args: ['wait', ...FLEET], fleet: 'sandbox-demo.yaml' },
  { name: 'status', args: ['status', ...FLEET], fleet: 'cloud.yaml', edit: (doc) => doc.setIn(['scanners', 'count'], 1) },
  { name: 'reconcile', args: ['reconcile', ...FLEET], fleet: 'minimal.yaml', codes: [0, 5] },
  { name: 'rebuild --dry-run', args: ['rebuild', ...FLEET, '--yes', '--dry-run', '--force'], fleet: 'minimal.yaml' },
  { name: 'audit setup (the new IAM secret goes straight to Tenable)', args: ['audit', 'setup', '--yes'], once: true },
  { name: 'audit keys', args: ['audit', 'keys'], codes: [0, 5] },
  { name: 'scan (minimal fleet, re-launched on the second run)', args: ['scan', ...FLEET, '--yes'], fleet: 'minimal.yaml' },
  {
    name: 'audit scan --debug (managed credential by uuid; Scan DB password from the environment)',
    args: ['audit', 'scan', ...FLEET, '--debug', '--db-out', 'audit-scan.db'],
    fleet: 'minimal.yaml',
    env: { NESSUS_BYOL_SCAN_DB_PASSWORD: SCAN_DB_PASSWORD },
    codes: [0, 5],
  },
  { name: 'sechub --dry-run', args: ['sechub', '--since', '7d', '--dry-run', '--region', 'us-east-1'] },
  { name: 'doctor (fleet: custom host, proxy password in SSM)', args: ['doctor', ...FLEET], fleet: 'custom-host.yaml', codes: [0, 5] },
  { name: 'iam-policy', args: ['iam-policy', ...FLEET, '--include', 'all'], fleet: 'cloud.yaml' },
  { name: 'down --dry-run', args: ['down', ...FLEET, '--yes', '--dry-run'], fleet: 'minimal.yaml' },
  { name: 'down (custom host: deletes the fleet-owned SecureString)', args: ['down', ...FLEET, '--yes'], fleet: 'custom-host.yaml', once: true },
  // ↑ Add rows for new commands above this line (before the final `down`s if they need a fleet).
];

/** A fresh cwd / HOME / TMPDIR for one run, each scanned afterwards. */
function runDirs(root: string, label: string) {
  const base = mkdtempSync(join(root, `${label.replace(/[^a-z0-9]+/gi, '-').slice(0, 40)}-`));
  const dirs = { cwd: join(base, 'cwd'), home: join(base, 'home'), tmp: join(base, 'tmp') };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  return dirs;
}

function fleetInto(cwd: string, example: string, edit?: LeakCase['edit']): void {
  const doc = parseDocument(readFileSync(join(REPO_ROOT, 'examples', example), 'utf8'));
  doc.setIn(['wait'], doc.createNode({ until: 'ready', timeout: '90s', interval: '1s' }));
  edit?.(doc);
  writeFileSync(join(cwd, 'fleet.yaml'), doc.toString());
}

let e2e: E2eSandbox;
let secrets: Secrets;
let cliEnv: Record<string, string>;

beforeAll(async () => {
  e2e = await startE2eSandbox({ regions: ['us-east-1', 'us-east-2', 'us-gov-west-1', 'eu-west-1'] });
  const t = e2e.sandbox.tenable;
  secrets = {
    TIO_ACCESS_KEY: t.accessKey,
    TIO_SECRET_KEY: t.secretKey,
    // The simulator's linking key, also given as NESSUS_LINKING_KEY (custom-host.yaml reads it).
    LINKING_KEY: t.linkingKey,
    // moto accepts any credentials; '/' and '+' make the URL-encoded form differ.
    AWS_SECRET_ACCESS_KEY: `Lk/${randomBytes(27).toString('base64')}+Q`,
    AWS_SESSION_TOKEN: `IQoJb3JpZ2luX2Vj${randomBytes(48).toString('base64')}`,
    PROXY_PASSWORD: `proxy-${randomBytes(16).toString('hex')}`,
    ACTIVATION_CODE: randomBytes(10).toString('hex').toUpperCase().replace(/(.{4})(?!$)/g, '$1-'),
    SCAN_DB_PASSWORD,
  };
  cliEnv = {
    ...e2e.env,
    AWS_SECRET_ACCESS_KEY: secrets.AWS_SECRET_ACCESS_KEY!,
    AWS_SESSION_TOKEN: secrets.AWS_SESSION_TOKEN!,
    NESSUS_LINKING_KEY: t.linkingKey,
  };
}, 120_000);

afterAll(async () => {
  await e2e?.stop();
});

async function userDataHits(ctx: LeakContext, ud: NonNullable<LeakCase['userData']>): Promise<{ hits: LeakHit[]; count: number }> {
  const ec2 = ctx.e2e.ec2(ud.region);
  const out = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:nessus-byol:fleet', Values: [ud.fleet] }] }));
  const ids = (out.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId!);
  const hits: LeakHit[] = [];
  for (const id of ids) {
    const attr = await ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: id, Attribute: 'userData' }));
    const raw = attr.UserData?.Value ?? '';
    const text = Buffer.from(raw, 'base64').toString('utf8');
    hits.push(...scanText(`${raw}\n${text}`, `user-data of ${id} (${ud.fleet}, ${ud.region})`, ctx.secrets, ud.allow ?? []));
  }
  return { hits, count: ids.length };
}

describe('no command leaks a secret (stdout, stderr, --json, --verbose, files written, user-data)', () => {
  const root = mkdtempSync(join(process.env.TMPDIR ?? '/tmp', 'nessus-byol-leak-'));

  for (const c of CASES) {
    it(c.name, async () => {
      const ctx: LeakContext = { e2e, secrets };
      await c.setup?.(ctx);
      const variants: string[][] = c.once ? [['--verbose']] : [['--verbose'], ['--json', '--verbose']];
      const hits: LeakHit[] = [];
      for (const extra of variants) {
        const dirs = runDirs(root, c.name);
        if (c.fleet) fleetInto(dirs.cwd, c.fleet, c.edit);
        const env = { ...cliEnv, HOME: dirs.home, TMPDIR: dirs.tmp, XDG_CONFIG_HOME: join(dirs.home, '.config'), XDG_CACHE_HOME: join(dirs.home, '.cache'), ...c.env };
        const r: CliResult = await runCli([...c.args, ...extra], { env, cwd: dirs.cwd, timeoutMs: 180_000 });
        const label = `${c.args.join(' ')} ${extra.join(' ')}`;
        expect(r.timedOut, `${label} timed out`).toBe(false);
        expect(c.codes ?? [0], `${label} exited ${r.code}:\n${r.stderr}`).toContain(r.code);
        hits.push(...scanText(r.stdout, `stdout of ${label}`, secrets), ...scanText(r.stderr, `stderr of ${label}`, secrets));
        hits.push(...scanFiles([dirs.cwd, dirs.home, dirs.tmp], secrets));
      }
      if (c.userData) {
        const ud = await userDataHits(ctx, c.userData);
        expect(ud.count, `no instance of ${c.userData.fleet} to read user-data from`).toBeGreaterThan(0);
        hits.push(...ud.hits);
      }
      expect(hits, `secrets leaked:\n${formatHits(hits)}`).toEqual([]);
    }, 400_000);
  }
});
