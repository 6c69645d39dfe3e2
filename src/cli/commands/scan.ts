import { Option, type Command } from 'commander';
import { globalsOf } from '../globals.js';

export interface ScanFlags {
  targets?: string;
  targetTag?: string;
  targetFile?: string;
  exclude?: string;
  scanner?: string;
  template: string;
  wait: boolean;
  timeout: string;
  stopOnExit: boolean;
  export?: string;
  out?: string;
  chapters?: string;
  failOn?: string;
  top: string;
}

export function registerScan(program: Command): void {
  program
    .command('scan')
    .description(
      "Vulnerability scan of the fleet's network run by the fleet's scanners: created once, re-launched later, waited on, severity table.",
    )
    .option('--targets <list>', 'IPs, CIDRs or host names, comma-separated (default: private IPs of running instances in the fleet VPC)')
    .option('--target-tag <Key=Value>', 'the private IPs of running instances carrying this tag')
    .option('--target-file <path>', 'one target per line (# comments allowed)')
    .option('--exclude <list>', 'IPs or CIDRs to leave out, comma-separated')
    .option('--scanner <name>', "run on this one of the fleet's scanners (default: a link.groups group made only of the fleet's scanners, else a ready scanner)")
    .option('--template <name>', 'Tenable scan template (GET /editor/scan/templates)', 'basic')
    .option('--no-wait', 'launch and return (the scan keeps running in Tenable)')
    .addOption(new Option('--timeout <duration>', 'how long to wait for the scan to finish').default('2h'))
    .option('--stop-on-exit', 'on Ctrl-C or timeout, stop the scan in Tenable (POST /scans/{id}/stop) instead of leaving it running', false)
    .addOption(new Option('--export <format>', 'also download the results through the scan export API').choices(['nessus', 'csv', 'html', 'pdf']))
    .option('--out <file>', 'where --export writes (atomically: temp file, then rename)')
    .option('--chapters <list>', 'html/pdf chapters, comma-separated (default vuln_by_host)')
    .addOption(new Option('--fail-on <severity>', 'exit 5 when findings at or above this severity exist (CI gate)').choices(['critical', 'high', 'medium', 'low', 'info']))
    .option('--top <n>', 'how many top findings to list', '10')
    .addHelpText(
      'after',
      `
Examples:
  $ nessus-byol scan -f fleet.yaml                          the fleet VPC's running instances; asks before launching
  $ nessus-byol scan -f fleet.yaml --yes --fail-on high     CI gate: exit 5 when high or critical findings exist
  $ nessus-byol scan -f fleet.yaml --targets 10.0.1.0/24 --exclude 10.0.1.1 --yes
  $ nessus-byol scan -f fleet.yaml --target-tag Env=staging --yes --json
  $ nessus-byol scan -f fleet.yaml --yes --export csv --out results.csv
  $ nessus-byol scan -f fleet.yaml --yes --no-wait          launch only; run it again later to attach and wait
  $ nessus-byol sechub --since 1d                           then send the findings to AWS Security Hub

The scanners can reach only what the fleet security group lets out (443 by default): list target CIDRs or
security groups under scan.egress in the fleet file and run \`up\`; scan warns when targets are not covered.
One Tenable scan per fleet and template ("nessus-byol <fleet> <template>" in folder nessus-byol-<fleet>),
brought up to date (targets, scanner) before every launch. A run in progress is attached to.
On Ctrl-C or timeout the scan keeps running in Tenable unless --stop-on-exit.
Needs TIO_ACCESS_KEY/TIO_SECRET_KEY and AWS credentials.
Exit codes: 0 completed · 1 aborted/canceled (Tenable's reason) or AWS/Tenable refused · 2 bad invocation
            or no targets · 3 timed out · 5 findings at or above --fail-on · 130 interrupted`,
    )
    .action(async (flags: ScanFlags, cmd: Command) => {
      const { runScanCommand } = await import('./scan-action.js');
      await runScanCommand(globalsOf(cmd), flags);
    });
}
