import { describe, expect, it } from 'vitest';
import { InterruptedError } from '../../core/errors.js';
import { fakeWorld, type FakeWorld } from './fakes.test-helper.js';
import { rotateAuditKey, type AuditRotateOptions } from './rotate.js';
import { setupAudit } from './setup.js';
import { AUDIT_TAG } from './types.js';

const USER = 'nessus-byol-audit';
const DAY = 86_400_000;
const opts = (o: Partial<AuditRotateOptions> = {}): AuditRotateOptions => ({
  user: USER,
  credentialName: 'nessus-byol AWS audit',
  graceMs: 7 * DAY,
  deleteInactive: false,
  ...o,
});

async function setUp(w: FakeWorld, secretName?: string): Promise<string> {
  const { result } = await setupAudit(
    w.deps,
    { group: 'g', user: USER, credentialName: 'nessus-byol AWS audit', securityAudit: false, adopt: false, secretName },
    w.events,
  );
  w.clock.now = new Date(w.clock.now.getTime() + 100 * DAY);
  return result.key.accessKeyId;
}

const active = (w: FakeWorld) => w.iam.keyStates(USER).filter((s) => s.endsWith(':Active'));

describe('rotateAuditKey', () => {
  it('creates, hands over, verifies, deactivates; exactly one active key, held by Tenable', async () => {
    const w = fakeWorld();
    const old = await setUp(w);
    const r = await rotateAuditKey(w.deps, opts(), w.events);
    expect(active(w)).toEqual([`${r.newKey.accessKeyId}:Active`]);
    expect(w.iam.keyStates(USER)).toContain(`${old}:Inactive`);
    expect(w.tenable.held()).toBe(r.newKey.accessKeyId);
    expect(w.tenable.heldSecret()).toBe(w.iam.secretOf(USER, r.newKey.accessKeyId));
    expect(r.deactivated).toEqual([
      { accessKeyId: old, deleteAfter: new Date(w.clock.now.getTime() + 7 * DAY).toISOString() },
    ]);
    expect(JSON.stringify(r)).not.toContain(w.iam.secretOf(USER, r.newKey.accessKeyId));
  });

  it('a rejected credential update rolls back: old key active, new key deleted', async () => {
    const w = fakeWorld();
    const old = await setUp(w);
    w.tenable.updateFault = 'reject';
    await expect(rotateAuditKey(w.deps, opts(), w.events)).rejects.toMatchObject({
      code: 'AUDIT_ROTATION_ROLLED_BACK',
    });
    expect(w.iam.keyStates(USER)).toEqual([`${old}:Active`]);
    expect(w.tenable.held()).toBe(old);
    expect(await w.iam.userTags(USER)).not.toHaveProperty(AUDIT_TAG.rotating);
  });

  it('an update whose answer was lost but which Tenable applied carries on', async () => {
    const w = fakeWorld();
    const old = await setUp(w);
    w.tenable.updateFault = 'lose-answer';
    const r = await rotateAuditKey(w.deps, opts(), w.events);
    expect(w.tenable.held()).toBe(r.newKey.accessKeyId);
    expect(w.iam.keyStates(USER)).toContain(`${old}:Inactive`);
  });

  it('when Tenable cannot be asked after the update, both keys stay active and the next run finishes', async () => {
    const w = fakeWorld();
    const old = await setUp(w);
    w.tenable.getFailAfter = w.tenable.gets + 1; // the lookup works, every read after it fails
    await expect(rotateAuditKey(w.deps, opts(), w.events)).rejects.toMatchObject({
      code: 'AUDIT_ROTATION_INCOMPLETE',
      exitCode: 1,
    });
    expect(active(w)).toHaveLength(2);
    const pending = (await w.iam.userTags(USER))[AUDIT_TAG.rotating];
    expect(w.tenable.held()).toBe(pending);

    w.tenable.getFailAfter = null;
    const r = await rotateAuditKey(w.deps, opts(), w.events);
    expect(r.resumed).toBe(true);
    expect(r.newKey.accessKeyId).toBe(pending);
    expect(active(w)).toEqual([`${pending}:Active`]);
    expect(w.iam.keyStates(USER)).toContain(`${old}:Inactive`);
  });

  it('a rotation that stopped before Tenable took the key is undone by the next run', async () => {
    const w = fakeWorld();
    const old = await setUp(w);
    const stray = await w.iam.createAccessKey(USER);
    await w.iam.tagUser(USER, { [AUDIT_TAG.rotating]: stray.accessKeyId });
    const r = await rotateAuditKey(w.deps, opts(), w.events);
    expect(r.deleted).toContain(stray.accessKeyId);
    expect(active(w)).toEqual([`${r.newKey.accessKeyId}:Active`]);
    expect(w.iam.keyStates(USER)).toContain(`${old}:Inactive`);
  });

  it('--wait-used: a timeout without the old secret keeps both keys; with Secrets Manager it rolls back fully', async () => {
    const w = fakeWorld();
    await setUp(w);
    await expect(
      rotateAuditKey(w.deps, opts({ waitUsed: { timeoutMs: 60_000, intervalMs: 10_000 } }), w.events),
    ).rejects.toMatchObject({
      code: 'AUDIT_ROTATION_INCOMPLETE',
    });
    expect(active(w)).toHaveLength(2);

    const v = fakeWorld();
    const old = await setUp(v, 'audit-key');
    await expect(
      rotateAuditKey(v.deps, opts({ waitUsed: { timeoutMs: 60_000, intervalMs: 10_000 } }), v.events),
    ).rejects.toMatchObject({
      code: 'AUDIT_ROTATION_ROLLED_BACK',
    });
    expect(v.iam.keyStates(USER)).toEqual([`${old}:Active`]);
    expect(v.tenable.held()).toBe(old);
    expect(v.tenable.heldSecret()).toBe(v.iam.secretOf(USER, old));
    expect(v.secrets.store.get('audit-key')?.accessKeyId).toBe(old);
  });

  it('--wait-used succeeds once the new key shows as used', async () => {
    const w = fakeWorld();
    await setUp(w);
    const sleep = w.deps.sleep;
    w.deps.sleep = async (ms) => {
      for (const id of w.iam.keyStates(USER).map((s) => s.split(':')[0]!))
        if (id === w.tenable.held()) w.iam.lastUsedAt.set(id, w.clock.now);
      await sleep(ms);
    };
    const r = await rotateAuditKey(w.deps, opts({ waitUsed: { timeoutMs: 60_000, intervalMs: 10_000 } }), w.events);
    expect(r.verified.usedService).toBe('ec2');
    expect(active(w)).toHaveLength(1);
  });

  it('an interrupt before the update rolls back and reports exit 130', async () => {
    const w = fakeWorld();
    const old = await setUp(w);
    const abort = new AbortController();
    const tagUser = w.iam.tagUser.bind(w.iam);
    w.iam.tagUser = async (u, t) => {
      await tagUser(u, t);
      if (AUDIT_TAG.rotating in t) abort.abort();
    };
    const e = await rotateAuditKey(w.deps, opts(), w.events, abort.signal).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(InterruptedError);
    expect(w.iam.keyStates(USER)).toEqual([`${old}:Active`]);
  });

  it('refuses with 2 keys and says which is which; --delete-inactive makes room', async () => {
    const w = fakeWorld();
    await setUp(w);
    await rotateAuditKey(w.deps, opts(), w.events);
    await expect(rotateAuditKey(w.deps, opts(), w.events)).rejects.toMatchObject({
      code: 'AUDIT_KEY_LIMIT',
      hint: expect.stringContaining('--delete-inactive'),
    });
    const r = await rotateAuditKey(w.deps, opts({ deleteInactive: true }), w.events);
    expect(r.deleted).toHaveLength(1);
    expect(active(w)).toHaveLength(1);
  });

  it('deactivation failing leaves Tenable on the new key and both keys active, to be finished later', async () => {
    const w = fakeWorld();
    await setUp(w);
    w.iam.failNext.setAccessKeyStatus = new Error('throttled');
    await expect(rotateAuditKey(w.deps, opts(), w.events)).rejects.toMatchObject({ code: 'AUDIT_ROTATION_INCOMPLETE' });
    expect(active(w)).toHaveLength(2);
    const r = await rotateAuditKey(w.deps, opts(), w.events);
    expect(r.resumed).toBe(true);
    expect(active(w)).toHaveLength(1);
  });
});
