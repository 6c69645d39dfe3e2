import type { Command } from 'commander';
import { globalsOf } from '../globals.js';

export interface ExportCloudFormationFlags {
  output?: string;
  regions?: string;
  offline: boolean;
  force: boolean;
}

export function registerExport(program: Command): void {
  const exp = program
    .command('export')
    .description('Export the fleet in another form (CloudFormation template).')
    .addHelpText(
      'after',
      `
Examples:
  $ nessus-byol export cloudformation -f fleet.yaml > fleet.template.yaml
  $ nessus-byol export cloudformation -f fleet.yaml --offline -o template.yaml`,
    );
  exp
    .command('cloudformation')
    .description(
      'Print a self-contained CloudFormation template of the fleet: security group, instance role/profile with the same policy as `up`, a launch template (IMDSv2, encrypted root, tags), the scanners with the same user-data. The linking key is read at boot by name; it is never a template value.',
    )
    .option('-o, --output <path>', 'write the template to this file (never overwritten without --force) instead of stdout')
    .option('--regions <list>', 'regions whose AMI goes into the AmiByRegion mapping (default: the fleet region)')
    .option('--offline', 'no AWS calls: ImageId becomes a required parameter', false)
    .option('--force', 'overwrite --output', false)
    .addHelpText(
      'after',
      `
Examples:
  $ nessus-byol export cloudformation -f fleet.yaml > fleet.template.yaml
  $ nessus-byol export cloudformation -f fleet.yaml -o template.yaml --regions us-east-1,eu-west-1
  $ nessus-byol export cloudformation -f fleet.yaml --offline --json | jq -r .template

Deploy it yourself: aws cloudformation deploy --template-file template.yaml --stack-name nessus-byol-<fleet> --capabilities CAPABILITY_NAMED_IAM
The linking key must already be stored where link.key says (e.g. nessus-byol linking-key --store ssm:/nessus/linking-key).
For many accounts use \`nessus-byol org up\` (README.md, "Organisation scale"). Exit codes: 0 ok · 1 AWS refused · 2 bad flags or config`,
    )
    .action(async (flags: ExportCloudFormationFlags, cmd: Command) => {
      const { runExportCloudFormation } = await import('./export-action.js');
      await runExportCloudFormation(globalsOf(cmd), flags);
    });
}
