import { describe, expect, it } from 'vitest';
import { fakeWorld } from './fakes.test-helper.js';
import { setupAudit, type AuditSetupOptions } from './setup.js';

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

  it('a failed credential write deletes the new key and the credential it created', async () => {
    const w = fakeWorld();
    w.tenable.getFailures = 1;
    await expect(setupAudit(w.deps, opts(), w.events)).rejects.toMatchObject({ code: 'TENABLE_UNREACHABLE' });
    expect(w.iam.keyStates('u')).toEqual([]);
    expect(w.tenable.creds.size).toBe(0);
  });

  it('uses the partition of the region for managed policy ARNs', async () => {
    const w = fakeWorld();
    w.deps.partition = 'aws-us-gov';
    await setupAudit(w.deps, opts({ securityAudit: false }), w.events);
    expect(w.iam.groups.get('g')).toEqual(['arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess']);
  });
});
