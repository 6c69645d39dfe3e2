import type { AccessKeyInfo, AccessKeyLastUsed, NewAccessKey } from '../../adapters/aws/iam-audit.js';
import type { StoredAccessKey } from '../../adapters/aws/iam-audit-secret.js';
import type {
  CredentialInput,
  TenableCredential,
  TenableCredentialSummary,
} from '../../adapters/tenable/credential.js';
import { AwsError, TenableError } from '../../core/errors.js';
import { Secret } from '../../core/secret.js';
import type {
  AuditDeps,
  AuditEvents,
  IamAuditPort,
  KeyIdentity,
  KeyProofPort,
  KeySecretStorePort,
  TenableCredentialsPort,
} from './types.js';

/** In-memory IAM, Tenable credentials and Secrets Manager for use-case unit tests (the e2e tests use moto and the simulator). */

interface FakeKey {
  id: string;
  status: 'Active' | 'Inactive';
  createdAt: Date;
  secret: string;
}

export class FakeIam implements IamAuditPort {
  groups = new Map<string, string[]>();
  users = new Map<string, { tags: Record<string, string>; groups: string[]; keys: FakeKey[] }>();
  lastUsedAt = new Map<string, Date>();
  /** When FakeSts last saw the key: a last use at exactly that time shows as `sts`, any other as `ec2` (a Tenable scan). */
  stsUseAt = new Map<string, Date>();
  /** Next call of that method throws this. */
  failNext: Partial<Record<keyof IamAuditPort, Error>> = {};
  #seq = 0;
  constructor(private readonly clock: () => Date) {}

  #fail(m: keyof IamAuditPort): void {
    const e = this.failNext[m];
    if (e) {
      delete this.failNext[m];
      throw e;
    }
  }
  #user(name: string) {
    const u = this.users.get(name);
    if (!u) throw new AwsError('NOSUCHENTITY', `no user ${name}`);
    return u;
  }

  async groupExists(name: string) {
    return this.groups.has(name);
  }
  async createGroup(name: string) {
    this.groups.set(name, []);
  }
  async groupPolicyArns(name: string) {
    return [...(this.groups.get(name) ?? [])];
  }
  async attachGroupPolicy(group: string, arn: string) {
    this.groups.get(group)!.push(arn);
  }
  async userExists(name: string) {
    return this.users.has(name);
  }
  async createUser(name: string, tags: Record<string, string>) {
    this.users.set(name, { tags: { ...tags }, groups: [], keys: [] });
  }
  async userTags(name: string) {
    return { ...this.#user(name).tags };
  }
  async tagUser(name: string, tags: Record<string, string>) {
    this.#fail('tagUser');
    Object.assign(this.#user(name).tags, tags);
  }
  async untagUser(name: string, keys: string[]) {
    for (const k of keys) delete this.#user(name).tags[k];
  }
  async userGroups(name: string) {
    return [...this.#user(name).groups];
  }
  async addUserToGroup(user: string, group: string) {
    this.#user(user).groups.push(group);
  }
  async listUserNames() {
    return [...this.users.keys()];
  }
  async accessKeys(user: string): Promise<AccessKeyInfo[]> {
    return this.#user(user).keys.map((k) => ({
      userName: user,
      accessKeyId: k.id,
      status: k.status,
      createdAt: k.createdAt,
    }));
  }
  async createAccessKey(user: string): Promise<NewAccessKey> {
    this.#fail('createAccessKey');
    const u = this.#user(user);
    if (u.keys.length >= 2) throw new AwsError('LIMITEXCEEDED', 'two keys');
    const k: FakeKey = {
      id: `AKIAFAKE${String(++this.#seq).padStart(12, '0')}`,
      status: 'Active',
      createdAt: this.clock(),
      secret: `secret-${this.#seq}-${'x'.repeat(30)}`,
    };
    u.keys.push(k);
    return {
      userName: user,
      accessKeyId: k.id,
      status: 'Active',
      createdAt: k.createdAt,
      secretAccessKey: new Secret(k.secret),
    };
  }
  async setAccessKeyStatus(user: string, id: string, status: 'Active' | 'Inactive') {
    this.#fail('setAccessKeyStatus');
    this.#user(user).keys.find((k) => k.id === id)!.status = status;
  }
  async deleteAccessKey(user: string, id: string): Promise<'deleted' | 'gone'> {
    this.#fail('deleteAccessKey');
    const u = this.#user(user);
    const before = u.keys.length;
    u.keys = u.keys.filter((k) => k.id !== id);
    return before === u.keys.length ? 'gone' : 'deleted';
  }
  async lastUsed(id: string): Promise<AccessKeyLastUsed> {
    const d = this.lastUsedAt.get(id);
    const service = d && this.stsUseAt.get(id)?.getTime() === d.getTime() ? 'sts' : 'ec2';
    return d ? { date: d, service, region: 'us-east-1' } : {};
  }

  secretOf(user: string, id: string): string | undefined {
    return this.users.get(user)?.keys.find((k) => k.id === id)?.secret;
  }
  keyStates(user: string): string[] {
    return this.#user(user).keys.map((k) => `${k.id}:${k.status}`);
  }
}

