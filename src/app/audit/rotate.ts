import { InterruptedError, isNessusByolError, RuntimeError } from '../../core/errors.js';
import type { StoredAccessKey } from '../../adapters/aws/iam-audit-secret.js';
import { deleteExpiredInactiveKeys } from './cleanup.js';
import { findAuditCredential, heldKeyOf } from './credential.js';
import { handOver, messageOf, pendingError, proveKey, resumeHandOver } from './handover.js';
import { keyLimitError } from './refusals.js';
import { userTags as managedUserTags } from './setup.js';
import {
  AUDIT_TAG,
  inactiveSinceTag,
  type AccessKeyInfo,
  type AuditDeps,
  type AuditEvents,
  type NewAccessKey,
} from './types.js';
import { waitUntilKeyUsed } from './wait-used.js';

export interface AuditRotateOptions {
  user: string;
  credentialName: string;
  /** Secrets Manager copy to refresh; defaults to the one recorded on the user by `audit setup`. */
  secretName?: string | undefined;
  /** Deactivated keys are deleted after this (0: at once). */
  graceMs: number;
  /** Delete every inactive key first (else only those past the grace period). */
  deleteInactive: boolean;
  /** Also wait until AWS reports the new key used (GetAccessKeyLastUsed), e.g. by a Tenable scan. */
  waitUsed?: { timeoutMs: number; intervalMs: number } | undefined;
}

export interface AuditRotateResult {
  user: string;
  credential: { uuid: string; name: string };
  /** An earlier rotation that stopped after Tenable took the new key was finished. */
  resumed: boolean;
  newKey: { accessKeyId: string; createdAt: string };
  /**
   * `credentialHoldsKey`: Tenable confirmed the update (`{"updated": true}`; it masks the key on read,
   * so there is nothing to read back). `keyWorks`: STS accepted the key in this run (a resumed rotation
   * proved it in the run that created it).
   */
  verified: { credentialHoldsKey: true; keyWorks: boolean; usedAt: string | null; usedService: string | null };
  deactivated: Array<{ accessKeyId: string; deleteAfter: string | null }>;
  /** Inactive keys deleted (past their grace period, --delete-inactive, or --grace 0). */
  deleted: string[];
  secretsManager: { name: string; written: 'created' | 'updated' | null } | null;
  warnings: string[];
}

/**
 * Zero-downtime rotation of the audit user's access key (CIS AWS 1.14): create a second key, prove it
 * works (STS signed with it), hand it to the Tenable credential — which counts only when Tenable
 * answers `{"updated": true}`, since Tenable masks the key on read — record on the user that Tenable
 * holds it, optionally wait until it is used, then deactivate the old key (deleted after the grace
 * period). Tenable refusing (4xx) is undone: the new key is deleted, the old one stays. An update
 * whose answer is lost (timeout, 5xx, reset) may have applied: both keys stay active, the pair is kept
 * in a pending secret, and the next run sends the same update again and finishes. After Tenable took
 * the new key, a later failure gives Tenable the old key back when its secret is kept in Secrets
 * Manager; otherwise both keys stay and the next run finishes — the user always has a working key
 * that Tenable holds.
 */
