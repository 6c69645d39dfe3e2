import type { EgressRule, FleetInstance, SubnetInfo } from '../adapters/aws/ec2.js';
import { Ec2ScanGateway } from '../adapters/aws/ec2-scan.js';
import type { ResolvedConfig } from '../config/resolve.js';
import { isNessusByolError } from '../core/errors.js';
import { securityGroupName } from '../core/naming.js';
import { partitionOf } from '../core/partition.js';
import { egressRules } from '../core/security-group.js';
import { fail, pass, skip, warn, type CheckResult } from './doctor-types.js';
import type { AwsGateways } from './gateways.js';
import { checkNetworkPath } from './network-path.js';

/** A failed call as a failing check: the tool's typed errors already carry the cause and the fix. */
export function failFromError(id: string, title: string, e: unknown): CheckResult {
  if (isNessusByolError(e)) return fail(id, title, e.message, e.hint);
  return fail(
    id,
    title,
    e instanceof Error ? e.message : String(e),
    're-run with --verbose and report it if it persists',
  );
}

export async function checkCredentials(gw: AwsGateways, region: string): Promise<CheckResult> {
  const title = 'AWS credentials';
  try {
    const id = await gw.identity();
    const partition = partitionOf(region);
    const arnPartition = id.arn.split(':')[1];
    if (arnPartition && arnPartition !== partition) {
      return fail(
        'credentials',
        title,
        `the credentials belong to partition ${arnPartition} (${id.arn}) but ${region} is in ${partition}`,
        'use credentials of an account in that partition (GovCloud and commercial accounts are separate)',
      );
    }
    return pass('credentials', title, `account ${id.account} as ${id.arn}`);
  } catch (e) {
    return failFromError('credentials', title, e);
  }
}

export interface VpcFound {
  vpcId: string;
  subnets: SubnetInfo[];
}

/** The VPC and subnets the fleet would use: its subnetIds, network.vpcId, or the default VPC. */
export async function checkVpc(
  gw: AwsGateways,
  config: ResolvedConfig,
  generic: boolean,
): Promise<{ result: CheckResult; found: VpcFound | null }> {
  const id = 'vpc';
  const title = generic ? 'Default VPC and subnets' : 'VPC and subnets';
  try {
    if (config.scanners.subnetIds) {
      const subnets = await gw.ec2.subnets({ subnetIds: config.scanners.subnetIds });
      const vpcs = [...new Set(subnets.map((s) => s.vpcId))];
      if (vpcs.length !== 1) {
        return {
          result: fail(
            id,
            title,
            `scanners.subnetIds span ${vpcs.length} VPCs (${vpcs.join(', ')})`,
            'list subnets of a single VPC',
          ),
          found: null,
        };
      }
      return {
        result: pass(id, title, `${subnets.length} subnet(s) from scanners.subnetIds in ${vpcs[0]}`),
        found: { vpcId: vpcs[0]!, subnets },
      };
    }
    const vpcId = config.network.vpcId ?? (await gw.ec2.defaultVpcId());
    if (!vpcId) {
      const fix =
        'create one with `aws ec2 create-default-vpc`, or set scanners.subnetIds in the fleet file to subnets that reach the internet';
      const message = `there is no default VPC in ${config.region}`;
      return {
        result: generic
          ? warn(id, title, `${message}; fleets must name their subnets`, fix)
          : fail(id, title, message, fix),
        found: null,
      };
    }
    const subnets = await gw.ec2.subnets({ vpcId });
    if (subnets.length === 0) {
      return {
        result: fail(id, title, `${vpcId} has no subnets`, 'create subnets in it, or set scanners.subnetIds'),
        found: null,
      };
    }
    const which = config.network.vpcId ? vpcId : `default VPC ${vpcId}`;
    return {
      result: pass(
        id,
        title,
        `${which} with ${subnets.length} subnet(s) in ${new Set(subnets.map((s) => s.availabilityZone)).size} availability zone(s)`,
      ),
      found: { vpcId, subnets },
    };
  } catch (e) {
    if (isNessusByolError(e) && /InvalidSubnetID/i.test(e.code + e.message)) {
      return {
        result: fail(id, title, e.message, 'check scanners.subnetIds: subnet ids differ per region and account'),
        found: null,
      };
    }
    return { result: failFromError(id, title, e), found: null };
  }
}

