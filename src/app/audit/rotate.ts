import { InterruptedError, isNessusByolError, RuntimeError } from '../../core/errors.js';
import type { StoredAccessKey } from '../../adapters/aws/iam-audit-secret.js';
import { deleteExpiredInactiveKeys } from './cleanup.js';
import { awsCredentialSettings, findAuditCredential, heldKeyId } from './credential.js';
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
  verified: { credentialHoldsKey: true; usedAt: string | null; usedService: string | null };
  deactivated: Array<{ accessKeyId: string; deleteAfter: string | null }>;
  /** Inactive keys deleted (past their grace period, --delete-inactive, or --grace 0). */
  deleted: string[];
  secretsManager: { name: string; written: 'created' | 'updated' | null } | null;
  warnings: string[];
}

type TenableHolds = 'old' | 'new' | 'maybe-new';

/**
 * Zero-downtime rotation of the audit user's access key (CIS AWS 1.14): create a second key, put it
 * in the Tenable credential, verify Tenable holds it (and optionally that it was used), then
 * deactivate the old key, which is deleted after the grace period. Until the old key is deactivated
 * every failure is undone: Tenable keeps (or gets back) the old key and the new key is deleted. When
 * Tenable took the new key and the old secret is not at hand to give back (it is only known when
 * kept in Secrets Manager), both keys stay active and the next run finishes the rotation — the user
 * always has a working key that Tenable holds.
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
  if (secretName && !deps.secrets) throw new Error('rotateAuditKey needs the Secrets Manager store');
  let keys = await iam.accessKeys(user);
  const deleted: string[] = [];

  // A rotation that stopped earlier: finish it when Tenable holds its key, else undo it.
  const pending = tags[AUDIT_TAG.rotating];
  let resumeKey: AccessKeyInfo | undefined;
  if (pending && keys.some((k) => k.accessKeyId === pending)) {
    if (credential.accessKeyId === pending) {
      resumeKey = keys.find((k) => k.accessKeyId === pending);
      events.progress(`finishing the rotation to access key ${pending} started earlier (Tenable holds it)`);
    } else {
      events.progress(`undoing an unfinished rotation: deleting access key ${pending}, which Tenable does not hold`);
      await iam.deleteAccessKey(user, pending);
      deleted.push(pending);
      keys = keys.filter((k) => k.accessKeyId !== pending);
    }
  }

  const cleanup = await deleteExpiredInactiveKeys(
    deps,
    user,
    keys,
    tags,
    { graceMs: opts.graceMs, all: opts.deleteInactive, protect: credential.accessKeyId },
    events,
  );
  keys = cleanup.keys;
  tags = cleanup.tags;
  deleted.push(...cleanup.deleted);
  if (!resumeKey && keys.length >= 2) throw keyLimitError(user, keys, credential.accessKeyId, 'rotate');
  const oldKeys = keys.filter((k) => k.status === 'Active' && k.accessKeyId !== resumeKey?.accessKeyId);
  const oldHeld = credential.accessKeyId;

  let newKey: AccessKeyInfo | NewAccessKey;
  let secretWritten: 'created' | 'updated' | null = null;
  let usedAt: Date | null = null;
  let usedService: string | null = null;

  if (resumeKey) {
    newKey = resumeKey;
    if (secretName)
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
    if (secretName && oldHeld && oldKeys.some((k) => k.accessKeyId === oldHeld)) {
      const stored = await deps.secrets!.read(secretName);
      if (stored?.accessKeyId === oldHeld) oldStored = stored;
    }
    checkAbort(signal);
    events.progress(`creating a new access key for ${user}`);
    const created = await iam.createAccessKey(user);
    newKey = created;
    let holds: TenableHolds = 'old';
    try {
      await iam.tagUser(user, { [AUDIT_TAG.rotating]: created.accessKeyId });
      checkAbort(signal);
      events.progress(`updating the Tenable credential "${credential.name}" with access key ${created.accessKeyId}`);
      holds = 'maybe-new';
      try {
        await tenable.updateCredential(credential.uuid, {
          settings: awsCredentialSettings(created.accessKeyId, created.secretAccessKey),
        });
      } catch (e) {
        // The answer can be lost after Tenable applied the change: carry on only if it did.
        const h = await heldKeyId(tenable, credential.uuid);
        if (!(h.known && h.accessKeyId === created.accessKeyId)) throw e;
      }
      // Tenable has no credential test call: reading the credential back is the check that it took the key.
      events.progress('verifying that Tenable holds the new key');
      const check = await heldKeyId(tenable, credential.uuid);
      if (!check.known) throw check.error;
      if (check.accessKeyId !== created.accessKeyId) {
        holds = 'old';
        throw new RuntimeError(
          'AUDIT_CREDENTIAL_UNVERIFIED',
          `After the update the Tenable credential "${credential.name}" holds ${check.accessKeyId ?? 'no access key'}, not ${created.accessKeyId}.`,
          {
            hint: 'someone may be editing the credential at the same time; check it in Tenable (Settings → Credentials) and retry',
          },
        );
      }
      holds = 'new';
      if (secretName) {
        events.progress(`storing the new key in Secrets Manager secret ${secretName}`);
        secretWritten = await deps.secrets!.write(
          secretName,
          { accessKeyId: created.accessKeyId, secretAccessKey: created.secretAccessKey },
          managedUserTags(),
        );
      }
      if (opts.waitUsed) {
        const used = await waitUntilKeyUsed(deps, created.accessKeyId, opts.waitUsed, events, signal);
        usedAt = used.date;
        usedService = used.service;
      }
      checkAbort(signal);
    } catch (cause) {
      return await rollBack(cause);
    }

    async function rollBack(cause: unknown): Promise<never> {
      events.warn(
        cause instanceof InterruptedError ? 'interrupted; rolling back' : 'the rotation failed; rolling back',
      );
      let state: 'old' | 'new' | 'unknown' = holds === 'old' ? 'old' : 'unknown';
      if (state !== 'old') {
        const h = await heldKeyId(tenable!, credential!.uuid);
        if (h.known) state = h.accessKeyId === created.accessKeyId ? 'new' : 'old';
      }
      if (state === 'new' && oldStored) {
        events.progress(`giving Tenable back the old access key ${oldStored.accessKeyId} (from Secrets Manager)`);
        try {
          await tenable!.updateCredential(credential!.uuid, {
            settings: awsCredentialSettings(oldStored.accessKeyId, oldStored.secretAccessKey),
          });
          const h = await heldKeyId(tenable!, credential!.uuid);
          state = h.known && h.accessKeyId === oldStored.accessKeyId ? 'old' : 'unknown';
        } catch {
          state = 'unknown';
        }
      }
      if (state === 'old') {
        if (secretWritten && oldStored)
          await deps
            .secrets!.write(secretName!, oldStored, managedUserTags())
            .catch(() => warn(`could not restore Secrets Manager secret ${secretName}`));
        try {
          await iam.deleteAccessKey(user, created.accessKeyId);
          await iam.untagUser(user, [AUDIT_TAG.rotating]);
        } catch (e) {
          throw incomplete(
            cause,
            `Tenable holds the old key ${oldHeld ?? '(none)'}, but the new key ${created.accessKeyId} could not be deleted (${messageOf(e)})`,
          );
        }
        const what = `Tenable keeps the old key ${oldHeld ?? '(none)'}${oldHeld ? ', which stays active' : ''}; the new key ${created.accessKeyId} was deleted`;
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
      throw incomplete(
        cause,
        state === 'new'
          ? `Tenable holds the new key ${created.accessKeyId} and the old key's secret is not at hand to give back (it is only kept with --secrets-manager); both keys stay active so scans keep working`
          : `Tenable could not be asked which key it holds; both ${oldHeld ?? 'the old key'} and ${created.accessKeyId} stay active so scans keep working`,
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
    verified: { credentialHoldsKey: true, usedAt: usedAt?.toISOString() ?? null, usedService },
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

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message.replace(/\.$/, '') : String(e);
}

function hintOf(e: unknown): string | undefined {
  return isNessusByolError(e) ? e.hint : undefined;
}