/**
 * The fields Tenable declares as `password` for each credential type (GET /credentials/types, pyTenable
 * cassette test_credentials_types_success): they come back as `********` on read.
 */
const PASSWORD_FIELDS: Record<string, readonly string[]> = {
  'Amazon AWS': ['access_key_id', 'secret_key'],
  SSH: ['password'],
};

/** Tenable's /credentials as the real API behaves: password fields masked on read, PUT answers `{"updated": true}`. */
export class FakeTenable implements TenableCredentialsPort {
  creds = new Map<string, { name: string; type: string; settings: Record<string, unknown> }>();
  /**
   * `reject`: 403, not applied (Tenable kept the old key); `server-error`: 500, not applied (the answer
   * does not say); `lose-answer`: applied, then the connection resets.
   */
  updateFault: 'reject' | 'server-error' | 'lose-answer' | null = null;
  /** The next N `getCredential` calls fail. */
  getFailures = 0;
  /** Fails every getCredential after the first N successful ones. */
  getFailAfter: number | null = null;
  gets = 0;
  puts = 0;
  #seq = 0;

  async listCredentials(): Promise<TenableCredentialSummary[]> {
    return [...this.creds.entries()].map(([uuid, c]) => ({ uuid, name: c.name, type: c.type }));
  }
  async createCredential(input: CredentialInput): Promise<string> {
    const uuid = `cred-${++this.#seq}`;
    this.creds.set(uuid, { name: input.name, type: input.type, settings: reveal(input.settings) });
    return uuid;
  }
  async updateCredential(uuid: string, input: Partial<CredentialInput>): Promise<boolean | undefined> {
    this.puts++;
    const fault = this.updateFault;
    if (fault === 'reject')
      throw new TenableError('FORBIDDEN', 'Tenable refused to let this API key update credential', { status: 403 });
    if (fault === 'server-error') throw new TenableError('HTTP_500', 'Tenable answered 500', { status: 500 });
    const c = this.creds.get(uuid);
    if (!c) throw new TenableError('NOT_FOUND', 'no such credential', { status: 404 });
    for (const [k, v] of Object.entries(reveal(input.settings ?? {}))) if (v !== MASK) c.settings[k] = v;
    if (fault === 'lose-answer') throw new TenableError('UNREACHABLE', 'connection reset');
    return true;
  }
  async getCredential(uuid: string): Promise<TenableCredential> {
    this.gets++;
    if (this.getFailures > 0 || (this.getFailAfter !== null && this.gets > this.getFailAfter)) {
      this.getFailures = Math.max(0, this.getFailures - 1);
      throw new TenableError('UNREACHABLE', 'Tenable unreachable');
    }
    const c = this.creds.get(uuid);
    if (!c) throw new TenableError('NOT_FOUND', 'no such credential', { status: 404 });
    const masked = PASSWORD_FIELDS[c.type] ?? [];
    const settings = Object.fromEntries(
      Object.entries(c.settings).map(([k, v]) => [k, masked.includes(k) && v !== '' ? MASK : v]),
    );
    return { name: c.name, type: c.type, settings };
  }
  async deleteCredential(uuid: string): Promise<'deleted' | 'gone'> {
    return this.creds.delete(uuid) ? 'deleted' : 'gone';
  }
  /** What Tenable really stores (test inspection, like reading the simulator's state). */
  held(): unknown {
    return [...this.creds.values()][0]?.settings.access_key_id;
  }
  heldSecret(): unknown {
    return [...this.creds.values()][0]?.settings.secret_key;
  }
}

