import type { StoredAccessKey } from '../../adapters/aws/iam-audit-secret.js';
import { InterruptedError, isNessusByolError, RuntimeError, TenableError } from '../../core/errors.js';
import { awsCredentialSettings } from './credential.js';
import {
  AUDIT_PURPOSE,
  AUDIT_TAG,
  KEY_PROOF,
  pendingHandOverSecret,
  type AccessKeyInfo,
  type AuditDeps,
  type AuditEvents,
  type KeySecretStorePort,
  type TenableCredentialsPort,
} from './types.js';

/**
 * Giving Tenable an access key. Tenable masks the key on read, so a write is never checked by
 * reading it back: it counts when Tenable confirms it (`PUT` answered `{"updated": true}`), and the
 * key is proven to work by STS signed with it. What Tenable holds is then recorded on the IAM user.
 *
 * - `confirmed`: Tenable holds the key.
 * - `rejected`: Tenable answered 4xx (or `updated: false`): it kept what it had.
 * - `unclear`: timeout, 5xx, reset, or an answer that does not say — the update may have applied.
 */
export type PutOutcome =
  | { outcome: 'confirmed' }
  | { outcome: 'rejected'; error: unknown }
  | { outcome: 'unclear'; error: unknown };

export async function putKey(tenable: TenableCredentialsPort, uuid: string, key: StoredAccessKey): Promise<PutOutcome> {
  try {
    const updated = await tenable.updateCredential(uuid, {
      settings: awsCredentialSettings(key.accessKeyId, key.secretAccessKey),
    });
    if (updated === true) return { outcome: 'confirmed' };
    const error = new RuntimeError(
      'AUDIT_CREDENTIAL_UNCONFIRMED',
      `Tenable answered the update of credential ${uuid} with ${updated === false ? '"updated": false' : 'no "updated": true'}.`,
      { hint: 'check the credential in Tenable (Settings → Credentials) and re-run' },
    );
    return updated === false ? { outcome: 'rejected', error } : { outcome: 'unclear', error };
  } catch (error) {
    return { outcome: isRefusal(error) ? 'rejected' : 'unclear', error };
  }
}

/** A 4xx answer means Tenable refused the request (408, a timeout, is not an answer about it). */
function isRefusal(e: unknown): boolean {
  return e instanceof TenableError && e.status !== undefined && e.status >= 400 && e.status < 500 && e.status !== 408;
}

/** Records on the user which key the credential holds (after a confirmed write only). */
export async function recordHeldKey(deps: AuditDeps, user: string, credentialUuid: string, accessKeyId: string): Promise<void> {
  await deps.iam.tagUser(user, { [AUDIT_TAG.credential]: credentialUuid, [AUDIT_TAG.tenableKey]: accessKeyId });
}

function managedTags(): Record<string, string> {
  return { [AUDIT_TAG.managed]: 'true', [AUDIT_TAG.purpose]: AUDIT_PURPOSE };
}

function store(deps: AuditDeps): KeySecretStorePort {
  if (!deps.secrets) throw new Error('handing a key to Tenable needs the Secrets Manager store');
  return deps.secrets;
}

export type HandOver = PutOutcome & {
  /** confirmed, but recording it on the user failed (the pending record stays; the next run re-sends and records). */
  recordError?: unknown;
};

/**
 * One hand-over of `key` to the credential: the pair goes to the pending secret first (so the PUT
 * can be sent again if its answer is lost), then the PUT. Confirmed → recorded on the user, pending
 * secret deleted; rejected → pending secret deleted; unclear → it stays. Throws (having sent
 * nothing) only when the pending secret cannot be written.
 */
export async function handOver(
  deps: AuditDeps,
  user: string,
  credentialUuid: string,
  key: StoredAccessKey,
  events: AuditEvents,
): Promise<HandOver> {
  const tenable = deps.tenable;
  if (!tenable) throw new Error('handOver needs the Tenable client');
  const pending = pendingHandOverSecret(user);
  const secrets = store(deps);
  await secrets.write(pending, key, managedTags(), PENDING_DESCRIPTION);
  const r = await putKey(tenable, credentialUuid, key);
  if (r.outcome === 'unclear') return r;
  if (r.outcome === 'confirmed') {
    try {
      await recordHeldKey(deps, user, credentialUuid, key.accessKeyId);
    } catch (recordError) {
      return { ...r, recordError };
    }
  }
  await secrets.delete(pending).catch((e: unknown) => {
    events.warn(`could not delete Secrets Manager secret ${pending} (${messageOf(e)}); delete it by hand`);
  });
  return r;
}

const PENDING_DESCRIPTION =
  'Access key being handed to the Tenable "Amazon AWS" credential by nessus-byol audit; deleted once Tenable confirms';