export async function checkNetwork(gw: AwsGateways, config: ResolvedConfig, found: VpcFound): Promise<CheckResult> {
  const title = 'Network path to Tenable and SSM';
  try {
    const [routes, endpoints] = await Promise.all([
      gw.ec2.subnetRoutes(
        found.vpcId,
        found.subnets.map((s) => s.id),
      ),
      gw.ec2.vpcEndpointServices(found.vpcId),
    ]);
    const path = checkNetworkPath({
      subnets: found.subnets,
      routes,
      publicIp: config.network.publicIp,
      proxy: Boolean(config.link.proxy),
      explicitSubnets: Boolean(config.scanners.subnetIds),
      region: config.region,
      endpoints,
    });
    if (!path.ok) {
      return fail(
        'network-path',
        title,
        `${path.summary}: ${path.problems.join('; ')}`,
        'route the subnets to an internet gateway (network.publicIp auto/always) or a NAT gateway, or set link.proxy',
      );
    }
    const blocked = path.all.filter((p) => !p.reachesInternet).map((p) => p.subnet.id);
    return pass(
      'network-path',
      title,
      blocked.length > 0 ? `${path.summary}; ${blocked.join(', ')} cannot and will not be used` : path.summary,
    );
  } catch (e) {
    return failFromError('network-path', title, e);
  }
}

/** Where to subscribe: the listing page of the product code. */
export function marketplaceUrl(productCode: string): string {
  return `https://aws.amazon.com/marketplace/pp?sku=${productCode}`;
}

/**
 * What can be known without launching: the AMI resolves. AWS answers DescribeImages for Marketplace
 * images whether or not the account subscribed; only RunInstances says OptInRequired. A fleet
 * instance running from the image proves the subscription.
 */
export async function checkMarketplace(
  gw: AwsGateways,
  config: ResolvedConfig,
  fleetInstances: FleetInstance[],
): Promise<CheckResult> {
  const id = 'marketplace';
  const title = 'Nessus AMI and Marketplace subscription';
  const productCode = 'productCode' in config.ami ? config.ami.productCode : null;
  const subscribe = productCode
    ? `subscribe once at ${marketplaceUrl(productCode)} ("Continue to Subscribe" → accept the terms) with this account, then re-run`
    : 'subscribe to the Nessus listing in AWS Marketplace with this account, then re-run';
  try {
    const img =
      'id' in config.ami
        ? await gw.ec2.image(config.ami.id)
        : await gw.ec2.newestImage(config.ami.productCode, config.ami.owner);
    if (!img) {
      return 'id' in config.ami
        ? fail(
            id,
            title,
            `the pinned AMI ${config.ami.id} does not exist in ${config.region} or is not shared with this account`,
            'AMI ids differ per region: pin the id for this region, or use `ami: { productCode: … }`',
          )
        : fail(
            id,
            title,
            `no image with product code ${config.ami.productCode} from owner ${config.ami.owner} is available in ${config.region}`,
            `check the region and ami.productCode; ${subscribe}`,
          );
    }
    const name = `${img.id}${img.name ? ` (${img.name})` : ''}`;
    const running = fleetInstances.filter((i) => i.imageId === img.id && i.state === 'running').length;
    if (running > 0) return pass(id, title, `${name}; subscription proven: ${running} fleet instance(s) run from it`);
    return pass(
      id,
      title,
      `${name} resolves in ${config.region}; the subscription itself is proven only by a launch (\`up\` reports OptInRequired with the fix)`,
    );
  } catch (e) {
    if (isNessusByolError(e) && e.code === 'AWS_NOT_SUBSCRIBED') return fail(id, title, e.message, subscribe);
    return failFromError(id, title, e);
  }
}

/** The families counted by the "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances" vCPU quota. */
export function isStandardFamily(instanceType: string): boolean {
  return /^(?:[acdhmrtz]|i[ms]?)\d/.test(instanceType);
}

/** The instance types the fleet launches, one per scanner (the first of a fallback list). */
export function fleetInstanceTypes(config: ResolvedConfig): string[] {
  const primary = Array.isArray(config.scanners.instanceType)
    ? config.scanners.instanceType[0]!
    : config.scanners.instanceType;
  if (config.scanners.list) return config.scanners.list.map((s) => s.instanceType ?? primary);
  return Array.from({ length: config.scanners.count }, () => primary);
}

/**
 * vCPU headroom. The On-Demand vCPU limit comes only from the Service Quotas API, which the tool has
 * no client for; EC2's legacy `max-instances` attribute no longer reflects it. So this reports what
 * the fleet needs and what already runs, and says honestly that the limit was not checked.
 */
