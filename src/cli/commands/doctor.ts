import type { Command } from 'commander';
import { globalsOf } from '../globals.js';

/** Whether -f/--file was given (the global option has a default, so its value alone cannot tell). */
export function fleetFileGiven(cmd: Command): boolean {
  const source = cmd.getOptionValueSourceWithGlobals('file');
  return source !== undefined && source !== 'default';
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description(
      'Check AWS credentials, region, VPC and network path, the Nessus AMI, vCPU headroom, Tenable keys and permissions; each with its fix.',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ nessus-byol doctor -f fleet.yaml                   everything that fleet needs
  $ nessus-byol doctor --region eu-west-1              generic: default VPC, default AMI and instance type
  $ nessus-byol doctor -f fleet.yaml --json            one JSON document with every check
  $ eval "$(nessus-byol sandbox env)"; nessus-byol doctor --region us-east-1   against the local sandbox

Each check reports pass, warn, fail or skip (when a check it depends on failed). Read-only: it makes
one GET /scanners and one GET of the linking key in Tenable (never shown). Without -f the fleet file is
not read. What cannot be proven without launching (the Marketplace subscription) or without the
Service Quotas API (the vCPU limit) is said so. Docs: README.md, "Checking your setup" and "IAM permissions"
Exit codes: 0 no failures (warnings allowed) · 5 a check failed · 2 bad flags or fleet file`,
    )
    .action(async (_opts: unknown, cmd: Command) => {
      const { runDoctorCommand } = await import('./doctor-action.js');
      await runDoctorCommand(globalsOf(cmd), fleetFileGiven(cmd));
    });
}
