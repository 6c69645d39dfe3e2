import { Command, Option, type OutputConfiguration } from 'commander';
import { VERSION } from '../version.js';
import { registerPlan } from './commands/plan.js';
import { registerUp } from './commands/up.js';
import { registerStatus } from './commands/status.js';
import { registerWait } from './commands/wait.js';
import { registerRebuild } from './commands/rebuild.js';
import { registerDown } from './commands/down.js';
import { registerReconcile } from './commands/reconcile.js';
import { registerInit } from './commands/init.js';
import { globalsOf } from './globals.js';
import { registerLinkingKey } from './commands/linking-key.js';
import { registerSchema } from './commands/schema.js';
import { registerAudit } from './commands/audit.js';
import { registerScan } from './commands/scan.js';
import { registerSandbox } from './commands/sandbox.js';
import { registerSechub } from './commands/sechub.js';
import { registerSsh } from './commands/ssh.js';
import { registerExport } from './commands/export.js';
import { registerOrg } from './commands/org.js';
import { registerDoctor } from './commands/doctor.js';
import { registerIamPolicy } from './commands/iam-policy.js';

export function buildProgram(output: OutputConfiguration = {}): Command {
  const program = new Command('nessus-byol')
    // Set before commands are added: commander copies these settings into each subcommand.
    .exitOverride()
    .configureOutput(output)
    .description('Provision Tenable Nessus BYOL scanners in AWS and link them to Tenable Vulnerability Management.')
    .version(VERSION, '-V, --version', 'print the version')
    .option('-f, --file <path>', 'fleet file', 'fleet.yaml')
    .option('--region <region>', 'AWS region (overrides the fleet file and AWS_REGION)')
    .option('--profile <name>', 'AWS shared-config profile (overrides AWS_PROFILE)')
    .option('--tenable-url <url>', 'Tenable API URL for API calls (overrides TIO_URL; tenable.site still sets the link target)')
    .option('--json', 'print exactly one JSON document on stdout', false)
    .option('-y, --yes', 'do not ask for confirmation', false)
    .option('--verbose', 'print debug details on stderr', false)
    .addOption(new Option('--no-color', 'disable colours (NO_COLOR is honoured too)'))
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ sortSubcommands: false, showGlobalOptions: true })
    .addHelpText(
      'after',
      `
Examples:
  $ nessus-byol plan -f fleet.yaml --offline     show what would be created, touching nothing
  $ nessus-byol schema > fleet.schema.json        JSON Schema for editor completion

Exit codes: 0 ok · 1 AWS/Tenable said no · 2 bad invocation or config · 3 link timeout
            4 linked but not ready · 5 a check found problems · 130 interrupted
Docs: README.md`,
    );
  registerPlan(program);
  registerUp(program);
  registerStatus(program);
  registerWait(program);
  registerRebuild(program);
  registerDown(program);
  registerReconcile(program);
  registerLinkingKey(program);
  registerSchema(program);
  registerScan(program);
  registerAudit(program);
  registerSandbox(program);
  registerSechub(program);
  registerSsh(program);
  registerExport(program);
  registerOrg(program);
  registerDoctor(program);
  registerIamPolicy(program);
  registerInit(program);
  // `nessus-byol` alone starts the wizard (on a terminal; otherwise it names the command to use).
  // Excess arguments are allowed on the root only (set after the subcommands copied the settings) so
  // an unknown command gets commander's usual message instead of "too many arguments".
  program.allowExcessArguments(true).action(async (_opts: unknown, cmd: Command) => {
    if (cmd.args.length > 0) cmd.error(`error: unknown command '${cmd.args[0]}'`, { code: 'commander.unknownCommand', exitCode: 2 });
    const { runInit } = await import('./commands/init-action.js');
    await runInit(globalsOf(cmd), 'wizard');
  });
  return program;
}
