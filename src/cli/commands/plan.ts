import type { Command } from 'commander';
import { globalsOf } from '../globals.js';

export function registerPlan(program: Command): void {
  program
    .command('plan')
    .description('Show every resource `up` would create or keep, the drift it sees, and the rendered user-data (secrets masked).')
    .option('--offline', 'do not call AWS or Tenable: show the plan from the fleet file alone', false)
    .option('--allow-world', 'accept 0.0.0.0/0 or ::/0 for ports 22/8834', false)
    .option('--no-user-data', 'do not print the rendered user-data')
    .addHelpText(
      'after',
      `
Examples:
  $ nessus-byol plan -f fleet.yaml --offline          no AWS or Tenable access needed
  $ nessus-byol plan -f fleet.yaml                    looks up AMI, subnets, network path, existing resources
  $ nessus-byol plan -f fleet.yaml --offline --json   the same plan as data`,
    )
    .action(async (opts: { offline: boolean; allowWorld: boolean; userData: boolean }, cmd: Command) => {
      const { runPlan } = await import('./plan-action.js');
      await runPlan(globalsOf(cmd), opts);
    });
}
