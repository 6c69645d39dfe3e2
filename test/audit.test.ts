import {
  CreateAccessKeyCommand,
  GetAccessKeyLastUsedCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListAttachedGroupPoliciesCommand,
  ListGroupsForUserCommand,
  ListUserTagsCommand,
  GetUserCommand,
  type AccessKeyMetadata,
} from '@aws-sdk/client-iam';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { spawn, spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMoto, type MotoServer } from '../src/sandbox/moto.js';
import { startTenableSimulator, type TenableSimulator } from '../src/sandbox/tenable-simulator.js';
import { parse as parseYaml } from 'yaml';
import {
  BIN,
  cliEnv,
  expectNoStackTrace,
  HAS_SCRIPT_PTY,
  parseSingleJson,
  REPO_ROOT,
  runCli,
  runCliInTerminal,
  type CliResult,
} from './helpers/cli.js';

/**
 * `audit setup | keys | rotate` through the built CLI against moto_server (IAM, STS, Secrets
 * Manager) and the Tenable simulator's /credentials. Every run's output is scanned for secrets.
 */

const TIO = { access: 'a'.repeat(64), secret: 'b'.repeat(64) };
const USER = 'nessus-byol-audit';
const GROUP = 'nessus-byol-audit';
const DAY = 86_400_000;

let root: string;
let moto: MotoServer;
let sim: TenableSimulator;
let iam: IAMClient;
/** Every secret access key the test has seen (IAM answers, the simulator's store, Secrets Manager). */
const secrets = new Set<string>();

const awsClientConfig = () => ({
  endpoint: moto.endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
});

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'nessus-byol-audit-'));
  [moto, sim] = await Promise.all([
    startMoto({ stateDir: join(root, 'moto') }),
    startTenableSimulator({ accessKey: TIO.access, secretKey: TIO.secret, linkingKey: 'c'.repeat(64) }),
  ]);
  iam = new IAMClient(awsClientConfig());
});

afterAll(async () => {
  await Promise.all([moto?.stop(), sim?.stop()]);
  await rm(root, { recursive: true, force: true });
});

beforeEach(async () => {
  await fetch(`${moto.endpoint}/moto-api/reset`, { method: 'POST' });
  sim.reset();
});

function env(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-east-1',
    NESSUS_BYOL_TENABLE_API_URL: sim.url,
    TIO_ACCESS_KEY: TIO.access,
    TIO_SECRET_KEY: TIO.secret,
    ...extra,
  };
}

/** Runs the CLI and fails if any secret seen so far (or held by the simulator now) shows in its output. */
async function cli(args: string[], extraEnv: Record<string, string | undefined> = {}): Promise<CliResult> {
  const r = await runCli(['audit', ...args], { env: env(extraEnv), timeoutMs: 60_000 });
  expectNoStackTrace(r.stderr);
  collectSimSecrets();
  for (const s of secrets) {
    expect(r.stdout.includes(s), `a secret access key leaked on stdout of audit ${args.join(' ')}`).toBe(false);
    expect(r.stderr.includes(s), `a secret access key leaked on stderr of audit ${args.join(' ')}`).toBe(false);
  }
  for (const s of [TIO.access, TIO.secret]) expect(r.stdout + r.stderr).not.toContain(s);
  return r;
}

async function json(args: string[], extraEnv: Record<string, string | undefined> = {}) {
  const r = await cli([...args, '--json'], extraEnv);
  return { r, doc: parseSingleJson(r.stdout) };
}

function collectSimSecrets(): void {
  for (const c of sim.state.credentials.values()) {
    const s = c.settings.secret_key;
    if (typeof s === 'string' && s) secrets.add(s);
  }
}

function awsCredentials() {
  return [...sim.state.credentials.values()].filter((c) => c.type === 'Amazon AWS');
}

async function keysOf(user = USER): Promise<AccessKeyMetadata[]> {
  const out = await iam.send(new ListAccessKeysCommand({ UserName: user }));
  return out.AccessKeyMetadata ?? [];
}

async function tagsOf(user = USER): Promise<Record<string, string>> {
  const out = await iam.send(new ListUserTagsCommand({ UserName: user }));
  return Object.fromEntries((out.Tags ?? []).map((t) => [t.Key!, t.Value ?? '']));
}

