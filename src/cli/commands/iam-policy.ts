import type { Command } from 'commander';
import { globalsOf } from '../globals.js';
import { fleetFileGiven } from './doctor.js';

export interface IamPolicyFlags {
  account?: string;
  include?: string;
}

export function registerIamPolicy(program: Command): void {
  program
    .command('iam-policy')
    .description(
      'Print the IAM policy nessus-byol itself needs (scoped to one fleet with -f), ready for `aws iam create-policy`.',
    )
    .option(
      '--account <id>',
      'pin the account id in ARNs (default *: the policy acts only in the account it is attached in)',
    )
    .option(
      '--include <features>',
      'add the permissions of other commands: audit, sechub, org or all (comma-separated)',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ nessus-byol iam-policy -f fleet.yaml > policy.json        scoped to that fleet's names, tags and region
  $ aws iam create-policy --policy-name nessus-byol-prod --policy-document file://policy.json
  $ nessus-byol iam-policy --region us-east-1                 any fleet in one region (names nessus-byol-*)
  $ nessus-byol iam-policy --include audit,sechub --json      also audit and sechub; one JSON document

Covers plan, up, status, wait, rebuild, down, reconcile, ssh, linking-key and doctor. The list comes from
a table kept next to the AWS gateways (a test fails when code calls AWS without an entry). Resources are
scoped by ARN (role/instance profile nessus-byol-<fleet>-<region>, parameter/nessus-byol/<fleet>/*) and
tags (aws:ResourceTag / aws:RequestTag nessus-byol:fleet) where AWS allows; iam:PassRole only to EC2.
Without -f the fleet file is not read (a generic policy for any fleet). Docs: README.md, "Checking your setup" and "IAM permissions"`,
    )
    .action(async (flags: IamPolicyFlags, cmd: Command) => {
      const { runIamPolicy } = await import('./iam-policy-action.js');
      await runIamPolicy(globalsOf(cmd), flags, fleetFileGiven(cmd));
    });
}
