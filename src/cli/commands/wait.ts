import { Option, type Command } from 'commander';
import { globalsOf } from '../globals.js';

export interface WaitFlags {
  timeout?: string;
}

export function registerWait(program: Command): void {
  program
    .command('wait')
    .description(
      'Wait until the fleet is linked and ready in Tenable (CI after `up --no-wait`); same exit codes as `up`.',
    )
    .addOption(new Option('--timeout <duration>', 'how long to wait (overrides wait.timeout), e.g. 20m'))
    .addHelpText(
      'after',
      `
Examples:
  $ nessus-byol up -f fleet.yaml --yes --no-wait && nessus-byol wait -f fleet.yaml
  $ nessus-byol wait -f fleet.yaml --timeout 30m --json

Polls with one GET /scanners per tick, tags each instance with its Tenable id/uuid and joins link.groups.
Exit codes: 0 ready · 1 AWS/Tenable refused or a scanner failed to link · 2 bad config
            3 link timeout · 4 linked, not ready · 130 Ctrl-C`,
    )
    .action(async (flags: WaitFlags, cmd: Command) => {
      const { runWait } = await import('./wait-action.js');
      await runWait(globalsOf(cmd), flags);
    });
}
