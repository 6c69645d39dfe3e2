import type { FleetInstance } from '../adapters/aws/ec2.js';
import type { ResolvedConfig } from '../config/resolve.js';
import { AwsError } from '../core/errors.js';
import { TAG, iamRoleName, instanceProfileName, keyPairName, ownedLinkingKeyParameter, securityGroupName } from '../core/naming.js';
import type { Observed } from '../core/plan.js';
import { checkNetworkPath, type NetworkPathResult } from './network-path.js';
import type { AwsGateways } from './gateways.js';

export interface ObservedFleet extends Observed {
  path: NetworkPathResult;
  vpcId: string;
}

/** Looks up everything the plan depends on; read-only. */
export async function observeFleet(config: ResolvedConfig, gw: AwsGateways): Promise<ObservedFleet> {
  const [identity, ami] = await Promise.all([gw.identity(), resolveAmi(config, gw)]);
  const vpcId = await resolveVpc(config, gw);
  const subnets = await gw.ec2.subnets(config.scanners.subnetIds ? { subnetIds: config.scanners.subnetIds } : { vpcId });
  const [routes, endpoints, sg, keyPair, role, profile, instances, ownedKey] = await Promise.all([
    gw.ec2.subnetRoutes(vpcId, subnets.map((s) => s.id)),
    gw.ec2.vpcEndpointServices(vpcId),
    gw.ec2.findSecurityGroup(securityGroupName(config.fleet), vpcId),
    config.access.keyPair === 'create' || (typeof config.access.keyPair === 'object' && 'import' in config.access.keyPair)
      ? gw.ec2.keyPairExists(keyPairName(config.fleet))
      : Promise.resolve(false),
    'role' in config.iam ? gw.iam.roleTags(iamRoleName(config.fleet, config.region)) : Promise.resolve(null),
    'role' in config.iam ? gw.iam.instanceProfileExists(instanceProfileName(config.fleet, config.region)) : Promise.resolve(false),
    gw.ec2.fleetInstances(config.fleet),
    config.link.key.from === 'tenable-api' || config.link.key.from === 'env'
      ? gw.ssm.exists(config.link.key.parameter ?? ownedLinkingKeyParameter(config.fleet))
      : Promise.resolve(false),
  ]);
  const path = checkNetworkPath({
    subnets,
    routes,
    publicIp: config.network.publicIp,
    proxy: Boolean(config.link.proxy),
    explicitSubnets: Boolean(config.scanners.subnetIds),
    region: config.region,
    endpoints,
  });
  return {
    accountId: identity.account,
    ami,
    vpcId,
    subnets: path.usable.map((p) => ({ id: p.subnet.id, availabilityZone: p.subnet.availabilityZone, publicIp: p.publicIp })),
    networkPath: { ok: path.ok, summary: path.summary, problems: path.problems },
    path,
    existing: {
      ...(sg ? { securityGroupId: sg.id } : {}),
      keyPair,
      role: role !== null,
      instanceProfile: profile,
      linkingKeyParameter: ownedKey,
      instances: instances.map(toObservedInstance),
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

async function resolveVpc(config: ResolvedConfig, gw: AwsGateways): Promise<string> {
  if (config.network.vpcId) return config.network.vpcId;
  if (config.scanners.subnetIds) {
    const subnets = await gw.ec2.subnets({ subnetIds: config.scanners.subnetIds });
    const vpcs = [...new Set(subnets.map((s) => s.vpcId))];
    if (vpcs.length !== 1) {
      throw new AwsError('SUBNETS_SPAN_VPCS', `scanners.subnetIds must all be in one VPC; they span ${vpcs.join(', ') || 'no VPC'}.`, {
        hint: 'list subnets of a single VPC',
      });
    }
    return vpcs[0]!;
  }
  const vpc = await gw.ec2.defaultVpcId();
  if (!vpc) {
    throw new AwsError('NO_DEFAULT_VPC', `There is no default VPC in ${config.region}.`, {
      hint: 'set scanners.subnetIds (and network.vpcId) to subnets that reach the internet, or create one with `aws ec2 create-default-vpc`',
    });
  }
  return vpc;
}
