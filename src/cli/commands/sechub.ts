import { Option, type Command } from 'commander';
import { globalsOf } from '../globals.js';

export interface SechubFlags {
  since?: string;
  runEvery?: string;
  batchSize: string;
  concurrency: string;
  state: string;
  severity: string;
  assumeRole?: string;
  productArn?: string;
  stateStore: string;
  dryRun: boolean;
  /** The original tool's flags: accepted only to say what replaces them (their values are never shown). */
  tioAccessKey?: string | boolean;
  tioSecretKey?: string | boolean;
  awsAccessId?: string | boolean;
  awsSecretKey?: string | boolean;
  awsAccountId?: string | boolean;
  awsRegion?: string | boolean;
  logLevel?: string | boolean;
}

const legacy = (flag: string) => new Option(`${flag} [value]`).hideHelp();

export function registerSechub(program: Command): void {
  program
    .command('sechub')
    .description(
      'Send Tenable vulnerability findings on EC2 instances to AWS Security Hub (ASFF), each into its owner account. ' +
        'Tenable keys come from TIO_ACCESS_KEY / TIO_SECRET_KEY, AWS from the standard credential chain.',
    )
    .option(
      '--since <when>',
      'findings changed since: epoch seconds, a date (2024-05-01) or a duration (7d); default: the last successful run',
    )
    .option(
      '--run-every <interval>',
      'repeat every interval: hours as a number (1) or a duration (30m, 6h) until SIGTERM',
    )
    .option('--batch-size <n>', 'findings per BatchImportFindings call (1–100)', '100')
    .option('--concurrency <n>', 'BatchImportFindings calls in flight at once (1–10)', '4')
    .option(
      '--state <list>',
      'Tenable finding states: open,reopened,fixed (fixed findings are ARCHIVED)',
      'open,reopened,fixed',
    )
    .option('--severity <list>', 'Tenable severities: info,low,medium,high,critical or all', 'low,medium,high,critical')
    .option(
      '--assume-role <name>',
      'role name assumed in each other owner account to import its findings (else they are skipped)',
    )
    .option(
      '--product-arn <arn>',
      'Security Hub product ARN (default arn:<partition>:securityhub:<region>::product/tenable/vulnerability-management)',
    )
    .option(
      '--state-store <where>',
      'where the last successful run is remembered: file, file:<path>, ssm:/<parameter> or none',
      'file',
    )
    .option('--dry-run', 'export and map the findings, import nothing, remember nothing', false)
    .addOption(legacy('--tio-access-key'))
    .addOption(legacy('--tio-secret-key'))
    .addOption(legacy('--aws-access-id'))
    .addOption(legacy('--aws-secret-key'))
    .addOption(legacy('--aws-account-id'))
    .addOption(legacy('--aws-region'))
    .addOption(legacy('--log-level'))
    .addHelpText(
      'after',
      `
Examples:
  $ export TIO_ACCESS_KEY=… TIO_SECRET_KEY=…
  $ nessus-byol sechub --region us-east-1 --since 7d              last week's findings, once
  $ nessus-byol sechub --region us-east-1 --assume-role SecHubImport   other accounts through that role
  $ nessus-byol sechub --run-every 1 --state-store ssm:/nessus-byol/sechub   hourly, incremental
  $ nessus-byol sechub --dry-run --json                          what would be imported, as data

Exit codes: 0 all imported (or SIGTERM during --run-every) · 1 a finding failed or AWS/Tenable said no
            2 bad flags or missing TIO_ACCESS_KEY/TIO_SECRET_KEY · 130 Ctrl-C
Docs: README.md, "Security Hub"`,
    )
    .action(async (opts: SechubFlags, cmd: Command) => {
      const { runSechubCommand } = await import('./sechub-action.js');
      await runSechubCommand(globalsOf(cmd), opts);
    });
}