/**
 * A hand-over whose answer was lost: sends the same PUT again. Returns the pair Tenable now holds
 * (recorded), or undefined when nothing was pending. Throws AUDIT_ROTATION_PENDING when Tenable still
 * does not confirm — nothing is deleted then.
 */
export async function resumeHandOver(
  deps: AuditDeps,
  user: string,
  credentialUuid: string,
  keys: AccessKeyInfo[],
  events: AuditEvents,
): Promise<StoredAccessKey | undefined> {
  const tenable = deps.tenable;
  if (!tenable || !deps.secrets) return undefined;
  const pending = pendingHandOverSecret(user);
  const stored = await deps.secrets.read(pending);
  if (!stored) return undefined;
  if (!keys.some((k) => k.accessKeyId === stored.accessKeyId && k.status === 'Active')) {
    events.warn(`dropping the pending hand-over of access key ${stored.accessKeyId}: the key is no longer active`);
    await deps.secrets.delete(pending);
    return undefined;
  }
  events.progress(`sending access key ${stored.accessKeyId} to Tenable again (the answer to the last update was lost)`);
  const r = await putKey(tenable, credentialUuid, stored);
  if (r.outcome === 'confirmed') {
    await recordHeldKey(deps, user, credentialUuid, stored.accessKeyId);
    await deps.secrets.delete(pending).catch((e: unknown) => {
      events.warn(`could not delete Secrets Manager secret ${pending} (${messageOf(e)}); delete it by hand`);
    });
    return stored;
  }
  throw pendingError(r.error, stored.accessKeyId, keys.filter((k) => k.accessKeyId !== stored.accessKeyId && k.status === 'Active').map((k) => k.accessKeyId));
}

/** Tenable may hold either key: both stay active, and the next `audit rotate` sends the same PUT again. */
export function pendingError(cause: unknown, pendingKey: string, otherKeys: string[]): RuntimeError {
  const others = otherKeys.length ? otherKeys.join(', ') : 'the old key';
  return new RuntimeError(
    'AUDIT_ROTATION_PENDING',
    `Tenable did not confirm the update of the credential with access key ${pendingKey} (${messageOf(cause)}); it may hold either ${pendingKey} or ${others}, so both stay active.`,
    {
      hint: 're-run `nessus-byol audit rotate` once Tenable answers again: it sends the same update and finishes the rotation',
      data: {
        rolledBack: false,
        pendingKey,
        ...(isNessusByolError(cause) ? { causeCode: cause.code } : {}),
      },
      cause,
    },
  );
}

/**
 * Proves a new key works: sts:GetCallerIdentity signed with it, as the right user. A new IAM key can
 * take a few seconds to be accepted (InvalidClientTokenId meanwhile): retried up to KEY_PROOF.timeoutMs.
 */
export async function proveKey(
  deps: AuditDeps,
  user: string,
  key: StoredAccessKey,
  events: AuditEvents,
  signal?: AbortSignal,
): Promise<void> {
  const sts = deps.sts;
  if (!sts) throw new Error('proveKey needs STS');
  const start = deps.now().getTime();
  events.progress(`checking that access key ${key.accessKeyId} works (sts:GetCallerIdentity with it)`);
  for (let attempt = 1; ; attempt++) {
    const r = await sts.identityOfKey(key.accessKeyId, key.secretAccessKey);
    if (r.ok) {
      const owner = /:user\/(?:.*\/)?([^/]+)$/.exec(r.arn)?.[1];
      if (owner !== user) {
        throw new RuntimeError(
          'AUDIT_KEY_UNUSABLE',
          `STS says access key ${key.accessKeyId} signs as ${r.arn || 'an unknown identity'}, not as IAM user ${user}.`,
          { hint: 'check the account and endpoint in use (AWS_ENDPOINT_URL, --profile), then re-run' },
        );
      }
      return;
    }
    const waited = deps.now().getTime() - start;
    if (r.code !== 'InvalidClientTokenId' || waited >= KEY_PROOF.timeoutMs) {
      throw new RuntimeError(
        'AUDIT_KEY_UNUSABLE',
        `AWS STS rejects the new access key ${key.accessKeyId} (${r.code}${r.code === 'InvalidClientTokenId' ? `, still after ${Math.round(waited / 1000)} s` : ''}), so it was not given to Tenable.`,
        {
          hint: 'new keys normally work within seconds; check that the account allows access keys for this user (SCPs, permission boundaries), then re-run',
          data: { stsCode: r.code },
        },
      );
    }
    if (attempt === 1) events.progress(`AWS does not accept access key ${key.accessKeyId} yet; new keys take a few seconds`);
    try {
      await deps.sleep(Math.min(KEY_PROOF.intervalMs, KEY_PROOF.timeoutMs - waited), signal);
    } catch {
      throw new InterruptedError('Interrupted while checking the new key.');
    }
  }
}

export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message.replace(/\.$/, '') : String(e);
}
