import type { Command } from 'commander';
import { globalsOf } from '../globals.js';

export interface DownFlags {
  dryRun: boolean;
  keepShared: boolean;
  forceUnlock: boolean;
  skipTenable: boolean;
}

export function registerDown(program: Command): void {
  program
    .command('down')
    .description(
      "Terminate the fleet's scanners, delete their Tenable records (by the id tagged on each instance) and the resources this fleet created.",
    )
    .option('--dry-run', 'show what would be removed and change nothing', false)
    .option('--keep-shared', 'keep the security group, key pair, instance role and linking-key parameter', false)
    .option('--force-unlock', 'take over the fleet lock held by another (killed) run', false)
    .option(
      '--skip-tenable',
      'remove only the AWS side: do not ask Tenable or delete its records (e.g. no API keys at hand)',
      false,
    )
    .addHelpText(
      'after',
      `
Examples:
  $ nessus-byol down -f fleet.yaml --dry-run           list what would go, touch nothing
  $ nessus-byol down -f fleet.yaml                     show, ask, remove
  $ nessus-byol down -f fleet.yaml --yes --json        CI: no questions, one JSON summary
  $ nessus-byol down -f fleet.yaml --keep-shared       only the scanners and their Tenable records
  $ nessus-byol down -f fleet.yaml --skip-tenable      no Tenable API keys: only the AWS side

Finds everything by the tags nessus-byol:fleet + nessus-byol:managed; never deletes Tenable records by
name, a linking-key parameter you provide (link.key.from: ssm) or resources tagged for another fleet.
Tenable records go by the id tagged on each instance. When Tenable cannot be reached or refuses, the
AWS side is still removed; the records left are kept in the SSM parameter /nessus-byol/<fleet>/tenable-leftovers
and the run exits 1 (DOWN_INCOMPLETE): run down again (or reconcile --fix) once Tenable answers.
Safe to run twice. Exit codes: 0 removed (or nothing to remove) · 1 AWS/Tenable refused or something
was left behind · 2 bad config, no Tenable API keys without --skip-tenable, or no terminal to confirm
on without --yes · 130 Ctrl-C`,
    )
    .action(async (flags: DownFlags, cmd: Command) => {
      const { runDown } = await import('./down-action.js');
      await runDown(globalsOf(cmd), flags);
    });
}
