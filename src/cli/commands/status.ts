import { Option, type Command } from 'commander';
import { globalsOf } from '../globals.js';

export interface StatusFlags {
  watch: boolean;
  interval: string;
}

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description(
      'One table joining AWS and Tenable per scanner: instance, AZ, AMI, Tenable id, linked, status, plugins, last connect, uptime.',
    )
    .option('--watch', 'refresh the table until Ctrl-C (in place on a terminal)', false)
    .addOption(new Option('--interval <duration>', 'refresh interval with --watch').default('5s'))
    .addHelpText(
      'after',
      `
Examples:
  $ nessus-byol status -f fleet.yaml                  one snapshot
  $ nessus-byol status -f fleet.yaml --watch          live table, one GET /scanners per refresh
  $ nessus-byol status -f fleet.yaml --json | jq '.scanners[] | {name, ready}'

Needs TIO_ACCESS_KEY/TIO_SECRET_KEY and AWS credentials; changes nothing.
Exit codes: 0 ok · 1 AWS/Tenable refused · 2 bad invocation or config`,
    )
    .action(async (flags: StatusFlags, cmd: Command) => {
      const { runStatus } = await import('./status-action.js');
      await runStatus(globalsOf(cmd), flags);
    });
}
