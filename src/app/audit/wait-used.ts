import { RuntimeError } from '../../core/errors.js';
import { InterruptedError } from '../../core/errors.js';
import { formatAuditDuration } from './duration.js';
import type { AuditDeps, AuditEvents } from './types.js';

/**
 * Polls GetAccessKeyLastUsed until AWS reports the key used (by a Tenable scan; AWS updates the
 * record within hours, usually minutes) or the timeout passes. `ownUse` is what AWS recorded right
 * after our own proof call (sts:GetCallerIdentity with the key): only a later use counts, and while
 * AWS had not recorded ours yet, an `sts` use may be ours and does not count either.
 */
export async function waitUntilKeyUsed(
  deps: AuditDeps,
  accessKeyId: string,
  opts: { timeoutMs: number; intervalMs: number },
  events: AuditEvents,
  signal?: AbortSignal,
  ownUse?: { date?: Date | undefined },
): Promise<{ date: Date; service: string | null }> {
  const start = deps.now().getTime();
  events.progress(
    `waiting up to ${formatAuditDuration(opts.timeoutMs)} for AWS to report access key ${accessKeyId} used (launch the Tenable audit scan now)`,
  );
  for (;;) {
    const used = await deps.iam.lastUsed(accessKeyId);
    const ours =
      ownUse !== undefined &&
      (ownUse.date ? used.date !== undefined && used.date.getTime() <= ownUse.date.getTime() : used.service === 'sts');
    if (used.date && !ours) {
      events.progress(
        `access key ${accessKeyId} was used at ${used.date.toISOString()}${used.service ? ` (${used.service})` : ''}`,
      );
      return { date: used.date, service: used.service ?? null };
    }
    if (deps.now().getTime() - start >= opts.timeoutMs) {
      throw new RuntimeError(
        'AUDIT_KEY_NOT_USED',
        `AWS did not report access key ${accessKeyId} used within ${formatAuditDuration(opts.timeoutMs)}.`,
        {
          hint: 'run the Tenable "Audit Cloud Infrastructure" scan that uses the credential, then retry (or leave out --wait-used)',
        },
      );
    }
    try {
      await deps.sleep(opts.intervalMs, signal);
    } catch {
      throw new InterruptedError('Interrupted while waiting for the new key to be used.');
    }
  }
}
