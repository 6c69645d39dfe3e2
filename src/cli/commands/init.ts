import type { Command } from 'commander';
import { globalsOf } from '../globals.js';

export interface InitFlags {
  allowWorld: boolean;
}

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('Interactive wizard: asks what the fleet file leaves unset (pre-filled from your AWS and Tenable accounts), shows the plan and saves fleet.yaml.')
    .option('--allow-world', 'accept 0.0.0.0/0 or ::/0 for ports 22/8834 without asking again', false)
    .addHelpText(
      'after',
      `
Examples:
  $ nessus-byol init                          write ./fleet.yaml (asks before replacing an existing file)
  $ nessus-byol init -f prod.yaml --region eu-west-1 --profile prod
  $ nessus-byol                               the same wizard, ending with "save and provision"

Needs a terminal. Without one, write the file yourself (examples/minimal.yaml, \`nessus-byol schema\`) and run
\`nessus-byol up -f fleet.yaml --yes\`. Secrets (TIO_ACCESS_KEY, TIO_SECRET_KEY, a pasted linking key) never go
into the file.`,
    )
    .action(async (flags: InitFlags, cmd: Command) => {
      const { runInit } = await import('./init-action.js');
      await runInit(globalsOf(cmd), 'init', flags);
    });
}
