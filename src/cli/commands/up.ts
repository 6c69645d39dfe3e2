import { Option, type Command } from 'commander';
import { globalsOf } from '../globals.js';

export interface UpFlags {
  wait: boolean;
  timeout?: string;
  rollbackOnTimeout: boolean;
  keepOnFail: boolean;
  forceUnlock: boolean;
  allowWorld: boolean;
}

export function registerUp(program: Command): void {
  program
    .command('up')
    .description('Create what is missing, launch the scanners and wait until they are linked and ready in Tenable.')
    .option('--no-wait', 'return once the instances are launched (then `nessus-byol wait`)')
    .addOption(new Option('--timeout <duration>', 'how long to wait for linking (overrides wait.timeout), e.g. 20m'))
    .option('--rollback-on-timeout', 'remove what this run created when its scanners fail to link or time out (default: keep them for diagnosis)', false)
    .option('--keep-on-fail', 'keep what this run created when it fails (default: remove it)', false)
    .option('--force-unlock', 'take over the fleet lock held by another (killed) run', false)
    .option('--allow-world', 'accept 0.0.0.0/0 or ::/0 for ports 22/8834', false)
    .addHelpText(
      'after',
      `
Examples:
  $ nessus-byol up -f fleet.yaml                       show the plan, ask, provision, wait until ready
  $ nessus-byol up -f fleet.yaml --yes --json          CI: no questions, one JSON summary on stdout
  $ nessus-byol up -f fleet.yaml --yes --no-wait && nessus-byol wait -f fleet.yaml
  $ eval "$(nessus-byol sandbox env)"; nessus-byol up -f examples/minimal.yaml --yes   against the local sandbox

Needs TIO_ACCESS_KEY and TIO_SECRET_KEY (to read the linking key and watch the scanners link), AWS
credentials from the default chain (--profile / AWS_PROFILE, SSO, env, OIDC in CI).
Exit codes: 0 ready · 1 AWS/Tenable refused · 2 bad config · 3 link timeout · 4 linked, not ready · 130 Ctrl-C`,
    )
    .action(async (flags: UpFlags, cmd: Command) => {
      const { runUp } = await import('./up-action.js');
      await runUp(globalsOf(cmd), flags);
    });
}
