import { createAuditDeps } from '../../app/audit/deps.js';
import { setupAudit } from '../../app/audit/setup.js';
import type { GlobalOptions } from '../globals.js';
import { outputFor } from '../globals.js';
import { auditAwsContext, auditClock, auditTenableUrl, FlagCheck, type AuditSetupFlags } from './audit-options.js';
import { renderSetup } from './audit-render.js';

export async function runAuditSetup(g: GlobalOptions, flags: AuditSetupFlags, env: NodeJS.ProcessEnv): Promise<void> {
  const out = outputFor(g);
  const check = new FlagCheck();
  const group = check.iamGroup('--group', flags.group);
  const user = check.iamUser('--user', flags.user);
  const credentialName = check.credentialName('--credential-name', flags.credentialName);
  const secretName = check.secretName('--secrets-manager', flags.secretsManager);
  if (flags.showSecretOnce && g.json)
    check.fail('--show-secret-once cannot be combined with --json (the JSON document never carries secrets)');
  else if (flags.showSecretOnce && !process.stdout.isTTY)
    check.fail(
      '--show-secret-once prints only to a terminal, and stdout is not one (a pipe or file would keep the secret)',
    );
  check.done();

  const deps = createAuditDeps({
    aws: auditAwsContext(g, env),
    tenable: {
      apiUrl: auditTenableUrl(env, g),
      env,
      why: 'create the Tenable "Amazon AWS" credential',
      onRetry: (m) => out.debug(m),
    },
    // Also for the pending record of a key handed to an existing credential (resent if its answer is lost).
    secrets: true,
    now: auditClock(env),
  });
  const { result, newSecret } = await setupAudit(
    deps,
    { group, user, credentialName, securityAudit: flags.securityAudit, secretName, adopt: flags.adopt },
    { progress: (m) => out.info(m), warn: (m) => out.warn(m) },
  );
  out.result({ ...result });
  if (!g.json) out.print(renderSetup(result));
  if (flags.showSecretOnce) {
    if (newSecret) {
      // The one place the secret leaves the process on purpose: asked for, and only to a terminal.
      out.print(`\nAccess key ID:     ${result.key.accessKeyId}\nSecret access key: ${newSecret.reveal()}\n`);
      out.warn(
        'this secret is shown once and stored nowhere else by nessus-byol (Tenable holds it); clear your terminal scrollback',
      );
    } else {
      out.notice(
        'no key was created in this run, so there is no secret to show (existing secrets cannot be read back from AWS)',
      );
    }
  }
}