async function tenableGet(path: string): Promise<unknown> {
  const r = await fetch(`${sim.url}${path}`, { headers: { 'X-ApiKeys': `accessKey=${TIO.access}; secretKey=${TIO.secret}` } });
  return r.json();
}

async function pendingSecret(user = USER): Promise<Record<string, string> | null> {
  const sm = new SecretsManagerClient(awsClientConfig());
  try {
    const out = await sm.send(new GetSecretValueCommand({ SecretId: `nessus-byol/audit-pending/${user}` }));
    const v = JSON.parse(out.SecretString ?? '{}') as Record<string, string>;
    if (v.secretAccessKey) secrets.add(v.secretAccessKey);
    return v;
  } catch (e) {
    if ((e as { name?: string }).name === 'ResourceNotFoundException') return null;
    throw e;
  }
}

const credentialWrites = () =>
  sim.requests.filter((q) => q.path.startsWith('/credentials') && (q.method === 'POST' || q.method === 'PUT'));

describe('audit setup', () => {
  it('creates the group, user, key and Tenable credential, and a second run changes nothing', async () => {
    const first = await json(['setup', '--security-audit']);
    expect(first.r.code, first.r.stderr).toBe(0);
    expect(first.doc).toMatchObject({ ok: true, changed: true, key: { created: true }, credential: { created: true } });

    const policies = await iam.send(new ListAttachedGroupPoliciesCommand({ GroupName: GROUP }));
    expect((policies.AttachedPolicies ?? []).map((p) => p.PolicyArn).sort()).toEqual([
      'arn:aws:iam::aws:policy/ReadOnlyAccess',
      'arn:aws:iam::aws:policy/SecurityAudit',
    ]);
    const groups = await iam.send(new ListGroupsForUserCommand({ UserName: USER }));
    expect((groups.Groups ?? []).map((g) => g.GroupName)).toEqual([GROUP]);
    const keys = await keysOf();
    expect(keys).toHaveLength(1);
    expect(keys[0]!.Status).toBe('Active');

    const creds = awsCredentials();
    expect(creds).toHaveLength(1);
    const cred = creds[0]!;
    expect(cred.name).toBe('nessus-byol AWS audit');
    expect(cred.settings.access_key_id).toBe(keys[0]!.AccessKeyId);
    expect(String(cred.settings.secret_key)).toMatch(/^\S{40}$/);
    const tags = await tagsOf();
    expect(tags).toMatchObject({
      'nessus-byol:managed': 'true',
      'nessus-byol:tenable-credential': cred.uuid,
      // Tenable masks the key on read; this record is how the tool knows which key it holds.
      'nessus-byol:tenable-access-key-id': keys[0]!.AccessKeyId,
    });
    const shown = (await tenableGet(`/credentials/${cred.uuid}`)) as { settings: Record<string, unknown> };
    expect(shown.settings).toEqual({ access_key_id: '********', secret_key: '********' });
    // Nothing reads the credential back to check the key (it could not): the POST's uuid confirms it.
    expect(sim.requests.filter((q) => q.method === 'GET' && q.path === `/credentials/${cred.uuid}`)).toHaveLength(1);

    const writes = credentialWrites().length;
    const second = await json(['setup', '--security-audit']);
    expect(second.r.code, second.r.stderr).toBe(0);
    expect(second.doc).toMatchObject({
      ok: true,
      changed: false,
      key: { accessKeyId: keys[0]!.AccessKeyId, created: false },
      credential: { uuid: cred.uuid, created: false, updated: false },
    });
    expect(credentialWrites()).toHaveLength(writes);
    expect(await keysOf()).toHaveLength(1);
    expect(awsCredentials()).toHaveLength(1);

    const text = await cli(['setup', '--security-audit']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('No changes');
  });

  it('keeps a copy in Secrets Manager when asked, and never prints the secret', async () => {
    const { r, doc } = await json(['setup', '--secrets-manager', 'nessus-byol/audit-key']);
    expect(r.code, r.stderr).toBe(0);
    expect(doc).toMatchObject({ secretsManager: { name: 'nessus-byol/audit-key', written: 'created' } });
    const sm = new SecretsManagerClient(awsClientConfig());
    const stored = JSON.parse(
      (await sm.send(new GetSecretValueCommand({ SecretId: 'nessus-byol/audit-key' }))).SecretString ?? '{}',
    ) as Record<string, string>;
    secrets.add(stored.secretAccessKey!);
    const cred = awsCredentials()[0]!;
    expect(stored).toEqual({ accessKeyId: cred.settings.access_key_id, secretAccessKey: cred.settings.secret_key });
  });

  it('refuses --show-secret-once when stdout is not a terminal, before touching anything', async () => {
    const r = await cli(['setup', '--show-secret-once']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--show-secret-once.*terminal/);
    await expect(iam.send(new GetUserCommand({ UserName: USER }))).rejects.toThrow();
    expect(awsCredentials()).toHaveLength(0);
  });

  it.skipIf(!HAS_SCRIPT_PTY)('--show-secret-once shows a new secret on a terminal, once', async () => {
    const first = await runCliInTerminal(['audit', 'setup', '--show-secret-once'], { env: env() });
    expect(first.code, first.output).toBe(0);
    const secret = String(awsCredentials()[0]!.settings.secret_key);
    expect(first.output).toContain(`Secret access key: ${secret}`);
    const again = await runCliInTerminal(['audit', 'setup', '--show-secret-once'], { env: env() });
    expect(again.code, again.output).toBe(0);
    expect(again.output).not.toContain(secret);
    expect(again.output).toContain('no key was created');
  });

  it('refuses to take over a user it did not create unless --adopt', async () => {
    await runAws(`aws iam create-user --user-name NessusAuditor`);
    const refused = await cli(['setup', '--user', 'NessusAuditor']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--adopt');
    expect(awsCredentials()).toHaveLength(0);
    const adopted = await json(['setup', '--user', 'NessusAuditor', '--adopt']);
    expect(adopted.r.code, adopted.r.stderr).toBe(0);
    expect(adopted.doc).toMatchObject({ user: { name: 'NessusAuditor', adopted: true } });
  });
});

describe('audit keys (CIS AWS 1.14)', () => {
  it('passes fresh keys and fails keys older than 90 days with exit 5', async () => {
    expect((await cli(['setup'])).code).toBe(0);
    const [key] = await keysOf();

    const fresh = await json(['keys']);
    expect(fresh.r.code, fresh.r.stderr).toBe(0);
    expect(fresh.doc).toMatchObject({
      ok: true,
      failing: 0,
      maxAgeDays: 90,
      keys: [{ accessKeyId: key!.AccessKeyId, status: 'Active', result: 'PASS', ageDays: 0 }],
    });

    const later = new Date(Date.now() + 100 * DAY).toISOString();
    const old = await json(['keys'], { NESSUS_BYOL_NOW: later });
    expect(old.r.code).toBe(5);
    expect(old.doc).toMatchObject({
      ok: false,
      error: {
        code: 'CHECK_FAILED',
        failing: 1,
        keys: [{ accessKeyId: key!.AccessKeyId, result: 'FAIL', ageDays: 100 }],
      },
    });

    const table = await cli(['keys'], { NESSUS_BYOL_NOW: later });
    expect(table.code).toBe(5);
    // The TENABLE column: `audit setup` recorded this key as the one the Tenable credential holds.
    expect(table.stdout).toMatch(/ACCESS KEY ID\s+STATUS\s+TENABLE\s+AGE/);
    expect(table.stdout).toMatch(new RegExp(`${key!.AccessKeyId}\\s+Active\\s+holds\\s+100d.*FAIL`));
    expect(table.stderr).toContain('CIS AWS 1.14');

    const lenient = await cli(['keys', '--max-age-days', '120'], { NESSUS_BYOL_NOW: later });
    expect(lenient.code, lenient.stderr).toBe(0);
  });

  it('reports last use and covers every user with --all-users', async () => {
    expect((await cli(['setup'])).code).toBe(0);
    await runAws(
      'aws iam create-user --user-name someone-else && aws iam create-access-key --user-name someone-else > /dev/null',
    );
    const held = awsCredentials()[0]!.settings;
    await useKey(String(held.access_key_id), String(held.secret_key));

    const { r, doc } = await json(['keys', '--all-users'], {
      NESSUS_BYOL_NOW: new Date(Date.now() + 91 * DAY).toISOString(),
    });
    expect(r.code).toBe(5);
    const keys = (doc.error as { keys: Array<Record<string, unknown>> }).keys;
    expect(keys.map((k) => k.user).sort()).toEqual([USER, 'someone-else']);
    expect(keys.find((k) => k.user === USER)).toMatchObject({ lastUsedService: 'sts', result: 'FAIL' });
    expect(keys.find((k) => k.user === 'someone-else')).toMatchObject({ lastUsedAt: null });
  });

  it('fails with exit 1 and a hint when the audit user does not exist', async () => {
    const r = await cli(['keys']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('audit setup');
  });
});

describe('audit rotate', () => {
  it('ends with exactly one active key, held by the Tenable credential; the old one goes after the grace period', async () => {
    expect((await cli(['setup'])).code).toBe(0);
    const [old] = await keysOf();

    const { r, doc } = await json(['rotate']);
    expect(r.code, r.stderr).toBe(0);
    const keys = await keysOf();
    const active = keys.filter((k) => k.Status === 'Active');
    expect(active).toHaveLength(1);
    expect(active[0]!.AccessKeyId).not.toBe(old!.AccessKeyId);
    expect(keys.find((k) => k.AccessKeyId === old!.AccessKeyId)?.Status).toBe('Inactive');
    const cred = awsCredentials()[0]!;
    expect(cred.settings.access_key_id).toBe(active[0]!.AccessKeyId);
    expect(doc).toMatchObject({
      ok: true,
      newKey: { accessKeyId: active[0]!.AccessKeyId },
      deactivated: [{ accessKeyId: old!.AccessKeyId }],
    });
    expect(await tagsOf()).toHaveProperty(`nessus-byol:inactive-since:${old!.AccessKeyId}`);
    expect(await tagsOf()).not.toHaveProperty('nessus-byol:rotating');
    expect((await tagsOf())['nessus-byol:tenable-access-key-id']).toBe(active[0]!.AccessKeyId);
    // The simulator masks access_key_id like Tenable; rotate read no key back, the PUT's answer confirmed it.
    expect(((await tenableGet(`/credentials/${cred.uuid}`)) as { settings: Record<string, unknown> }).settings.access_key_id).toBe('********');
    expect(sim.requests.filter((q) => q.method === 'PUT' && q.path === `/credentials/${cred.uuid}`)).toHaveLength(1);

    // audit keys says which key Tenable holds (from the record; it needs no Tenable keys).
    const listed = await json(['keys'], { TIO_ACCESS_KEY: undefined, TIO_SECRET_KEY: undefined });
    expect(listed.r.code, listed.r.stderr).toBe(0);
    expect(listed.doc.keys).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ accessKeyId: active[0]!.AccessKeyId, heldByTenable: true }),
        expect.objectContaining({ accessKeyId: old!.AccessKeyId, heldByTenable: false }),
      ]),
    );

    // Within the grace period the inactive key blocks another rotation, with the way out.
    const again = await cli(['rotate']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already has 2 access keys');
    expect(again.stderr).toContain('--delete-inactive');

    // Past the grace period `audit keys --fix` deletes it.
    const fixed = await json(['keys', '--fix'], { NESSUS_BYOL_NOW: new Date(Date.now() + 8 * DAY).toISOString() });
    expect(fixed.r.code, fixed.r.stderr).toBe(0);
    expect(fixed.doc).toMatchObject({ deleted: [old!.AccessKeyId] });
    expect((await keysOf()).map((k) => k.AccessKeyId)).toEqual([active[0]!.AccessKeyId]);
    expect(await tagsOf()).not.toHaveProperty(`nessus-byol:inactive-since:${old!.AccessKeyId}`);
  });

  it('a later rotate deletes keys inactive past the grace; --grace 0 deletes the old key at once', async () => {
    expect((await cli(['setup'])).code).toBe(0);
    expect((await cli(['rotate'])).code).toBe(0);
    const later = await json(['rotate', '--grace', '0'], {
      NESSUS_BYOL_NOW: new Date(Date.now() + 8 * DAY).toISOString(),
    });
    expect(later.r.code, later.r.stderr).toBe(0);
    const keys = await keysOf();
    expect(keys).toHaveLength(1);
    expect(keys[0]!.Status).toBe('Active');
    expect(awsCredentials()[0]!.settings.access_key_id).toBe(keys[0]!.AccessKeyId);
    expect((later.doc.deleted as string[]).length).toBe(2);
  });

  it('refuses when the user already has 2 keys, changing nothing', async () => {
    expect((await cli(['setup'])).code).toBe(0);
    const extra = await iam.send(new CreateAccessKeyCommand({ UserName: USER }));
    secrets.add(extra.AccessKey!.SecretAccessKey!);
    const before = (await keysOf()).map((k) => `${k.AccessKeyId}:${k.Status}`).sort();
    const heldBefore = awsCredentials()[0]!.settings.access_key_id;
    const writes = credentialWrites().length;

    const { r, doc } = await json(['rotate']);
    expect(r.code).toBe(1);
    expect(doc).toMatchObject({ ok: false, error: { code: 'AUDIT_KEY_LIMIT' } });
    expect(String((doc.error as { hint: string }).hint)).toContain('update-access-key');
    expect((await keysOf()).map((k) => `${k.AccessKeyId}:${k.Status}`).sort()).toEqual(before);
    expect(awsCredentials()[0]!.settings.access_key_id).toBe(heldBefore);
    expect(credentialWrites()).toHaveLength(writes);
  });

  it('--delete-inactive makes room by deleting an inactive key first', async () => {
    expect((await cli(['setup'])).code).toBe(0);
    expect((await cli(['rotate'])).code).toBe(0);
    const r = await cli(['rotate', '--delete-inactive']);
    expect(r.code, r.stderr).toBe(0);
    const keys = await keysOf();
    expect(keys.filter((k) => k.Status === 'Active')).toHaveLength(1);
    expect(keys).toHaveLength(2);
  });

  it('rolls back when Tenable fails the credential update: the old key stays active, the new key is deleted', async () => {
    expect((await cli(['setup'])).code).toBe(0);
    const [old] = await keysOf();
    sim.setFaults([{ method: 'PUT', pathPrefix: '/credentials/', status: 403, times: 1 }]);

    const { r, doc } = await json(['rotate']);
    expect(r.code).toBe(1);
    expect(doc).toMatchObject({
      ok: false,
      error: { code: 'AUDIT_ROTATION_ROLLED_BACK', rolledBack: true, causeCode: 'TENABLE_FORBIDDEN' },
    });
    const keys = await keysOf();
    expect(keys.map((k) => [k.AccessKeyId, k.Status])).toEqual([[old!.AccessKeyId, 'Active']]);
    expect(awsCredentials()[0]!.settings.access_key_id).toBe(old!.AccessKeyId);
    expect(await tagsOf()).not.toHaveProperty('nessus-byol:rotating');
    // A PUT was attempted (the failure happened during the update, not before it).
    expect(sim.requests.some((q) => q.method === 'PUT' && q.status === 403)).toBe(true);
    expect(await pendingSecret()).toBeNull();
    expect((await tagsOf())['nessus-byol:tenable-access-key-id']).toBe(old!.AccessKeyId);

    // Once Tenable answers again, the rotation works.
    const retry = await cli(['rotate']);
    expect(retry.code, retry.stderr).toBe(0);
  });

  it('an unclear update (5xx) keeps both keys and records it pending; the next rotate sends the same PUT and finishes', async () => {
    expect((await cli(['setup'])).code).toBe(0);
    const [old] = await keysOf();
    // Every attempt (the first and its 5 retries) fails: Tenable may or may not have applied it.
    sim.setFaults([{ method: 'PUT', pathPrefix: '/credentials/', status: 500, times: 6 }]);

    const { r, doc } = await json(['rotate']);
    expect(r.code).toBe(1);
    expect(doc).toMatchObject({
      ok: false,
      error: { code: 'AUDIT_ROTATION_PENDING', rolledBack: false, causeCode: 'TENABLE_HTTP_500' },
    });
    expect(String((doc.error as { hint: string }).hint)).toContain('audit rotate');
    const keys = await keysOf();
    expect(keys.map((k) => k.Status)).toEqual(['Active', 'Active']);
    const pending = keys.find((k) => k.AccessKeyId !== old!.AccessKeyId)!.AccessKeyId!;
    const tags = await tagsOf();
    expect(tags['nessus-byol:rotating']).toBe(pending);
    expect(tags['nessus-byol:tenable-access-key-id']).toBe(old!.AccessKeyId);
    expect((await pendingSecret())?.accessKeyId).toBe(pending);
    expect(awsCredentials()[0]!.settings.access_key_id).toBe(old!.AccessKeyId);
    const putsBefore = sim.requests.filter((q) => q.method === 'PUT').length;

    const again = await json(['rotate']);
    expect(again.r.code, again.r.stderr).toBe(0);
    expect(again.doc).toMatchObject({ ok: true, resumed: true, newKey: { accessKeyId: pending } });
    const puts = sim.requests.filter((q) => q.method === 'PUT');
    expect(puts).toHaveLength(putsBefore + 1);
    expect(puts.at(-1)!.status).toBe(200);
    expect(awsCredentials()[0]!.settings.access_key_id).toBe(pending);
    const after = await keysOf();
    expect(after.find((k) => k.AccessKeyId === pending)?.Status).toBe('Active');
    expect(after.find((k) => k.AccessKeyId === old!.AccessKeyId)?.Status).toBe('Inactive');
    expect(await pendingSecret()).toBeNull();
    expect(await tagsOf()).toMatchObject({ 'nessus-byol:tenable-access-key-id': pending });
    expect(await tagsOf()).not.toHaveProperty('nessus-byol:rotating');
  }, 90_000);

  it('with --secrets-manager refreshes the stored copy and, after Tenable took the new key, can still roll back', async () => {
    const sm = new SecretsManagerClient(awsClientConfig());
    const read = async () =>
      JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: 'audit-key' }))).SecretString ?? '{}') as Record<
        string,
        string
      >;
    expect((await cli(['setup', '--secrets-manager', 'audit-key'])).code).toBe(0);
    const [old] = await keysOf();

    // rotate finds the secret through the user's tag; --wait-used times out: Tenable never used the key.
    const failed = await json(['rotate', '--wait-used', '2s']);
    expect(failed.r.code).toBe(1);
    expect(failed.doc).toMatchObject({
      error: { code: 'AUDIT_ROTATION_ROLLED_BACK', causeCode: 'AUDIT_KEY_NOT_USED' },
    });
    expect((await keysOf()).map((k) => [k.AccessKeyId, k.Status])).toEqual([[old!.AccessKeyId, 'Active']]);
    expect(awsCredentials()[0]!.settings.access_key_id).toBe(old!.AccessKeyId);
    expect((await read()).accessKeyId).toBe(old!.AccessKeyId);

    const ok = await json(['rotate']);
    expect(ok.r.code, ok.r.stderr).toBe(0);
    const stored = await read();
    secrets.add(stored.secretAccessKey!);
    expect(stored.accessKeyId).toBe(awsCredentials()[0]!.settings.access_key_id);
    expect(ok.doc).toMatchObject({ secretsManager: { name: 'audit-key', written: 'updated' } });
  });

  it('--wait-used waits until AWS reports the new key used before deactivating the old one', async () => {
    expect((await cli(['setup'])).code).toBe(0);
    const [old] = await keysOf();
    const running = json(['rotate', '--wait-used', '40s']);
    // Play Tenable: once the credential holds a new key, scan with it.
    let used = '';
    for (let i = 0; i < 200 && !used; i++) {
      const held = awsCredentials()[0]!.settings;
      if (held.access_key_id !== old!.AccessKeyId) {
        await useKey(String(held.access_key_id), String(held.secret_key));
        used = String(held.access_key_id);
      } else await new Promise((r) => setTimeout(r, 100));
    }
    expect(used).not.toBe('');
    const { r, doc } = await running;
    expect(r.code, r.stderr).toBe(0);
    expect(doc).toMatchObject({ newKey: { accessKeyId: used }, verified: { usedService: 'sts' } });
    const lastUsed = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: used }));
    expect(lastUsed.AccessKeyLastUsed?.LastUsedDate).toBeDefined();
    expect((await keysOf()).find((k) => k.AccessKeyId === old!.AccessKeyId)?.Status).toBe('Inactive');
  });

  it('fails with a hint when setup was never run', async () => {
    const r = await cli(['rotate']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('nessus-byol audit setup');
  });
});

