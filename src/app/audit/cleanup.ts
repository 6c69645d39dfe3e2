import { parseDate } from './key-report.js';
import { AUDIT_TAG, inactiveSinceTag, type AccessKeyInfo, type AuditDeps, type AuditEvents } from './types.js';

export interface CleanupResult {
  /** Inactive keys deleted now. */
  deleted: string[];
  /** Inactive keys kept, with when they may go. */
  kept: Array<{ accessKeyId: string; inactiveSince: string; deleteAfter: string }>;
  /** The keys left on the user. */
  keys: AccessKeyInfo[];
  /** The user's tags after cleanup. */
  tags: Record<string, string>;
}

/**
 * Deletes the user's inactive keys whose grace period is over (or all inactive ones with `all`).
 * IAM does not record when a key was deactivated: nessus-byol tags the user with the date when it
 * deactivates a key, and a key found inactive without that tag starts its grace period now.
 * `protect` (the key the Tenable credential holds) is never deleted here.
 */
export async function deleteExpiredInactiveKeys(
  deps: AuditDeps,
  user: string,
  keys: AccessKeyInfo[],
  tags: Record<string, string>,
  opts: { graceMs: number; all: boolean; protect?: string | undefined },
  events: AuditEvents,
): Promise<CleanupResult> {
  const now = deps.now();
  const tagsAfter = { ...tags };
  const deleted: string[] = [];
  const kept: CleanupResult['kept'] = [];
  const startGrace: Record<string, string> = {};
  for (const key of keys) {
    if (key.status !== 'Inactive' || key.accessKeyId === opts.protect) continue;
    const tag = inactiveSinceTag(key.accessKeyId);
    let since = parseDate(tags[tag]);
    if (!since && !opts.all) {
      since = now;
      startGrace[tag] = now.toISOString();
      events.warn(
        `access key ${key.accessKeyId} is inactive with no record of when; its ${Math.round(opts.graceMs / 86_400_000)}-day grace period starts now`,
      );
    }
    if (opts.all || (since && now.getTime() - since.getTime() >= opts.graceMs)) {
      events.progress(`deleting inactive access key ${key.accessKeyId}`);
      await deps.iam.deleteAccessKey(user, key.accessKeyId);
      deleted.push(key.accessKeyId);
    } else if (since) {
      kept.push({
        accessKeyId: key.accessKeyId,
        inactiveSince: since.toISOString(),
        deleteAfter: new Date(since.getTime() + opts.graceMs).toISOString(),
      });
    }
  }
  await deps.iam.tagUser(user, startGrace);
  Object.assign(tagsAfter, startGrace);
  // Forget dates of keys that no longer exist (deleted now or by hand), and a rotation marker with no key.
  const remaining = new Set(keys.filter((k) => !deleted.includes(k.accessKeyId)).map((k) => k.accessKeyId));
  const stale = Object.keys(tagsAfter).filter(
    (k) =>
      (k.startsWith(AUDIT_TAG.inactiveSincePrefix) && !remaining.has(k.slice(AUDIT_TAG.inactiveSincePrefix.length))) ||
      (k === AUDIT_TAG.rotating && !remaining.has(tagsAfter[k] ?? '')),
  );
  await deps.iam.untagUser(user, stale);
  for (const k of stale) delete tagsAfter[k];
  return { deleted, kept, keys: keys.filter((k) => remaining.has(k.accessKeyId)), tags: tagsAfter };
}
