import { describe, expect, it } from 'vitest';
import { InterruptedError } from '../../core/errors.js';
import { fakeWorld, type FakeWorld } from './fakes.test-helper.js';
import { rotateAuditKey, type AuditRotateOptions } from './rotate.js';
import { setupAudit } from './setup.js';
import { AUDIT_TAG, KEY_PROOF, pendingHandOverSecret } from './types.js';

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

  it('Tenable masks the key on read; the record on the user says which key it holds', async () => {
    const w = fakeWorld();
    const old = await setUp(w);
    const uuid = [...w.tenable.creds.keys()][0]!;
    expect((await w.tenable.getCredential(uuid)).settings).toEqual({ access_key_id: '********', secret_key: '********' });
    expect((await w.iam.userTags(USER))[AUDIT_TAG.tenableKey]).toBe(old);
    const r = await rotateAuditKey(w.deps, opts(), w.events);
    expect((await w.iam.userTags(USER))[AUDIT_TAG.tenableKey]).toBe(r.newKey.accessKeyId);
    expect(r.verified).toMatchObject({ credentialHoldsKey: true, keyWorks: true });
    expect(w.secrets.store.has(pendingHandOverSecret(USER))).toBe(false);
  });

  for (const fault of ['server-error', 'lose-answer'] as const) {
    it(`an unclear update (${fault}) keeps both keys, records it pending, and the next run sends the same update and finishes`, async () => {
      const w = fakeWorld();
      const old = await setUp(w);
      w.tenable.updateFault = fault;
      const e = await rotateAuditKey(w.deps, opts(), w.events).catch((x: unknown) => x);
      expect(e).toMatchObject({ code: 'AUDIT_ROTATION_PENDING', exitCode: 1, hint: expect.stringContaining('audit rotate') });
      expect(active(w)).toHaveLength(2);
      const tags = await w.iam.userTags(USER);
      const pending = tags[AUDIT_TAG.rotating]!;
      expect(pending).not.toBe(old);
      expect(tags[AUDIT_TAG.tenableKey]).toBe(old); // not confirmed, so not recorded
      expect(w.secrets.store.get(pendingHandOverSecret(USER))).toEqual({
        accessKeyId: pending,
        secretAccessKey: w.iam.secretOf(USER, pending),
      });
      expect(String(e)).not.toContain(w.iam.secretOf(USER, pending));

      w.tenable.updateFault = null;
      const puts = w.tenable.puts;
      const r = await rotateAuditKey(w.deps, opts(), w.events);
      expect(w.tenable.puts).toBe(puts + 1);
      expect(r).toMatchObject({ resumed: true, newKey: { accessKeyId: pending } });
      expect(w.tenable.held()).toBe(pending);
      expect(w.tenable.heldSecret()).toBe(w.iam.secretOf(USER, pending));
      expect(active(w)).toEqual([`${pending}:Active`]);
      expect(w.iam.keyStates(USER)).toContain(`${old}:Inactive`);
      const after = await w.iam.userTags(USER);
      expect(after[AUDIT_TAG.tenableKey]).toBe(pending);
      expect(after).not.toHaveProperty(AUDIT_TAG.rotating);
      expect(w.secrets.store.has(pendingHandOverSecret(USER))).toBe(false);
    });
  }

  it('a resent update that is still unclear changes nothing and stays pending', async () => {
    const w = fakeWorld();
    await setUp(w);
    w.tenable.updateFault = 'server-error';
    await expect(rotateAuditKey(w.deps, opts(), w.events)).rejects.toMatchObject({ code: 'AUDIT_ROTATION_PENDING' });
    const keys = w.iam.keyStates(USER);
    await expect(rotateAuditKey(w.deps, opts(), w.events)).rejects.toMatchObject({ code: 'AUDIT_ROTATION_PENDING' });
    expect(w.iam.keyStates(USER)).toEqual(keys);
  });

  it('STS rejecting the new key rolls back before Tenable is asked: new key deleted, old key active', async () => {
    const w = fakeWorld();
    const old = await setUp(w);
    const puts = w.tenable.puts;
    w.sts.rejectAll = true;
    const start = w.clock.now.getTime();
    const e = await rotateAuditKey(w.deps, opts(), w.events).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'AUDIT_ROTATION_ROLLED_BACK', data: { causeCode: 'AUDIT_KEY_UNUSABLE' } });
    expect(w.clock.now.getTime() - start).toBeGreaterThanOrEqual(KEY_PROOF.timeoutMs);
    expect(w.clock.now.getTime() - start).toBeLessThan(KEY_PROOF.timeoutMs + 5_000);
    expect(w.tenable.puts).toBe(puts);
    expect(w.iam.keyStates(USER)).toEqual([`${old}:Active`]);
    expect(w.tenable.held()).toBe(old);
  });

  it('waits while a new key is not accepted yet (InvalidClientTokenId), then carries on', async () => {
    const w = fakeWorld();
    await setUp(w);
    w.sts.notYetValid = 3;
    const calls = w.sts.calls;
    const r = await rotateAuditKey(w.deps, opts(), w.events);
    expect(w.sts.calls - calls).toBe(4);
    expect(w.tenable.held()).toBe(r.newKey.accessKeyId);
  });

  it('when the pending record cannot be written, nothing is sent and the rotation is rolled back', async () => {
    const w = fakeWorld();
    const old = await setUp(w);
    const puts = w.tenable.puts;
    w.secrets.failWrite = true;
    await expect(rotateAuditKey(w.deps, opts(), w.events)).rejects.toMatchObject({ code: 'AUDIT_ROTATION_ROLLED_BACK' });
    expect(w.tenable.puts).toBe(puts);
    expect(w.iam.keyStates(USER)).toEqual([`${old}:Active`]);
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
