import type { FleetInstance } from '../adapters/aws/ec2.js';
import type { TenableClient } from '../adapters/tenable/client.js';
import type { ResolvedConfig } from '../config/resolve.js';
import { resolveTenableEndpoint } from '../config/tenable-endpoint.js';
import { fleetSchema } from '../config/schema.js';
import { partitionOf } from '../core/partition.js';
import {
  checkCredentials,
  checkLinkingKeySource,
  checkMarketplace,
  checkNetwork,
  checkScanReach,
  checkSecurityGroup,
  checkVcpuQuota,
  checkVpc,
} from './doctor-aws.js';
import { checkTenable } from './doctor-tenable.js';
import { fail, pass, skip, type CheckResult, type CheckStatus, type DoctorReport } from './doctor-types.js';
import type { AwsGateways } from './gateways.js';

export type { CheckResult, CheckStatus, DoctorReport } from './doctor-types.js';

export interface DoctorInput {
  /** The fleet's resolved config, or the schema defaults for generic checks. */
  config: ResolvedConfig;
  /** No fleet file: checks what any fleet needs (default VPC, default AMI and instance type). */
  generic: boolean;
  /** Generic checks without --region / AWS_REGION cannot call AWS. */
  regionKnown: boolean;
  env: NodeJS.ProcessEnv;
}

export interface DoctorDeps {
  aws(): AwsGateways;
  /** Throws a UsageError when TIO_ACCESS_KEY / TIO_SECRET_KEY are missing (reported as a failed check). */
  tenable(): TenableClient;
}

/** The defaults every fleet starts from, for `doctor` without a fleet file. */
export function genericDoctorConfig(opts: {
  region: string | undefined;
  profile: string | undefined;
  env: NodeJS.ProcessEnv;
  /** `--tenable-url`. */
  tenableUrl?: string | undefined;
}): ResolvedConfig {
  const defaults = fleetSchema.parse({ version: 1, fleet: 'any' });
  const endpoint = resolveTenableEndpoint({ flag: opts.tenableUrl, env: opts.env });
  return {
    ...defaults,
    region: opts.region ?? '',
    profile: opts.profile,
    tenableApiUrl: endpoint.url,
    tenableEndpoint: endpoint,
    file: '',
  };
}

/**
 * Runs every check that applies and reports each as pass / warn / fail / skip with its fix. Checks
 * that depend on another (credentials → everything in AWS; VPC → network path, security group) are
 * skipped, not failed, when that one fails, so the report names the root cause once.
 */
export async function runDoctor(
  input: DoctorInput,
  deps: DoctorDeps,
  onCheck: (r: CheckResult) => void = () => undefined,
): Promise<DoctorReport> {
  const { config, generic } = input;
  const tenablePromise = checkTenable(deps.tenable, config, generic);
  const awsChecks = await runAwsChecks(input, deps, onCheck);
  const tenableChecks = await tenablePromise;
  tenableChecks.forEach((c) => onCheck(c));
  const checks = [...awsChecks, ...tenableChecks];
  const summary: Record<CheckStatus, number> = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const c of checks) summary[c.status]++;
  return {
    ok: summary.fail === 0,
    target: {
      fleet: generic ? null : config.fleet,
      file: generic ? null : config.file,
      region: input.regionKnown ? config.region : null,
      tenableApiUrl: config.tenableApiUrl,
    },
    checks,
    summary,
  };
}

async function runAwsChecks(
  input: DoctorInput,
  deps: DoctorDeps,
  onCheck: (r: CheckResult) => void,
): Promise<CheckResult[]> {
  const { config, generic } = input;
  const results: CheckResult[] = [];
  const add = (r: CheckResult | null) => {
    if (!r) return;
    results.push(r);
    onCheck(r);
  };
  const awsIds: Array<[string, string]> = [
    ['credentials', 'AWS credentials'],
    ['vpc', generic ? 'Default VPC and subnets' : 'VPC and subnets'],
    ['network-path', 'Network path to Tenable and SSM'],
    ['marketplace', 'Nessus AMI and Marketplace subscription'],
    ['vcpu-quota', 'EC2 vCPU quota headroom'],
  ];
  if (!input.regionKnown) {
    add(
      fail(
        'region',
        'AWS region',
        'no region is set',
        'pass --region us-east-1 (or set AWS_REGION), or check a fleet with -f fleet.yaml',
      ),
    );
    for (const [id, title] of awsIds) add(skip(id, title, 'needs a region'));
    return results;
  }
  add(pass('region', 'AWS region', `${config.region} (partition ${partitionOf(config.region)})`));

  const gw = deps.aws();
  const credentials = await checkCredentials(gw, config.region);
  add(credentials);
  if (credentials.status === 'fail') {
    for (const [id, title] of awsIds.slice(1)) add(skip(id, title, 'needs working AWS credentials'));
    return results;
  }

  const fleetInstances: FleetInstance[] = generic ? [] : await gw.ec2.fleetInstances(config.fleet).catch(() => []);
  const [vpc, marketplace, vcpu] = await Promise.all([
    checkVpc(gw, config, generic),
    checkMarketplace(gw, config, fleetInstances),
    checkVcpuQuota(gw, config, fleetInstances, generic),
  ]);
  add(vpc.result);
  const [network, sg, keySource] = await Promise.all([
    vpc.found
      ? checkNetwork(gw, config, vpc.found)
      : Promise.resolve(skip('network-path', 'Network path to Tenable and SSM', 'needs a VPC with subnets')),
    generic
      ? Promise.resolve(null)
      : vpc.found
        ? checkSecurityGroup(gw, config, vpc.found.vpcId)
        : Promise.resolve(skip('security-group', 'Security group egress', 'needs a VPC')),
    generic ? Promise.resolve(null) : checkLinkingKeySource(gw, config, input.env),
  ]);
  add(network);
  add(marketplace);
  add(vcpu);
  add(sg);
  add(keySource);
  add(generic || !vpc.found ? null : await checkScanReach(gw, config, vpc.found.vpcId));
  return results;
}
