import { Option, type Command } from 'commander';
import { globalsOf } from '../globals.js';

export interface RebuildFlags {
  dryRun: boolean;
  force: boolean;
  timeout?: string;
  forceUnlock: boolean;
}

export function registerRebuild(program: Command): void {
  program
    .command('rebuild')
    .description(
      "Blue/green: launch replacements from the fleet's AMI, wait until ready, move them into the old groups, then retire the old scanners.",
    )
    .option('--dry-run', 'show what would be replaced and change nothing', false)
    .option('--force', 'rebuild even when every scanner already runs the fleet AMI', false)
    .addOption(new Option('--timeout <duration>', 'how long to wait for the replacements (overrides wait.timeout)'))
    .option('--force-unlock', 'take over the fleet lock held by another (killed) run', false)
    .addHelpText(
      'after',
      `
Examples:
  $ nessus-byol rebuild -f fleet.yaml --dry-run              what would change (AMI old → new)
  $ nessus-byol rebuild -f fleet.yaml --yes --json           CI (scheduled): old → new mapping as JSON
  $ nessus-byol rebuild -f fleet.yaml --force --yes          replace even on the same AMI

The AMI is the newest with ami.productCode, or the pinned ami.id. Old scanners are terminated and their
Tenable records deleted only after every replacement is ready; a failure before that removes the
replacements and leaves the old fleet serving. See examples/github-actions/rebuild-scanners.yml.
Exit codes: 0 rebuilt (or nothing to do) · 1 AWS/Tenable refused or a replacement failed to link
            2 bad config or no terminal to confirm on without --yes · 3 replacements never linked
            4 linked, not ready · 130 Ctrl-C (replacements removed)`,
    )
    .action(async (flags: RebuildFlags, cmd: Command) => {
      const { runRebuild } = await import('./rebuild-action.js');
      await runRebuild(globalsOf(cmd), flags);
    });
}