const MASK = '********';

function reveal(settings: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, v instanceof Secret ? v.reveal() : v]));
}

/** STS: accepts an active key of FakeIam with its secret; can play IAM's delay for new keys, or reject. */
export class FakeSts implements KeyProofPort {
  /** The next N calls answer InvalidClientTokenId, as AWS does for a key seconds old. */
  notYetValid = 0;
  /** Every call answers InvalidClientTokenId (a key that never works, e.g. an SCP). */
  rejectAll = false;
  calls = 0;
  constructor(
    private readonly iam: FakeIam,
    private readonly clock: () => Date,
  ) {}

  async identityOfKey(accessKeyId: string, secretAccessKey: Secret): Promise<KeyIdentity> {
    this.calls++;
    const invalid: KeyIdentity = {
      ok: false,
      code: 'InvalidClientTokenId',
      message: 'The security token included in the request is invalid.',
    };
    if (this.rejectAll) return invalid;
    if (this.notYetValid > 0) {
      this.notYetValid--;
      return invalid;
    }
    for (const [name, u] of this.iam.users) {
      const k = u.keys.find((x) => x.id === accessKeyId);
      if (!k || k.status !== 'Active') continue;
      if (k.secret !== secretAccessKey.reveal())
        return { ok: false, code: 'SignatureDoesNotMatch', message: 'signature does not match' };
      // Like AWS, the call counts as a use of the key.
      const at = this.clock();
      this.iam.lastUsedAt.set(accessKeyId, at);
      this.iam.stsUseAt.set(accessKeyId, at);
      return { ok: true, account: '123456789012', arn: `arn:aws:iam::123456789012:user/${name}` };
    }
    return invalid;
  }
}

export class FakeSecrets implements KeySecretStorePort {
  store = new Map<string, { accessKeyId: string; secretAccessKey: string }>();
  failWrite = false;
  async read(name: string): Promise<StoredAccessKey | null> {
    const v = this.store.get(name);
    return v ? { accessKeyId: v.accessKeyId, secretAccessKey: new Secret(v.secretAccessKey) } : null;
  }
  async write(name: string, key: StoredAccessKey): Promise<'created' | 'updated'> {
    if (this.failWrite) throw new AwsError('INTERNAL', 'Secrets Manager failed');
    const existed = this.store.has(name);
    this.store.set(name, { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey.reveal() });
    return existed ? 'updated' : 'created';
  }
  async delete(name: string): Promise<'deleted' | 'gone'> {
    return this.store.delete(name) ? 'deleted' : 'gone';
  }
}

export interface FakeWorld {
  deps: AuditDeps;
  iam: FakeIam;
  tenable: FakeTenable;
  secrets: FakeSecrets;
  sts: FakeSts;
  clock: { now: Date };
  events: AuditEvents & { log: string[] };
}

export function fakeWorld(start = new Date('2030-01-01T00:00:00Z')): FakeWorld {
  const clock = { now: start };
  const now = () => clock.now;
  const iam = new FakeIam(now);
  const tenable = new FakeTenable();
  const secrets = new FakeSecrets();
  const sts = new FakeSts(iam, now);
  const log: string[] = [];
  return {
    iam,
    tenable,
    secrets,
    sts,
    clock,
    events: { log, progress: (m) => log.push(m), warn: (m) => log.push(`warn: ${m}`) },
    deps: {
      iam,
      sts,
      tenable,
      secrets,
      partition: 'aws',
      now,
      sleep: async (ms) => {
        clock.now = new Date(clock.now.getTime() + ms);
      },
    },
  };
}