describe('flags', () => {
  it('bad flags exit 2 with every problem listed', async () => {
    const { r, doc } = await json(['rotate', '--grace', 'soon', '--user', 'bad user!']);
    expect(r.code).toBe(2);
    expect((doc.error as { problems: string[] }).problems).toHaveLength(2);
  });

  it('each audit command has --help with examples', async () => {
    for (const sub of [[], ['setup'], ['keys'], ['rotate']]) {
      const r = await runCli(['audit', ...sub, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Examples:');
    }
  });
});

/** Signs a request with the key against moto, which then reports it in GetAccessKeyLastUsed. */
async function useKey(accessKeyId: string, secretAccessKey: string): Promise<void> {
  const sts = new STSClient({ ...awsClientConfig(), credentials: { accessKeyId, secretAccessKey } });
  await sts.send(new GetCallerIdentityCommand({}));
}

async function runAws(script: string): Promise<void> {
  const r = spawnSync('bash', ['-c', script], {
    env: {
      ...process.env,
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_DEFAULT_REGION: 'us-east-1',
    },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`${script}: ${r.stderr}`);
}

describe('the GitHub Actions example', () => {
  interface Step {
    name?: string;
    run?: string;
    if?: string;
  }

  it('checks weekly, rotates only on exit 5, and ends compliant (its run steps executed against moto)', async () => {
    const wf = parseYaml(await readFile(join(REPO_ROOT, 'examples/github-actions/audit-keys.yml'), 'utf8')) as {
      on: { schedule: Array<{ cron: string }> };
      jobs: Record<string, { steps: Step[] }>;
    };
    expect(wf.on.schedule[0]!.cron).toMatch(/^\S+ \S+ \* \* \d$/);
    const steps = Object.values(wf.jobs)[0]!.steps;
    const step = (name: RegExp) => steps.find((s) => s.name && name.test(s.name))!;
    const check = step(/Check key age/);
    const rotate = step(/Rotate/);
    const confirm = step(/Confirm/);
    expect(rotate.if).toContain("steps.keys.outputs.exit == '5'");

    const bin = join(root, 'gha-bin');
    await mkdir(bin, { recursive: true });
    await writeFile(join(bin, 'nessus-byol'), `#!/bin/sh\nexec '${process.execPath}' '${BIN}' "$@"\n`);
    await chmod(join(bin, 'nessus-byol'), 0o755);
    const output = join(root, 'gha-output');
    // Async: the Tenable simulator lives in this process and must keep answering while the step runs.
    const runStep = async (s: Step, extra: Record<string, string> = {}) => {
      const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', s.run!], {
        env: cliEnv({ ...env(extra), PATH: `${bin}:${process.env.PATH}`, GITHUB_OUTPUT: output }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let text = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (text += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (text += d));
      const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
      collectSimSecrets();
      for (const secret of secrets) expect(text).not.toContain(secret);
      return { status, text };
    };

    expect((await cli(['setup'])).code).toBe(0);
    await writeFile(output, '');
    const fresh = await runStep(check);
    expect(fresh.status, fresh.text).toBe(0);
    expect(await readFile(output, 'utf8')).toContain('exit=0');

    await writeFile(output, '');
    const [old] = await keysOf();
    const due = await runStep(check, { NESSUS_BYOL_NOW: new Date(Date.now() + 95 * DAY).toISOString() });
    expect(due.status, due.text).toBe(0);
    expect(await readFile(output, 'utf8')).toContain('exit=5');
    const rotated = await runStep(rotate);
    expect(rotated.status, rotated.text).toBe(0);
    const confirmed = await runStep(confirm);
    expect(confirmed.status, confirmed.text).toBe(0);
    const active = (await keysOf()).filter((k) => k.Status === 'Active');
    expect(active).toHaveLength(1);
    expect(active[0]!.AccessKeyId).not.toBe(old!.AccessKeyId);
    expect(awsCredentials()[0]!.settings.access_key_id).toBe(active[0]!.AccessKeyId);
  });
});
