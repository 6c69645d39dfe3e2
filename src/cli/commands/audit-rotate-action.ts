import { createAuditDeps } from '../../app/audit/deps.js';
import { rotateAuditKey } from '../../app/audit/rotate.js';
import { InterruptedError } from '../../core/errors.js';
import type { GlobalOptions } from '../globals.js';
import { outputFor } from '../globals.js';
import { auditAwsContext, auditClock, auditTenableUrl, FlagCheck, type AuditRotateFlags } from './audit-options.js';
import { renderRotate } from './audit-render.js';

export async function runAuditRotate(g: GlobalOptions, flags: AuditRotateFlags, env: NodeJS.ProcessEnv): Promise<void> {
  const out = outputFor(g);
  const check = new FlagCheck();
  const user = check.iamUser('--user', flags.user);
  const credentialName = check.credentialName('--credential-name', flags.credentialName);
  const secretName = check.secretName('--secrets-manager', flags.secretsManager);
  const graceMs = check.duration('--grace', flags.grace);
  let waitUsed: { timeoutMs: number; intervalMs: number } | undefined;
  if (flags.waitUsed !== undefined && flags.waitUsed !== false) {
    const timeoutMs = check.duration('--wait-used', flags.waitUsed === true ? '1h' : flags.waitUsed);
    if (timeoutMs === 0 && flags.waitUsed !== true) check.fail('--wait-used needs a timeout above 0 (e.g. 30m)');
    // AWS updates last-used data within hours: poll gently, but often enough for short timeouts.
    waitUsed = { timeoutMs, intervalMs: Math.min(30_000, Math.max(1000, Math.floor(timeoutMs / 20))) };
  }
  check.done();

  const deps = createAuditDeps({
    aws: auditAwsContext(g, env),
    tenable: {
      apiUrl: auditTenableUrl(env, g),
      env,
      why: 'update the Tenable "Amazon AWS" credential',
      onRetry: (m) => out.debug(m),
    },
    secrets: true,
    now: auditClock(env),
  });

  // Ctrl-C rolls back (bin.ts leaves SIGINT to a command that listens for it).
  const abort = new AbortController();
  const onSigint = () => {
    out.warn('interrupted: undoing the rotation…');
    abort.abort(new InterruptedError());
  };
  process.on('SIGINT', onSigint);
  try {
    const result = await rotateAuditKey(
      deps,
      { user, credentialName, secretName, graceMs, deleteInactive: flags.deleteInactive, waitUsed },
      { progress: (m) => out.info(m), warn: (m) => out.warn(m) },
      abort.signal,
    );
    out.result({ ...result });
    if (!g.json) out.print(renderRotate(result));
  } finally {
    process.off('SIGINT', onSigint);
  }
}
