import { RuntimeError } from '../../core/errors.js';
import { deleteExpiredInactiveKeys, type CleanupResult } from './cleanup.js';
import { buildKeyReport, type KeyObservation, type KeyReport } from './key-report.js';
import type { AuditDeps, AuditEvents } from './types.js';

export interface AuditKeysOptions {
  /** The audit user (checked, and the only user `fix` touches). */
  user: string;
  /** Every IAM user's keys, not only the audit user's. */
  allUsers: boolean;
  maxAgeDays: number;
  graceMs: number;
  /** Delete the audit user's keys that have been inactive longer than the grace period. */
  fix: boolean;
}

export interface AuditKeysResult extends KeyReport {
  users: string[];
  /** With `fix`: inactive keys deleted. */
  deleted: string[];
}

/** Lists access keys with age, status and last use against CIS AWS 1.14; read-only unless `fix`. */
export async function auditKeys(
  deps: AuditDeps,
  opts: AuditKeysOptions,
  events: AuditEvents,
): Promise<AuditKeysResult> {
  const auditUserExists = await deps.iam.userExists(opts.user);
  if (!opts.allUsers && !auditUserExists) {
    throw new RuntimeError('AUDIT_USER_MISSING', `IAM user ${opts.user} does not exist.`, {
      hint: `create it with \`nessus-byol audit setup\`, pass --user <name>, or --all-users to check every user`,
    });
  }
  let cleanup: CleanupResult | undefined;
  if (opts.fix && auditUserExists) {
    const [keys, tags] = await Promise.all([deps.iam.accessKeys(opts.user), deps.iam.userTags(opts.user)]);
    cleanup = await deleteExpiredInactiveKeys(
      deps,
      opts.user,
      keys,
      tags,
      { graceMs: opts.graceMs, all: false },
      events,
    );
  }
  const users = opts.allUsers ? await deps.iam.listUserNames() : [opts.user];
  events.progress(
    `reading access keys of ${users.length === 1 ? `IAM user ${users[0]}` : `${users.length} IAM users`}`,
  );
  const observations = (
    await mapLimited(users, 4, async (user): Promise<KeyObservation[]> => {
      const [keys, userTags] = await Promise.all([
        deps.iam.accessKeys(user),
        user === opts.user && cleanup ? Promise.resolve(cleanup.tags) : deps.iam.userTags(user),
      ]);
      return mapLimited(keys, 4, async (key) => ({
        key,
        userTags,
        lastUsed: await deps.iam.lastUsed(key.accessKeyId),
      }));
    })
  ).flat();
  const report = buildKeyReport(observations, deps.now(), opts.maxAgeDays, opts.graceMs);
  return { ...report, users, deleted: cleanup?.deleted ?? [] };
}

/** Runs `fn` over `items` with at most `limit` calls in flight, keeping the order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
