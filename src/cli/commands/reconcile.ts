import { Option, type Command } from 'commander';
import { globalsOf } from '../globals.js';

export interface ReconcileFlags {
  fix: boolean;
  offThreshold: string;
  includeNameMatches: boolean;
  forceUnlock: boolean;
}

export function registerReconcile(program: Command): void {
  program
    .command('reconcile')
    .description(
      'Report drift between AWS, Tenable and the fleet file (stale records, unlinked or off scanners, surplus instances, undeclared resources); --fix removes it.',
    )
    .option('--fix', 'remove what was found, after confirmation (holds the fleet lock)', false)
    .addOption(
      new Option('--off-threshold <duration>', 'report scanners whose status has been "off" longer than this').default(
        '24h',
      ),
    )
    .option('--include-name-matches', 'with --fix, also delete name-prefix candidates without asking one by one', false)
    .option('--force-unlock', 'take over the fleet lock held by another (killed) run', false)
    .addHelpText(
      'after',
      `
Examples:
  $ nessus-byol reconcile -f fleet.yaml                       report only; exit 5 when drift is found
  $ nessus-byol reconcile -f fleet.yaml --fix                 show, ask, remove (candidates one by one)
  $ nessus-byol reconcile -f fleet.yaml --fix --yes --json    CI: remove certain drift, skip name candidates
  $ nessus-byol reconcile -f fleet.yaml --off-threshold 6h

Tenable records are this fleet's when their id/uuid is tagged on one of its instances. Records that
only fit the fleet's name template are shown separately as candidates and never deleted unless you
confirm each one or pass --include-name-matches.
Exit codes: 0 no drift (or all fixed) · 1 AWS/Tenable refused · 2 bad invocation or config
            5 drift found (without --fix) · 130 Ctrl-C`,
    )
    .action(async (flags: ReconcileFlags, cmd: Command) => {
      const { runReconcile } = await import('./reconcile-action.js');
      await runReconcile(globalsOf(cmd), flags);
    });
}
