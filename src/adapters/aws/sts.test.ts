import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeWorld } from '../../app/audit/fakes.test-helper.js';
import { rotateAuditKey } from '../../app/audit/rotate.js';
import { setupAudit } from '../../app/audit/setup.js';
import { KEY_PROOF } from '../../app/audit/types.js';
import { Secret } from '../../core/secret.js';
import { identityOfKey } from './sts.js';

/** The key proof against an STS that rejects the key (moto accepts any secret, so this is where the failure path is proven). */

const sts = mockClient(STSClient);
afterEach(() => sts.reset());

const invalidToken = () =>
  Object.assign(new Error('The security token included in the request is invalid.'), {
    name: 'InvalidClientTokenId',
    $metadata: { httpStatusCode: 403 },
  });

describe('identityOfKey', () => {
  it('signs with the given key, not the default chain', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/u' });
    const r = await identityOfKey({ region: 'us-east-1', profile: 'someone-else' }, 'AKIANEWKEY', new Secret('new-secret'));
    expect(r).toEqual({ ok: true, account: '123456789012', arn: 'arn:aws:iam::123456789012:user/u' });
    const client = sts.call(0).thisValue as STSClient;
    const creds = await (client.config.credentials as () => Promise<{ accessKeyId: string; secretAccessKey: string }>)();
    expect(creds).toMatchObject({ accessKeyId: 'AKIANEWKEY', secretAccessKey: 'new-secret' });
  });

  it('STS rejecting the key is an answer with its code', async () => {
    sts.on(GetCallerIdentityCommand).rejects(invalidToken());
    expect(await identityOfKey({ region: 'us-east-1' }, 'AKIANEWKEY', new Secret('s'))).toMatchObject({
      ok: false,
      code: 'InvalidClientTokenId',
    });
  });
});

describe('audit with an STS that rejects the new key', () => {
  const world = () => {
    const w = fakeWorld();
    w.deps.sts = { identityOfKey: (id, secret) => identityOfKey({ region: 'us-east-1', maxAttempts: 1 }, id, secret) };
    return w;
  };

  it('setup retries for about 30 s, then deletes the key and creates no credential', async () => {
    sts.on(GetCallerIdentityCommand).rejects(invalidToken());
    const w = world();
    const start = w.clock.now.getTime();
    await expect(
      setupAudit(w.deps, { group: 'g', user: 'u', credentialName: 'c', securityAudit: false, adopt: false }, w.events),
    ).rejects.toMatchObject({ code: 'AUDIT_KEY_UNUSABLE', data: { stsCode: 'InvalidClientTokenId' } });
    expect(w.clock.now.getTime() - start).toBeGreaterThanOrEqual(KEY_PROOF.timeoutMs);
    expect(sts.calls().length).toBeGreaterThan(5);
    expect(w.iam.keyStates('u')).toEqual([]);
    expect(w.tenable.creds.size).toBe(0);
  });

  it('rotate keeps the old key and never sends the new one to Tenable; a key accepted after a few tries goes through', async () => {
    const w = world();
    sts.on(GetCallerIdentityCommand).resolves({ Arn: 'arn:aws:iam::123456789012:user/u' });
    const { result } = await setupAudit(
      w.deps,
      { group: 'g', user: 'u', credentialName: 'c', securityAudit: false, adopt: false },
      w.events,
    );
    const old = result.key.accessKeyId;
    sts.reset();
    sts.on(GetCallerIdentityCommand).rejects(invalidToken());
    const puts = w.tenable.puts;
    const opts = { user: 'u', credentialName: 'c', graceMs: 0, deleteInactive: false };
    await expect(rotateAuditKey(w.deps, opts, w.events)).rejects.toMatchObject({
      code: 'AUDIT_ROTATION_ROLLED_BACK',
      data: { causeCode: 'AUDIT_KEY_UNUSABLE' },
    });
    expect(w.tenable.puts).toBe(puts);
    expect(w.iam.keyStates('u')).toEqual([`${old}:Active`]);

    sts.reset();
    sts
      .on(GetCallerIdentityCommand)
      .rejectsOnce(invalidToken())
      .rejectsOnce(invalidToken())
      .resolves({ Arn: 'arn:aws:iam::123456789012:user/u' });
    const r = await rotateAuditKey(w.deps, opts, w.events);
    expect(sts.calls()).toHaveLength(3);
    expect(w.iam.keyStates('u')).toEqual([`${r.newKey.accessKeyId}:Active`]);
    expect(w.tenable.held()).toBe(r.newKey.accessKeyId);
  });
});
