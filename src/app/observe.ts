import type { FleetInstance } from '../adapters/aws/ec2.js';
import type { ResolvedConfig } from '../config/resolve.js';
import { AwsError } from '../core/errors.js';
import { TAG, iamRoleName, instanceProfileName, keyPairName, securityGroupName } from '../core/naming.js';
import type { Observed } from '../core/plan.js';
import { checkNetworkPath, type NetworkPathResult } from './network-path.js';
import type { AwsGateways } from './gateways.js';

export interface ObservedFleet extends Observed {
  path: NetworkPathResult;
  /** Absent when the network was not looked up (nothing to launch or create). */
  vpcId?: string;
}

export interface ObserveOptions {
  /**
   * `auto` (default) looks up VPC, subnets and routes only when something must be launched or
   * created; `always` does it anyway (plan, rebuild, the wizard's review).
   */
  network?: 'auto' | 'always';
}

/**
 * Looks up everything the plan depends on; read-only. The fleet's own resources come first (tags,
 * names); the network — four more calls — only when scanners or shared resources are missing, so a
 * re-run with nothing to do stays cheap.
 */
export async function observeFleet(config: ResolvedConfig, gw: AwsGateways, opts: ObserveOptions = {}): Promise<ObservedFleet> {
  const createsRole = 'role' in config.iam;
  const needsKeyPair = config.access.keyPair === 'create' || (typeof config.access.keyPair === 'object' && 'import' in config.access.keyPair);
  const [ami, instances, groups, role, keyPair] = await Promise.all([
    resolveAmi(config, gw),
    gw.ec2.fleetInstances(config.fleet),
    gw.ec2.fleetSecurityGroups(config.fleet),
    createsRole ? gw.iam.roleTags(iamRoleName(config.fleet, config.region)) : Promise.resolve(null),
    needsKeyPair ? gw.ec2.keyPairExists(keyPairName(config.fleet)) : Promise.resolve(false),
  ]);
  const live = instances.filter((i) => ['pending', 'running', 'stopping', 'stopped'].includes(i.state));
  const declared = config.scanners.list?.length ?? config.scanners.count;
  const ownSg = groups.find((g) => g.name === securityGroupName(config.fleet) && (!config.network.vpcId || g.vpcId === config.network.vpcId));
  const steady = live.length >= declared && ownSg !== undefined && (!createsRole || role !== null) && (!needsKeyPair || keyPair);
  const existingInstances = instances.map(toObservedInstance);

  if (steady && opts.network !== 'always') {
    return {
      ...(ownSg.ownerId ? { accountId: ownSg.ownerId } : { accountId: (await gw.identity()).account }),
      ami,
      ...(ownSg.vpcId ? { vpcId: ownSg.vpcId } : {}),
      networkPath: { ok: true, summary: 'not checked: every scanner runs and nothing needs creating', problems: [] },
      path: { ok: true, summary: 'not checked', problems: [], usable: [], all: [] },
      existing: { securityGroupId: ownSg.id, keyPair, role: role !== null, instanceProfile: role !== null, instances: existingInstances },
    };
  }

  const vpc = await resolveVpc(config, gw);
  const subnets = await gw.ec2.subnets(config.scanners.subnetIds ? { subnetIds: config.scanners.subnetIds } : { vpcId: vpc.id });
  const [routes, profile] = await Promise.all([
    gw.ec2.subnetRoutes(vpc.id, subnets.map((s) => s.id)),
    // A missing role means a missing profile too (both are created together); only look when the role exists.
    createsRole && role !== null ? gw.iam.instanceProfileExists(instanceProfileName(config.fleet, config.region)) : Promise.resolve(false),
  ]);
  // VPC endpoints only inform the check when some subnet has no way out.
  const endpoints = routes.every((r) => r.internetGateway || r.natGateway) ? [] : await gw.ec2.vpcEndpointServices(vpc.id);
  const path = checkNetworkPath({
    subnets,
    routes,
    publicIp: config.network.publicIp,
    proxy: Boolean(config.link.proxy),
    explicitSubnets: Boolean(config.scanners.subnetIds),
    region: config.region,
    endpoints,
  });
  const sg = ownSg && ownSg.vpcId === vpc.id ? ownSg : undefined;
  return {
    accountId: vpc.ownerId ?? (await gw.identity()).account,
    ami,
    vpcId: vpc.id,
    subnets: path.usable.map((p) => ({ id: p.subnet.id, availabilityZone: p.subnet.availabilityZone, publicIp: p.publicIp })),
    networkPath: { ok: path.ok, summary: path.summary, problems: path.problems },
    path,
    existing: {
      ...(sg ? { securityGroupId: sg.id } : {}),
      keyPair,
      role: role !== null,
      instanceProfile: profile,
      instances: existingInstances,
    },
  };
}

