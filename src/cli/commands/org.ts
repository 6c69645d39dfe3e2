import { Option, type Command } from 'commander';
import { globalsOf } from '../globals.js';

export interface OrgUpFlags {
  targets?: string;
  regions?: string;
  orgId?: string;
  maxConcurrent: string;
  failureTolerance: string;
  wait: boolean;
  timeout?: string;
}
export interface OrgStatusFlags {
  regions?: string;
}
export interface OrgDownFlags {
  targets?: string;
  keepShared: boolean;
  dryRun: boolean;
  maxConcurrent: string;
  failureTolerance: string;
}

const NEEDS = `Needs: credentials of the Organizations management account or a CloudFormation delegated
administrator, StackSets trusted access enabled (aws organizations enable-aws-service-access
--service-principal member.org.stacksets.cloudformation.amazonaws.com), TIO_ACCESS_KEY/TIO_SECRET_KEY.
Docs: README.md, "Organisation scale"`;

export function registerOrg(program: Command): void {
  const org = program
    .command('org')
    .description('Deploy the fleet to many AWS accounts and regions with a service-managed CloudFormation StackSet, and verify every scanner links.')
    .addHelpText(
      'after',
      `
Examples:
  $ nessus-byol org up -f fleet.yaml --org-id o-abc123def4 --targets ou-ab12-cdef3456 --regions us-east-1,eu-west-1 --yes
  $ nessus-byol org status -f fleet.yaml
  $ nessus-byol org down -f fleet.yaml --yes

${NEEDS}`,
    );

  org
    .command('up')
    .description(
      'Create or update the organisation-shared linking key secret, the StackSet and its stack instances; follow each operation; then wait (one GET /scanners per tick for the whole organisation) and print account × region → ready / linked / missing / stack failed.',
    )
    .option('--targets <list|file.csv>', 'OU ids, the root id, account ids with their OU/root (INTERSECTION), or a CSV: account,ou[,region,vpcId,subnetId]')
    .option('--regions <list>', 'comma-separated regions, e.g. us-east-1,eu-west-1')
    .option('--org-id <o-…>', 'the organization id the linking key secret is shared with (aws:PrincipalOrgID); env NESSUS_BYOL_ORG_ID')
    .option('--max-concurrent <n|n%>', 'accounts deployed at once per region', '10%')
    .option('--failure-tolerance <n|n%>', 'failed accounts per region before the operation stops', '0')
    .option('--no-wait', 'return after the StackSet operations (check later with org status)')
    .addOption(new Option('--timeout <duration>', 'how long to wait for the scanners (default: wait.timeout of the fleet file)'))
    .addHelpText(
      'after',
      `
Examples:
  $ nessus-byol org up -f fleet.yaml --org-id o-abc123def4 --targets ou-ab12-cdef3456,ou-ab12-99990000 --regions us-east-1,eu-west-1 --yes
  $ nessus-byol org up -f fleet.yaml --org-id o-abc123def4 --targets accounts.csv --regions us-east-1 --max-concurrent 20% --failure-tolerance 5% --yes
  $ nessus-byol org up -f fleet.yaml --org-id o-abc123def4 --targets r-ab12,111122223333 --regions eu-west-1 --json --yes

accounts.csv: a header, then one row per account (and region):
  account,ou,region,vpcId,subnetId
  111122223333,ou-ab12-cdef3456,us-east-1,vpc-0abc12345678def00,subnet-0abc12345678def00

Exit codes: 0 every scanner ready · 1 AWS/Tenable refused or a stack failed · 2 bad flags or config
            3 scanners missing at the timeout · 4 linked but not ready
${NEEDS}`,
    )
    .action(async (flags: OrgUpFlags, cmd: Command) => {
      const { runOrgUp } = await import('./org-action.js');
      await runOrgUp(globalsOf(cmd), flags);
    });

  org
    .command('status')
    .description('The account × region matrix from the StackSet and one GET /scanners. Changes nothing.')
    .option('--regions <list>', 'only these regions')
    .addHelpText(
      'after',
      `
Examples:
  $ nessus-byol org status -f fleet.yaml
  $ nessus-byol org status -f fleet.yaml --regions eu-west-1 --json | jq '.cells[] | select(.state != "ready")'

Exit codes: 0 ok · 1 AWS/Tenable refused · 2 bad flags or config`,
    )
    .action(async (flags: OrgStatusFlags, cmd: Command) => {
      const { runOrgStatus } = await import('./org-action.js');
      await runOrgStatus(globalsOf(cmd), flags);
    });

  org
    .command('down')
    .description('Delete the stack instances, then the StackSet, then the Tenable records of those scanners, then the organisation secret and KMS key.')
    .option('--targets <list>', 'OU or root ids for stack instances whose OU CloudFormation does not report')
    .option('--keep-shared', 'keep the organisation secret and its KMS key', false)
    .option('--dry-run', 'show what would be deleted, change nothing', false)
    .option('--max-concurrent <n|n%>', 'accounts deleted at once per region', '10%')
    .option('--failure-tolerance <n|n%>', 'failed accounts per region before the operation stops', '0')
    .addHelpText(
      'after',
      `
Examples:
  $ nessus-byol org down -f fleet.yaml --dry-run
  $ nessus-byol org down -f fleet.yaml --yes
  $ nessus-byol org down -f fleet.yaml --keep-shared --max-concurrent 50% --yes --json

Tenable records are deleted by the exact scanner names of the deleted stacks, after AWS confirmed
the stacks are gone. Exit codes: 0 ok · 1 AWS/Tenable refused · 2 bad flags or config`,
    )
    .action(async (flags: OrgDownFlags, cmd: Command) => {
      const { runOrgDown } = await import('./org-action.js');
      await runOrgDown(globalsOf(cmd), flags);
    });
}
