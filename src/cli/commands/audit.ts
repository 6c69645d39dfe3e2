import { Option, type Command } from 'commander';
import { globalsOf } from '../globals.js';
import type { AuditKeysFlags, AuditRotateFlags, AuditSetupFlags } from './audit-options.js';
import type { AuditScanFlags } from './audit-scan-action.js';

const DEFAULTS_NOTE = `Defaults: group nessus-byol-audit, user nessus-byol-audit, credential "nessus-byol AWS audit".
Needs: AWS credentials that may manage IAM (IAM is global; --region or AWS_REGION only picks the
endpoint, us-east-1 when unset). setup/rotate also need TIO_ACCESS_KEY and TIO_SECRET_KEY (Tenable API
URL: --tenable-url, else TIO_URL (alias NESSUS_BYOL_TENABLE_API_URL), else https://cloud.tenable.com). Docs: README.md, "Audit your AWS cloud from Tenable"`;

export function registerAudit(program: Command): void {
  const audit = program
    .command('audit')
    .description(
      'Read-only IAM scanning user + Tenable "Amazon AWS" credential for Audit Cloud Infrastructure scans; CIS AWS 1.14 key age and rotation.',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ nessus-byol audit setup --security-audit          group, user, key and Tenable credential (idempotent)
  $ nessus-byol audit keys                            CIS AWS 1.14: keys older than 90 days → exit 5
  $ nessus-byol audit rotate                          zero-downtime rotation of the audit user's key
  $ nessus-byol audit scan --regions us-east-1        Audit Cloud Infrastructure scan with that credential

${DEFAULTS_NOTE}`,
    );

  audit
    .command('setup')
    .description(
      'Create (idempotently) the read-only IAM group and user, an access key, and the Tenable "Amazon AWS" credential holding it.',
    )
    .option('--group <name>', 'IAM group (ReadOnlyAccess attached)', 'nessus-byol-audit')
    .option('--user <name>', 'IAM user Tenable scans with', 'nessus-byol-audit')
    .option('--credential-name <name>', 'name of the Tenable managed credential', 'nessus-byol AWS audit')
    .option('--security-audit', 'also attach the SecurityAudit managed policy to the group', false)
    .option(
      '--secrets-manager <name>',
      'also keep the key pair in this Secrets Manager secret (JSON accessKeyId/secretAccessKey)',
    )
    .option('--adopt', 'manage an existing IAM user that nessus-byol did not create', false)
    .option(
      '--show-secret-once',
      'print a newly created secret access key once (only to a terminal, never with --json)',
      false,
    )
    .addHelpText(
      'after',
      `
Examples:
  $ nessus-byol audit setup                                   defaults; re-running changes nothing
  $ nessus-byol audit setup --security-audit --json           also SecurityAudit; the result as JSON
  $ nessus-byol audit setup --user NessusAuditor --adopt      take over the user made by hand from Tenable's guide
  $ nessus-byol audit setup --secrets-manager nessus-byol/audit-key

The secret access key goes straight from IAM to Tenable (and Secrets Manager if asked); it is never printed
unless --show-secret-once is given on a terminal and a key was created in this run.
${DEFAULTS_NOTE}`,
    )
    .action(async (opts: AuditSetupFlags, cmd: Command) => {
      const { runAuditSetup } = await import('./audit-setup-action.js');
      await runAuditSetup(globalsOf(cmd), opts, process.env);
    });

  audit
    .command('keys')
    .description(
      'List access keys with age, status and last use; CIS AWS 1.14 fails (exit 5) for active keys older than --max-age-days.',
    )
    .option('--user <name>', 'IAM user to check', 'nessus-byol-audit')
    .option('--all-users', "check every IAM user's keys, not only the audit user's", false)
    .option('--max-age-days <n>', 'an active key older than this fails (CIS AWS 1.14: 90)', '90')
    .option('--fix', "delete the audit user's keys that have been inactive longer than --grace (never rotates)", false)
    .option('--grace <duration>', 'how long a deactivated key is kept before --fix deletes it (e.g. 7d, 36h)', '7d')
    .addHelpText(
      'after',
      `
Examples:
  $ nessus-byol audit keys                          the audit user's keys; exit 5 if one is older than 90 days
  $ nessus-byol audit keys --all-users --json       every user's keys as one JSON document
  $ nessus-byol audit keys --max-age-days 45        a stricter internal policy
  $ nessus-byol audit keys --fix                    also delete keys inactive for more than 7 days

Exit codes: 0 every active key is compliant · 5 at least one fails (the report is still printed) · 1 AWS error
${DEFAULTS_NOTE}`,
    )
    .action(async (opts: AuditKeysFlags, cmd: Command) => {
      const { runAuditKeys } = await import('./audit-keys-action.js');
      await runAuditKeys(globalsOf(cmd), opts, process.env);
    });

  audit
    .command('rotate')
    .description(
      "Rotate the audit user's access key with no downtime: new key → Tenable credential → verify → deactivate the old key → delete it after --grace.",
    )
    .option('--user <name>', 'IAM user whose key Tenable holds', 'nessus-byol-audit')
    .option(
      '--credential-name <name>',
      'Tenable credential to update (when the user carries no credential tag)',
      'nessus-byol AWS audit',
    )
    .option(
      '--secrets-manager <name>',
      'also store the new key pair in this secret (default: the one given to `audit setup`)',
    )
    .option('--grace <duration>', 'keep the deactivated old key this long before deleting it (0: delete at once)', '7d')
    .option('--delete-inactive', 'delete every inactive key of the user first (makes room for the new key)', false)
    .addOption(
      new Option(
        '--wait-used [timeout]',
        'before deactivating the old key, wait until AWS reports the new key used (GetAccessKeyLastUsed)',
      ).preset('1h'),
    )
    .addHelpText(
      'after',
      `
Examples:
  $ nessus-byol audit rotate                            create, hand to Tenable, verify, deactivate the old key
  $ nessus-byol audit rotate --delete-inactive          first delete a leftover inactive key (IAM allows 2 keys)
  $ nessus-byol audit rotate --wait-used 2h             also wait until a Tenable scan has used the new key
  $ nessus-byol audit rotate --grace 0 --json           delete the old key at once; result as JSON

Verification: Tenable has no API to test a credential, so rotate reads the credential back
(GET /credentials/{uuid}) and checks it holds the new access key id; --wait-used adds proof of use.
Any failure before the old key is deactivated is rolled back (new key deleted, Tenable keeps the old one).
${DEFAULTS_NOTE}`,
    )
    .action(async (opts: AuditRotateFlags, cmd: Command) => {
      const { runAuditRotate } = await import('./audit-rotate-action.js');
      await runAuditRotate(globalsOf(cmd), opts, process.env);
    });

  audit
    .command('scan')
    .description(
      'The guide\'s Audit Cloud Infrastructure scan: cloud_audit template, the "Amazon AWS" credential of `audit setup` (by uuid), CIS AWS audit file; compliance counts.',
    )
    .option('--regions <list>', 'AWS regions to audit, comma-separated (default: the fleet\'s region, else AWS_REGION)')
    .option('--audit <name>', 'audit file by title or file name (default: the newest CIS Amazon Web Services Foundations L1)')
    .option('--credential-name <name>', 'the Tenable "Amazon AWS" credential to use', 'nessus-byol AWS audit')
    .option('--scanner <name>', "run on this one of the fleet's scanners (-f) instead of a Tenable Cloud Sensor")
    .option('--group <name>', "run on this link.groups group of the fleet (-f) instead of a Tenable Cloud Sensor")
    .option('--no-wait', 'launch and return (the scan keeps running in Tenable)')
    .addOption(new Option('--timeout <duration>', 'how long to wait for the scan to finish').default('2h'))
    .option('--stop-on-exit', 'on Ctrl-C or timeout, stop the scan in Tenable instead of leaving it running', false)
    .addOption(new Option('--fail-on <status>', 'exit 5 when a compliance check failed (CI gate)').choices(['failed']))
    .option('--debug', 'enable plugin debugging and download the Scan DB (password from NESSUS_BYOL_SCAN_DB_PASSWORD or a prompt)', false)
    .option('--db-out <file>', 'where --debug writes the Scan DB (mode 0600)')
    .addHelpText(
      'after',
      `
Examples:
  $ nessus-byol audit setup && nessus-byol audit scan --regions us-east-1,eu-west-1
  $ nessus-byol audit scan -f fleet.yaml --fail-on failed --json     the fleet's region; exit 5 on a failed check
  $ nessus-byol audit scan --audit "CIS Amazon Web Services Foundations L2" --regions us-east-1
  $ NESSUS_BYOL_SCAN_DB_PASSWORD=… nessus-byol audit scan --debug --db-out audit.db   the guide's troubleshooting

Runs where the guide says, on a Tenable Cloud Sensor; --scanner/--group run it on the fleet's own scanners.
The credential is referenced by uuid; its key never leaves Tenable. The audit file used is printed (CIS
numbering depends on it). The Scan DB password is never taken from argv.
Exit codes: 0 completed · 1 aborted/canceled, no credential (run \`audit setup\`) or Tenable refused · 2 bad
            invocation · 3 timed out · 5 a check failed with --fail-on failed · 130 interrupted`,
    )
    .action(async (opts: AuditScanFlags, cmd: Command) => {
      const { runAuditScanCommand } = await import('./audit-scan-action.js');
      await runAuditScanCommand(globalsOf(cmd), opts, process.env);
    });
}
