import type { Feature } from '../../adapters/aws/required-permissions.js';
import { buildIamPolicy, fleetPolicyTarget, type PolicyTarget } from '../../app/iam-policy.js';
import { regionSchema } from '../../config/schema.js';
import { UsageError } from '../../core/errors.js';
import { partitionOf } from '../../core/partition.js';
import { loadConfigFor } from '../config-loader.js';
import { outputFor, type GlobalOptions } from '../globals.js';
import type { IamPolicyFlags } from './iam-policy.js';

const FEATURES = ['audit', 'sechub', 'org'] as const;

export async function runIamPolicy(g: GlobalOptions, flags: IamPolicyFlags, withFleet: boolean): Promise<void> {
  const out = outputFor(g);
  const problems: string[] = [];
  if (flags.account !== undefined && !/^\d{12}$/.test(flags.account))
    problems.push(`--account "${flags.account}" is not a 12-digit AWS account id`);
  const features: Feature[] = ['fleet'];
  for (const raw of (flags.include ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (raw === 'all') features.push(...FEATURES);
    else if ((FEATURES as readonly string[]).includes(raw)) features.push(raw as Feature);
    else problems.push(`--include "${raw}" is not one of: audit, sechub, org, all`);
  }
  if (!withFleet && g.region && !regionSchema.safeParse(g.region).success)
    problems.push(`--region ${g.region} is not an AWS region name`);
  if (problems.length > 0)
    throw new UsageError(problems.join('; '), {
      hint: 'e.g. `nessus-byol iam-policy -f fleet.yaml --account 123456789012 --include audit`',
    });
  const unique = [...new Set(features)];

  let target: PolicyTarget;
  if (withFleet) {
    const config = await loadConfigFor(g, out);
    target = fleetPolicyTarget(config, { ...(flags.account ? { account: flags.account } : {}), features: unique });
  } else {
    target = {
      partition: partitionOf(g.region ?? 'us-east-1'),
      region: g.region ?? '*',
      account: flags.account ?? '*',
      features: unique,
    };
  }
  const { document, notes } = buildIamPolicy(target);
  const scope = {
    fleet: target.fleet?.name ?? null,
    region: target.region,
    partition: target.partition,
    account: target.account,
    features: unique,
  };
  if (g.json) {
    out.result({ policy: document, scope, notes });
    return;
  }
  out.print(JSON.stringify(document, null, 2));
  for (const n of notes) out.notice(n);
  const size = JSON.stringify(document).length;
  // Managed policies are limited to 6,144 characters (whitespace not counted).
  if (size > 6144)
    out.warn(
      `the document is ${size} characters, over the 6,144 limit of a managed policy: split the statements into two policies`,
    );
}
