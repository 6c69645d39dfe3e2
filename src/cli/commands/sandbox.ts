import { Option, type Command } from 'commander';
import { globalsOf } from '../globals.js';

const STATE_DIR_HELP = 'sandbox state directory (default: $NESSUS_BYOL_SANDBOX_DIR or ~/.cache/nessus-byol/sandbox)';

export interface SandboxStartFlags {
  region?: string;
  stateDir?: string;
  pluginDelay?: string;
  timeout: string;
}
export interface SandboxEnvFlags {
  stateDir?: string;
  shell: 'sh' | 'json';
}
export interface SandboxDirFlags {
  stateDir?: string;
}

/** `sandbox start|stop|env|status`: the embedded local stand-ins for AWS and Tenable (PRODUCT.md "Embedded sandbox"). */
export function registerSandbox(program: Command): void {
  const sandbox = program
    .command('sandbox')
    .description(
      'Run local stand-ins for AWS (moto_server) and Tenable (an API simulator) in the background, so every command works with no cloud account. Nothing leaves 127.0.0.1.',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ nessus-byol sandbox start                      start it (prints the export lines on stdout)
  $ eval "$(nessus-byol sandbox env)"              point this shell at it
  $ nessus-byol up -f examples/minimal.yaml --yes  provision against it; the user-data really runs
  $ nessus-byol sandbox status                     pid, endpoints, instances booted
  $ nessus-byol sandbox stop

Needs moto_server on PATH: pip install "moto[server]"`,
    );

  sandbox
    .command('start')
    .description(
      'Start the sandbox in the background (or report the one already running) and print its environment as `export` lines on stdout.',
    )
    .option(
      '--region <region>',
      'the region prepared in moto and selected by the printed environment (default: us-east-1)',
    )
    .option('--state-dir <dir>', STATE_DIR_HELP)
    .option(
      '--plugin-delay <duration>',
      'how long the Tenable simulator takes to "load plugins" after a scanner links, e.g. 500ms, 2s (default: 1.5s)',
    )
    .option('--timeout <duration>', 'how long to wait for the sandbox to be ready', '60s')
    .addHelpText(
      'after',
      `
Examples:
  $ nessus-byol sandbox start
  $ eval "$(nessus-byol sandbox start)"                  start and point this shell at it in one go
  $ nessus-byol sandbox start --region eu-west-1 --plugin-delay 5s
  $ nessus-byol sandbox start --state-dir /tmp/nb-sandbox --json

The AWS variables are dummy credentials for moto; the TVM keys are random keys of the simulator.
Running it again while it runs only prints the environment again ("alreadyRunning": true).`,
    )
    .action(async (opts: SandboxStartFlags, cmd: Command) => {
      const { runSandboxStart } = await import('./sandbox-action.js');
      await runSandboxStart(globalsOf(cmd), opts);
    });

  sandbox
    .command('env')
    .description(
      "Print the running sandbox's environment. The values are shown unmasked on purpose: they are dummy AWS credentials for the local moto_server and random keys of the local Tenable simulator, valid nowhere else.",
    )
    .addOption(new Option('--shell <format>', 'output format').choices(['sh', 'json']).default('sh'))
    .option('--state-dir <dir>', STATE_DIR_HELP)
    .addHelpText(
      'after',
      `
Examples:
  $ eval "$(nessus-byol sandbox env)"          export AWS_ENDPOINT_URL, AWS_*, TIO_*, NESSUS_BYOL_* in this shell
  $ nessus-byol sandbox env --shell json > sandbox-env.json
  $ nessus-byol sandbox env --state-dir /tmp/nb-sandbox`,
    )
    .action(async (opts: SandboxEnvFlags, cmd: Command) => {
      const { runSandboxEnv } = await import('./sandbox-action.js');
      await runSandboxEnv(globalsOf(cmd), opts);
    });

  sandbox
    .command('status')
    .description('Show whether the sandbox runs: pid, endpoints and ports, start time, instances booted.')
    .option('--state-dir <dir>', STATE_DIR_HELP)
    .addHelpText(
      'after',
      `
Examples:
  $ nessus-byol sandbox status
  $ nessus-byol sandbox status --json     {"ok":true,"running":true,"pid":…,"instancesBooted":…}

Exits 0 whether or not the sandbox runs; read "running" to tell.`,
    )
    .action(async (opts: SandboxDirFlags, cmd: Command) => {
      const { runSandboxStatus } = await import('./sandbox-action.js');
      await runSandboxStatus(globalsOf(cmd), opts);
    });

  sandbox
    .command('stop')
    .description('Stop the sandbox and the moto_server it started. Succeeds when none is running.')
    .option('--state-dir <dir>', STATE_DIR_HELP)
    .addHelpText(
      'after',
      `
Examples:
  $ nessus-byol sandbox stop
  $ nessus-byol sandbox stop --state-dir /tmp/nb-sandbox

Instances "launched" in moto are gone with it; the boot logs stay in the state directory.`,
    )
    .action(async (opts: SandboxDirFlags, cmd: Command) => {
      const { runSandboxStop } = await import('./sandbox-action.js');
      await runSandboxStop(globalsOf(cmd), opts);
    });
}