/** A fleet instance as the plan sees it (identity from its tags). */
export function toObservedInstance(i: FleetInstance): NonNullable<NonNullable<Observed['existing']>['instances']>[number] {
  return {
    instanceId: i.instanceId,
    instanceType: i.instanceType,
    imageId: i.imageId,
    state: i.state,
    ...(i.tags[TAG.scannerName] ? { scannerName: i.tags[TAG.scannerName] } : {}),
    ...(i.tags[TAG.scannerId] ? { scannerId: Number(i.tags[TAG.scannerId]) } : {}),
    ...(i.launchTime ? { launchedAt: i.launchTime.getTime() } : {}),
  };
}

/** The AMI the fleet declares: the pinned id, or the newest image with the product code. */
export async function resolveAmi(config: ResolvedConfig, gw: AwsGateways): Promise<NonNullable<Observed['ami']>> {
  if ('id' in config.ami) {
    const img = await gw.ec2.image(config.ami.id);
    if (!img) {
      throw new AwsError('AMI_NOT_FOUND', `The pinned AMI ${config.ami.id} does not exist in ${config.region} (or is not shared with this account).`, {
        hint: 'AMI ids differ per region: pin the id for this region, or use `ami: { productCode: … }` to take the newest image',
      });
    }
    return { id: img.id, ...(img.name ? { name: img.name } : {}), rootDeviceName: img.rootDeviceName };
  }
  const img = await gw.ec2.newestImage(config.ami.productCode, config.ami.owner);
  if (!img) {
    throw new AwsError('AMI_NOT_FOUND', `No image with product code ${config.ami.productCode} from owner ${config.ami.owner} is available in ${config.region}.`, {
      hint: 'check the region and ami.productCode (Marketplace product codes can change), or pin `ami: { id: ami-… }`',
    });
  }
  return { id: img.id, ...(img.name ? { name: img.name } : {}), rootDeviceName: img.rootDeviceName };
}

async function resolveVpc(config: ResolvedConfig, gw: AwsGateways): Promise<{ id: string; ownerId?: string }> {
  if (config.network.vpcId) return (await gw.ec2.vpc(config.network.vpcId)) ?? { id: config.network.vpcId };
  if (config.scanners.subnetIds) {
    const subnets = await gw.ec2.subnets({ subnetIds: config.scanners.subnetIds });
    const vpcs = [...new Set(subnets.map((s) => s.vpcId))];
    if (vpcs.length !== 1) {
      throw new AwsError('SUBNETS_SPAN_VPCS', `scanners.subnetIds must all be in one VPC; they span ${vpcs.join(', ') || 'no VPC'}.`, {
        hint: 'list subnets of a single VPC',
      });
    }
    return { id: vpcs[0]!, ...(subnets[0]?.ownerId ? { ownerId: subnets[0].ownerId } : {}) };
  }
  const vpc = await gw.ec2.defaultVpc();
  if (!vpc) {
    throw new AwsError('NO_DEFAULT_VPC', `There is no default VPC in ${config.region}.`, {
      hint: 'set scanners.subnetIds (and network.vpcId) to subnets that reach the internet, or create one with `aws ec2 create-default-vpc`',
    });
  }
  return vpc;
}
