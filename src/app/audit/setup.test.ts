import { describe, expect, it } from 'vitest';
import { fakeWorld } from './fakes.test-helper.js';
import { setupAudit, type AuditSetupOptions } from './setup.js';
import { AUDIT_TAG } from './types.js';

const opts = (o: Partial<AuditSetupOptions> = {}): AuditSetupOptions => ({
  group: 'g',
  user: 'u',
  credentialName: 'cred',
  securityAudit: true,
  adopt: false,
  ...o,
});

describe('setupAudit', () => {
  it('is idempotent and keeps the secret out of the result', async () => {
    const w = fakeWorld();
    const first = await setupAudit(w.deps, opts(), w.events);
    expect(first.result.changed).toBe(true);
    expect(first.newSecret?.reveal()).toBe(w.tenable.heldSecret());
    expect(JSON.stringify(first.result)).not.toContain(String(w.tenable.heldSecret()));
    expect(w.iam.groups.get('g')).toEqual([
      'arn:aws:iam::aws:policy/ReadOnlyAccess',
      'arn:aws:iam::aws:policy/SecurityAudit',
    ]);
    const second = await setupAudit(w.deps, opts(), w.events);
    expect(second.result.changed).toBe(false);
    expect(second.newSecret).toBeNull();
    expect(w.iam.keyStates('u')).toHaveLength(1);
  });

  it('records which key Tenable holds (it masks the key on read), and a second run creates no key', async () => {
    const w = fakeWorld();
    const { result } = await setupAudit(w.deps, opts(), w.events);
    const uuid = result.credential.uuid;
    expect((await w.tenable.getCredential(uuid)).settings.access_key_id).toBe('********');
    expect(await w.iam.userTags('u')).toMatchObject({
      [AUDIT_TAG.credential]: uuid,
      [AUDIT_TAG.tenableKey]: result.key.accessKeyId,
    });
    const again = await setupAudit(w.deps, opts(), w.events);
    expect(again.result).toMatchObject({ changed: false, key: { accessKeyId: result.key.accessKeyId, created: false } });
    expect(w.iam.keyStates('u')).toEqual([`${result.key.accessKeyId}:Active`]);
  });

  it('a key STS rejects is deleted and never reaches Tenable', async () => {
    const w = fakeWorld();
    w.sts.rejectAll = true;
    await expect(setupAudit(w.deps, opts(), w.events)).rejects.toMatchObject({ code: 'AUDIT_KEY_UNUSABLE' });
    expect(w.iam.keyStates('u')).toEqual([]);
    expect(w.tenable.creds.size).toBe(0);
  });

  it('a failure after the credential was created deletes the new key and that credential', async () => {
    const w = fakeWorld();
    w.iam.failNext.tagUser = new Error('throttled');
    await expect(setupAudit(w.deps, opts(), w.events)).rejects.toThrow('throttled');
    expect(w.iam.keyStates('u')).toEqual([]);
    expect(w.tenable.creds.size).toBe(0);
  });

  it('an existing credential with no record gets a new key by PUT; a refused PUT deletes that key', async () => {
    const w = fakeWorld();
    const uuid = await w.tenable.createCredential({ name: 'cred', type: 'Amazon AWS', settings: { access_key_id: 'AKIAOLD', secret_key: 'x' } });
    w.tenable.updateFault = 'reject';
    await expect(setupAudit(w.deps, opts(), w.events)).rejects.toMatchObject({ code: 'TENABLE_FORBIDDEN' });
    expect(w.iam.keyStates('u')).toEqual([]);
    expect(w.tenable.held()).toBe('AKIAOLD');

    w.tenable.updateFault = null;
    const { result } = await setupAudit(w.deps, opts(), w.events);
    expect(result.credential).toMatchObject({ uuid, created: false, updated: true });
    expect(w.tenable.held()).toBe(result.key.accessKeyId);
    expect((await w.iam.userTags('u'))[AUDIT_TAG.tenableKey]).toBe(result.key.accessKeyId);
  });

  it('an unclear PUT keeps the key and leaves it pending; the next setup sends it again', async () => {
    const w = fakeWorld();
    await w.tenable.createCredential({ name: 'cred', type: 'Amazon AWS', settings: { access_key_id: 'AKIAOLD', secret_key: 'x' } });
    w.tenable.updateFault = 'server-error';
    await expect(setupAudit(w.deps, opts(), w.events)).rejects.toMatchObject({ code: 'AUDIT_ROTATION_PENDING' });
    const [key] = w.iam.keyStates('u');
    expect(key).toMatch(/:Active$/);
    w.tenable.updateFault = null;
    const { result } = await setupAudit(w.deps, opts(), w.events);
    expect(result).toMatchObject({ changed: true, key: { created: false } });
    expect(w.iam.keyStates('u')).toEqual([key]);
    expect(w.tenable.held()).toBe(key!.split(':')[0]);
    expect(w.secrets.store.size).toBe(0);
  });

  it('uses the partition of the region for managed policy ARNs', async () => {
    const w = fakeWorld();
    w.deps.partition = 'aws-us-gov';
    await setupAudit(w.deps, opts({ securityAudit: false }), w.events);
    expect(w.iam.groups.get('g')).toEqual(['arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess']);
  });
});
