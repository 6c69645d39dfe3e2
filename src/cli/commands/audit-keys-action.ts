import { createAuditDeps } from '../../app/audit/deps.js';
import { auditKeys } from '../../app/audit/keys.js';
import { CheckFailedError } from '../../core/errors.js';
import type { GlobalOptions } from '../globals.js';
import { outputFor } from '../globals.js';
import { auditAwsContext, auditClock, FlagCheck, type AuditKeysFlags } from './audit-options.js';
import { renderKeys } from './audit-render.js';

export async function runAuditKeys(g: GlobalOptions, flags: AuditKeysFlags, env: NodeJS.ProcessEnv): Promise<void> {
  const out = outputFor(g);
  const check = new FlagCheck();
  const user = check.iamUser('--user', flags.user);
  const maxAgeDays = check.positiveInt('--max-age-days', flags.maxAgeDays, 3650);
  const graceMs = check.duration('--grace', flags.grace);
  check.done();
  const now = auditClock(env);

  const deps = createAuditDeps({ aws: auditAwsContext(g, env), secrets: false, now });
  const result = await auditKeys(
    deps,
    { user, allUsers: flags.allUsers, maxAgeDays, graceMs, fix: flags.fix },
    { progress: (m) => out.debug(m), warn: (m) => out.warn(m) },
  );
  if (!g.json) out.print(renderKeys(result, out.style));
  if (result.failing > 0) {
    throw new CheckFailedError(
      `CIS AWS 1.14: ${result.failing} active access key${result.failing === 1 ? ' is' : 's are'} older than ${maxAgeDays} days.`,
      {
        hint: flags.allUsers
          ? 'rotate them; for the audit user: `nessus-byol audit rotate`'
          : '`nessus-byol audit rotate` replaces the key with no downtime',
        data: { ...result },
      },
    );
  }
  out.result({ ...result });
}