export async function checkVcpuQuota(
  gw: AwsGateways,
  config: ResolvedConfig,
  fleetInstances: FleetInstance[],
  generic: boolean,
): Promise<CheckResult> {
  const id = 'vcpu-quota';
  const title = 'EC2 vCPU quota headroom';
  try {
    const types = fleetInstanceTypes(config);
    const [vcpus, running] = await Promise.all([gw.ec2.instanceTypeVcpus(types), gw.ec2.regionInstances()]);
    const unknown = [...new Set(types.filter((t) => vcpus[t] === undefined))];
    if (unknown.length > 0) {
      return fail(
        id,
        title,
        `instance type ${unknown.join(', ')} is not offered in ${config.region}`,
        `choose a type offered there: \`aws ec2 describe-instance-type-offerings --region ${config.region}\``,
      );
    }
    const need = types.reduce((n, t) => n + vcpus[t]!, 0);
    const standard = running.filter((i) => !i.spot && isStandardFamily(i.instanceType));
    const runningVcpus = await gw.ec2.instanceTypeVcpus(standard.map((i) => i.instanceType));
    const used = standard.reduce((n, i) => n + (runningVcpus[i.instanceType] ?? 0), 0);
    const fleetIds = new Set(
      fleetInstances.filter((i) => i.state === 'running' || i.state === 'pending').map((i) => i.instanceId),
    );
    const fleetUsed = standard
      .filter((i) => fleetIds.has(i.instanceId))
      .reduce((n, i) => n + (runningVcpus[i.instanceType] ?? 0), 0);
    const shape = [...new Set(types)]
      .map((t) => `${types.filter((x) => x === t).length} × ${t} of ${vcpus[t]}`)
      .join(' + ');
    const who = generic ? 'a default scanner' : `the fleet`;
    const nonStandard = [...new Set(types.filter((t) => !isStandardFamily(t)))];
    const quota =
      nonStandard.length > 0
        ? `the On-Demand quota of the ${nonStandard.join(', ')} family`
        : 'the "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances" quota (L-1216C47A)';
    const message =
      `${who} needs ${need} vCPUs (${shape}); ${used} On-Demand Standard vCPUs already run in ${config.region}` +
      `${fleetUsed > 0 ? ` (${fleetUsed} of them this fleet's)` : ''}. Limit not checked: only the Service Quotas API has it. ` +
      `A rebuild briefly needs the fleet's vCPUs twice.`;
    return warn(
      id,
      title,
      message,
      `compare with ${quota}: \`aws service-quotas get-service-quota --service-code ec2 --quota-code L-1216C47A --region ${config.region}\``,
    );
  } catch (e) {
    return failFromError(id, title, e);
  }
}

/** Whether `rules` let TCP `port` out, and to where. */
export function egressAllows(
  rules: EgressRule[],
  port: number,
): { allowed: boolean; anywhere: boolean; destinations: string[] } {
  const matching = rules.filter(
    (r) =>
      r.protocol === '-1' ||
      ((r.protocol === 'tcp' || r.protocol === '6') && (r.fromPort ?? 0) <= port && port <= (r.toPort ?? 65535)),
  );
  const destinations = matching.flatMap((r) => [
    ...r.cidrs,
    ...(r.otherDestinations > 0 ? [`${r.otherDestinations} prefix list/group destination(s)`] : []),
  ]);
  return {
    allowed: destinations.length > 0,
    anywhere: matching.some((r) => r.cidrs.includes('0.0.0.0/0') || r.cidrs.includes('::/0')),
    destinations,
  };
}

/** For an existing fleet security group: egress allows 443 (and the link/proxy port) out. */
export async function checkSecurityGroup(gw: AwsGateways, config: ResolvedConfig, vpcId: string): Promise<CheckResult> {
  const id = 'security-group';
  const title = 'Security group egress';
  const name = securityGroupName(config.fleet);
  try {
    const sg = await gw.ec2.findSecurityGroup(name, vpcId);
    if (!sg)
      return skip(
        id,
        title,
        `${name} does not exist yet in ${vpcId}; \`up\` creates it allowing only ${egressRules(config)
          .map((r) => r.port)
          .join(', ')} out`,
      );
    const rules = await gw.ec2.securityGroupEgress(sg.id);
    if (!rules) return skip(id, title, `${name} (${sg.id}) disappeared while checking`);
    const needed = egressRules(config);
    const missing = needed.filter((r) => !egressAllows(rules, r.port).allowed);
    if (missing.length > 0) {
      const ports = missing.map((r) => r.port);
      return fail(
        id,
        title,
        `${name} (${sg.id}) allows no egress on TCP ${ports.join(', ')}: scanners cannot reach Tenable, SSM or Secrets Manager`,
        ports
          .map(
            (p) =>
              `aws ec2 authorize-security-group-egress --group-id ${sg.id} --ip-permissions IpProtocol=tcp,FromPort=${p},ToPort=${p},IpRanges='[{CidrIp=0.0.0.0/0}]'`,
          )
          .join(' && '),
      );
    }
    const narrow = needed.filter((r) => !egressAllows(rules, r.port).anywhere);
    if (narrow.length > 0) {
      const r = narrow[0]!;
      return warn(
        id,
        title,
        `${name} (${sg.id}) allows TCP ${r.port} out only to ${egressAllows(rules, r.port).destinations.join(', ')}; Tenable's and AWS's endpoint addresses are not fixed`,
        'make sure those destinations cover the proxy, NAT or VPC endpoints the scanners use, or allow 0.0.0.0/0 on that port',
      );
    }
    return pass(id, title, `${name} (${sg.id}) allows TCP ${needed.map((r) => r.port).join(', ')} out`);
  } catch (e) {
    return failFromError(id, title, e);
  }
}

/**
 * `scan.egress`: the fleet group has an all-traffic outbound rule to each listed target (`up` adds
 * them), and each listed target security group admits the scanners' group.
 */
export async function checkScanReach(gw: AwsGateways, config: ResolvedConfig, vpcId: string): Promise<CheckResult> {
  const id = 'scan-reach';
  const title = 'Scanners can reach scan targets';
  const targets = config.scan.egress;
  if (targets.length === 0) {
    return skip(id, title, 'scan.egress is empty: the fleet security group allows only 443 out, so `scan` reaches nothing else');
  }
  try {
    const sg = await gw.ec2.findSecurityGroup(securityGroupName(config.fleet), vpcId);
    if (!sg) return skip(id, title, `${securityGroupName(config.fleet)} does not exist yet; \`up\` creates it with the scan.egress rules`);
    const ec2Scan = new Ec2ScanGateway(gw.ec2.client);
    const [fleetGroup] = await ec2Scan.securityGroupRules([sg.id]);
    const open = (t: string) =>
      (fleetGroup?.egress ?? []).some((p) => p.protocol === '-1' && (t.startsWith('sg-') ? p.groupIds.includes(t) : p.cidrs.includes(t)));
    const missing = targets.filter((t) => !open(t));
    if (missing.length) {
      return fail(id, title, `${sg.id} has no outbound rule to ${missing.join(', ')} (scan.egress)`, `run \`nessus-byol up -f ${config.file}\` to add them`);
    }
    const groups = targets.filter((t) => t.startsWith('sg-'));
    const rules = await ec2Scan.securityGroupRules(groups);
    const closed = rules.filter((g) => !g.ingress.some((p) => p.groupIds.includes(sg.id))).map((g) => g.id);
    if (closed.length) {
      return warn(id, title, `target security group(s) ${closed.join(', ')} do not admit the scanners' group ${sg.id}`, `allow inbound from ${sg.id} on them (e.g. aws ec2 authorize-security-group-ingress --group-id ${closed[0]} --ip-permissions IpProtocol=-1,UserIdGroupPairs='[{GroupId=${sg.id}}]')`);
    }
    return pass(id, title, `${sg.id} may reach ${targets.join(', ')}`);
  } catch (e) {
    return failFromError(id, title, e);
  }
}

/** The stored linking key the instances read at boot exists (never read or shown here). */
export async function checkLinkingKeySource(
  gw: AwsGateways,
  config: ResolvedConfig,
  env: NodeJS.ProcessEnv,
): Promise<CheckResult | null> {
  const id = 'linking-key-source';
  const title = 'Linking key source';
  const key = config.link.key;
  if (config.link.method === 'standalone') return null;
  try {
    if (key.from === 'ssm') {
      return (await gw.ssm.exists(key.parameter))
        ? pass(id, title, `SSM parameter ${key.parameter} exists`)
        : fail(
            id,
            title,
            `SSM parameter ${key.parameter} does not exist in ${config.region}`,
            `store the key: \`nessus-byol linking-key --store ssm:${key.parameter}\` (reads it from Tenable), or create it as a SecureString`,
          );
    }
    if (key.from === 'secretsmanager') {
      return (await gw.secrets.exists(key.secretId))
        ? pass(id, title, `secret ${key.secretId} exists`)
        : fail(
            id,
            title,
            `Secrets Manager secret ${key.secretId} does not exist in ${config.region}`,
            'create it holding the linking key, or switch link.key to tenable-api',
          );
    }
    if (key.from === 'env') {
      return env.NESSUS_LINKING_KEY
        ? pass(id, title, 'NESSUS_LINKING_KEY is set (stored in an SSM SecureString by `up`)')
        : warn(
            id,
            title,
            'link.key.from is env but NESSUS_LINKING_KEY is not set',
            'export NESSUS_LINKING_KEY before `up` (or switch link.key to tenable-api)',
          );
    }
    return null;
  } catch (e) {
    return failFromError(id, title, e);
  }
}