export async function rotateAuditKey(
  deps: AuditDeps,
  opts: AuditRotateOptions,
  events: AuditEvents,
  signal?: AbortSignal,
): Promise<AuditRotateResult> {
  const { iam } = deps;
  const tenable = deps.tenable;
  if (!tenable) throw new Error('rotateAuditKey needs the Tenable client');
  if (!deps.secrets) throw new Error('rotateAuditKey needs the Secrets Manager store');
  const secrets = deps.secrets;
  const warnings: string[] = [];
  const warn = (m: string) => {
    warnings.push(m);
    events.warn(m);
  };
  const user = opts.user;

  if (!(await iam.userExists(user))) {
    throw new RuntimeError('AUDIT_USER_MISSING', `IAM user ${user} does not exist, so there is no key to rotate.`, {
      hint: 'create the audit user and its Tenable credential with `nessus-byol audit setup` (or pass --user <name>)',
    });
  }
  let tags = await iam.userTags(user);
  events.progress(`looking for the Tenable credential of ${user}`);
  const credential = await findAuditCredential(tenable, tags, opts.credentialName);
  if (!credential) {
    throw new RuntimeError(
      'AUDIT_CREDENTIAL_MISSING',
      `Tenable has no "Amazon AWS" credential "${opts.credentialName}" for ${user}.`,
      {
        hint: 'create it with `nessus-byol audit setup` (or pass --credential-name <name>)',
      },
    );
  }
  const secretName = opts.secretName ?? tags[AUDIT_TAG.secret];
  let keys = await iam.accessKeys(user);
  const deleted: string[] = [];

  // An update of the credential whose answer was lost: send the same update again.
  const resent = await resumeHandOver(deps, user, credential.uuid, keys, events);
  if (resent) tags = { ...tags, [AUDIT_TAG.credential]: credential.uuid, [AUDIT_TAG.tenableKey]: resent.accessKeyId };
  // Tenable masks the key on read: which key it holds is what the user's record says.
  const held = heldKeyOf(tags, credential);

  // A rotation that stopped earlier: finish it when Tenable holds its key, else undo it.
  const pending = tags[AUDIT_TAG.rotating];
  let resumeKey: AccessKeyInfo | undefined;
  if (pending && keys.some((k) => k.accessKeyId === pending)) {
    if (held === pending) {
      resumeKey = keys.find((k) => k.accessKeyId === pending);
      events.progress(`finishing the rotation to access key ${pending} started earlier (Tenable holds it)`);
    } else {
      // No hand-over of it is pending, so Tenable was never given it, refused it, or was given the old key back.
      events.progress(`undoing an unfinished rotation: deleting access key ${pending}, which Tenable does not hold`);
      await iam.deleteAccessKey(user, pending);
      await iam.untagUser(user, [AUDIT_TAG.rotating]);
      deleted.push(pending);
      keys = keys.filter((k) => k.accessKeyId !== pending);
      const { [AUDIT_TAG.rotating]: _gone, ...rest } = tags;
      tags = rest;
    }
  }

  const cleanup = await deleteExpiredInactiveKeys(
    deps,
    user,
    keys,
    tags,
    { graceMs: opts.graceMs, all: opts.deleteInactive, protect: held },
    events,
  );
  keys = cleanup.keys;
  tags = cleanup.tags;
  deleted.push(...cleanup.deleted);
  if (!resumeKey && keys.length >= 2) throw keyLimitError(user, keys, held, 'rotate');
  const oldKeys = keys.filter((k) => k.status === 'Active' && k.accessKeyId !== resumeKey?.accessKeyId);

  let newKey: AccessKeyInfo | NewAccessKey;
  let secretWritten: 'created' | 'updated' | null = null;
  let usedAt: Date | null = null;
  let usedService: string | null = null;

  if (resumeKey) {
    newKey = resumeKey;
    if (secretName && resent?.accessKeyId === resumeKey.accessKeyId) {
      // The pending record still had the pair: the copy can be refreshed after all.
      events.progress(`storing the new key in Secrets Manager secret ${secretName}`);
      secretWritten = await secrets.write(secretName, resent, managedUserTags());
    } else if (secretName)
      warn(
        `Secrets Manager secret ${secretName} may still hold the old key: the new key's secret is only known to the run that created it`,
      );
    if (opts.waitUsed) {
      const used = await waitUntilKeyUsed(deps, newKey.accessKeyId, opts.waitUsed, events, signal);
      usedAt = used.date;
      usedService = used.service;
    }
  } else {
    // The old pair from Secrets Manager is the only way to give Tenable its old key back.
    let oldStored: StoredAccessKey | null = null;
    if (secretName && held && oldKeys.some((k) => k.accessKeyId === held)) {
      const stored = await secrets.read(secretName);
      if (stored?.accessKeyId === held) oldStored = stored;
    }
    checkAbort(signal);
    events.progress(`creating a new access key for ${user}`);
    const created = await iam.createAccessKey(user);
    newKey = created;
    let holds: 'old' | 'new' = 'old';
    /** Errors that end the run as they are: Tenable holds the new key, or may. */
    const passThrough = new Set<unknown>();
    const stop = (e: RuntimeError): never => {
      passThrough.add(e);
      throw e;
    };
    try {
      await iam.tagUser(user, { [AUDIT_TAG.rotating]: created.accessKeyId });
      await proveKey(deps, user, created, events, signal);
      // The proof used the key: --wait-used must wait for a use after it (Tenable's).
      const ownUse = opts.waitUsed ? { date: (await iam.lastUsed(created.accessKeyId)).date } : undefined;
      checkAbort(signal);
      events.progress(`updating the Tenable credential "${credential.name}" with access key ${created.accessKeyId}`);
      const r = await handOver(deps, user, credential.uuid, created, events);
      if (r.outcome === 'unclear') stop(pendingError(r.error, created.accessKeyId, oldKeys.map((k) => k.accessKeyId)));
      if (r.outcome === 'rejected') throw r.error;
      holds = 'new';
      if (r.recordError)
        stop(incomplete(r.recordError, `Tenable holds the new key ${created.accessKeyId} (it confirmed the update), but recording that on the user failed; both keys stay active`));
      if (secretName) {
        events.progress(`storing the new key in Secrets Manager secret ${secretName}`);
        secretWritten = await secrets.write(
          secretName,
          { accessKeyId: created.accessKeyId, secretAccessKey: created.secretAccessKey },
          managedUserTags(),
        );
      }
      if (opts.waitUsed) {
        const used = await waitUntilKeyUsed(deps, created.accessKeyId, opts.waitUsed, events, signal, ownUse);
        usedAt = used.date;
        usedService = used.service;
      }
      checkAbort(signal);
    } catch (cause) {
      if (passThrough.has(cause)) throw cause;
      return await rollBack(cause);
    }

    async function rollBack(cause: unknown): Promise<never> {
      events.warn(
        cause instanceof InterruptedError ? 'interrupted; rolling back' : 'the rotation failed; rolling back',
      );
      let state: 'old' | 'new' | 'unknown' = holds;
      if (state === 'new' && oldStored) {
        events.progress(`giving Tenable back the old access key ${oldStored.accessKeyId} (from Secrets Manager)`);
        try {
          const r = await handOver(deps, user, credential!.uuid, oldStored, events);
          state = r.outcome === 'confirmed' && !r.recordError ? 'old' : r.outcome === 'rejected' ? 'new' : 'unknown';
        } catch {
          state = 'new'; // the pending record could not be written, so nothing was sent
        }
      }
      if (state === 'old') {
        if (secretWritten && oldStored)
          await secrets
            .write(secretName!, oldStored, managedUserTags())
            .catch(() => warn(`could not restore Secrets Manager secret ${secretName}`));
        try {
          await iam.deleteAccessKey(user, created.accessKeyId);
          await iam.untagUser(user, [AUDIT_TAG.rotating]);
        } catch (e) {
          throw incomplete(
            cause,
            `Tenable holds the old key ${held ?? '(none)'}, but the new key ${created.accessKeyId} could not be deleted (${messageOf(e)})`,
          );
        }
        const what = `Tenable keeps the old key ${held ?? '(none recorded)'}${held ? ', which stays active' : ''}; the new key ${created.accessKeyId} was deleted`;
        if (cause instanceof InterruptedError)
          throw new InterruptedError(`Interrupted; the rotation was rolled back: ${what}.`);
        throw new RuntimeError(
          'AUDIT_ROTATION_ROLLED_BACK',
          `The rotation failed and was rolled back: ${messageOf(cause)} — ${what}.`,
          {
            hint: hintOf(cause) ?? 'fix the cause and re-run `nessus-byol audit rotate`',
            data: { rolledBack: true, ...(isNessusByolError(cause) ? { causeCode: cause.code } : {}) },
            cause,
          },
        );
      }
      if (state === 'unknown') throw pendingError(cause, oldStored!.accessKeyId, [created.accessKeyId]);
      throw incomplete(
        cause,
        `Tenable holds the new key ${created.accessKeyId} and the old key's secret is not at hand to give back (it is only kept with --secrets-manager); both keys stay active so scans keep working`,
      );
    }
  }

  // Tenable holds the new key: retire the old one (CIS 1.14: deactivate, delete later).
  const now = deps.now();
  const deactivated: AuditRotateResult['deactivated'] = [];
  try {
    for (const old of oldKeys) {
      events.progress(`deactivating the old access key ${old.accessKeyId}`);
      await iam.setAccessKeyStatus(user, old.accessKeyId, 'Inactive');
      if (opts.graceMs === 0) {
        events.progress(`deleting the old access key ${old.accessKeyId} (--grace 0)`);
        await iam.deleteAccessKey(user, old.accessKeyId);
        deleted.push(old.accessKeyId);
        deactivated.push({ accessKeyId: old.accessKeyId, deleteAfter: null });
      } else {
        await iam.tagUser(user, { [inactiveSinceTag(old.accessKeyId)]: now.toISOString() });
        deactivated.push({
          accessKeyId: old.accessKeyId,
          deleteAfter: new Date(now.getTime() + opts.graceMs).toISOString(),
        });
      }
    }
    await iam.untagUser(user, [AUDIT_TAG.rotating]);
    if (tags[AUDIT_TAG.credential] !== credential.uuid)
      await iam.tagUser(user, { [AUDIT_TAG.credential]: credential.uuid });
  } catch (e) {
    throw incomplete(e, `Tenable holds the new key ${newKey.accessKeyId}, but retiring the old key failed`);
  }

  return {
    user,
    credential: { uuid: credential.uuid, name: credential.name },
    resumed: resumeKey !== undefined,
    newKey: { accessKeyId: newKey.accessKeyId, createdAt: newKey.createdAt.toISOString() },
    verified: { credentialHoldsKey: true, keyWorks: resumeKey === undefined, usedAt: usedAt?.toISOString() ?? null, usedService },
    deactivated,
    deleted,
    secretsManager: secretName ? { name: secretName, written: secretWritten } : null,
    warnings,
  };
}

function checkAbort(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new InterruptedError('Interrupted during the key rotation.');
}

function incomplete(cause: unknown, state: string): RuntimeError {
  return new RuntimeError('AUDIT_ROTATION_INCOMPLETE', `The rotation stopped: ${messageOf(cause)} — ${state}.`, {
    hint: 're-run `nessus-byol audit rotate` once the cause is fixed: it finishes the rotation when Tenable holds the new key, and removes the new key when it does not',
    data: { rolledBack: false, ...(isNessusByolError(cause) ? { causeCode: cause.code } : {}) },
    cause,
  });
}

function hintOf(e: unknown): string | undefined {
  return isNessusByolError(e) ? e.hint : undefined;
}
