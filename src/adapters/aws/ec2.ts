import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateKeyPairCommand,
  CreateSecurityGroupCommand,
  CreateTagsCommand,
  DeleteKeyPairCommand,
  DeleteSecurityGroupCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeInstanceTypesCommand,
  DescribeKeyPairsCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointsCommand,
  DescribeVpcsCommand,
  EC2Client,
  GetConsoleOutputCommand,
  ImportKeyPairCommand,
  RevokeSecurityGroupEgressCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
  waitUntilInstanceTerminated,
  type Filter,
  type IpPermission,
  type RouteTable,
  type Tag,
  type _InstanceType,
} from '@aws-sdk/client-ec2';
import { newestFirst } from '../../core/newest-image.js';
import type { SgRule } from '../../core/security-group.js';
import { TAG } from '../../core/naming.js';
import { aws, isAwsErrorCode, toAwsError } from './aws-errors.js';
import { clientConfig, type AwsContext } from './client-config.js';

export interface ImageInfo {
  id: string;
  name?: string;
  rootDeviceName: string;
  creationDate?: string;
}

export interface SubnetInfo {
  id: string;
  vpcId: string;
  ownerId?: string;
  availabilityZone: string;
  mapPublicIpOnLaunch: boolean;
}

export interface SubnetRoute {
  subnetId: string;
  internetGateway: boolean;
  natGateway: boolean;
}

export interface FleetInstance {
  instanceId: string;
  state: string;
  instanceType: string;
  imageId: string;
  subnetId?: string;
  availabilityZone?: string;
  launchTime?: Date;
  publicIp?: string;
  privateIp?: string;
  tags: Record<string, string>;
}

/** One egress rule of a security group, as `doctor` checks it. */
export interface EgressRule {
  protocol: string;
  fromPort?: number;
  toPort?: number;
  cidrs: string[];
  /** Destinations other than CIDRs (prefix lists, security groups). */
  otherDestinations: number;
}

export function toTags(tags: Record<string, string>): Array<{ Key: string; Value: string }> {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

function fromTags(tags: Tag[] | undefined): Record<string, string> {
  return Object.fromEntries((tags ?? []).filter((t) => t.Key).map((t) => [t.Key!, t.Value ?? '']));
}

function permissions(rules: SgRule[]): IpPermission[] {
  return rules.map((r) => ({
    IpProtocol: r.protocol,
    FromPort: r.port,
    ToPort: r.port,
    ...(r.cidr.includes(':')
      ? { Ipv6Ranges: [{ CidrIpv6: r.cidr, Description: r.description }] }
      : { IpRanges: [{ CidrIp: r.cidr, Description: r.description }] }),
  }));
}

/** The narrow EC2 surface nessus-byol uses. */
export class Ec2Gateway {
  readonly client: EC2Client;
  constructor(ctx: AwsContext) {
    this.client = new EC2Client(clientConfig(ctx));
  }

  async newestImage(productCode: string, owner: string): Promise<ImageInfo | null> {
    const out = await aws('looking up the Nessus AMI (ec2:DescribeImages)', () =>
      this.client.send(
        new DescribeImagesCommand({ Owners: [owner], Filters: [{ Name: 'product-code', Values: [productCode] }, { Name: 'state', Values: ['available'] }] }),
      ),
    );
    const images = [...(out.Images ?? [])].sort((a, b) => newestFirst({ creationDate: a.CreationDate, name: a.Name }, { creationDate: b.CreationDate, name: b.Name }));
    const img = images[0];
    return img?.ImageId ? { id: img.ImageId, name: img.Name, rootDeviceName: img.RootDeviceName ?? '/dev/xvda', creationDate: img.CreationDate } : null;
  }

  async image(id: string): Promise<ImageInfo | null> {
    try {
      const out = await this.client.send(new DescribeImagesCommand({ ImageIds: [id] }));
      const img = out.Images?.[0];
      return img?.ImageId ? { id: img.ImageId, name: img.Name, rootDeviceName: img.RootDeviceName ?? '/dev/xvda', creationDate: img.CreationDate } : null;
    } catch (e) {
      if (isAwsErrorCode(e, 'InvalidAMIID.NotFound', 'InvalidAMIID.Malformed')) return null;
      throw toAwsError(e, 'describing the pinned AMI');
    }
  }

  async defaultVpcId(): Promise<string | null> {
    return (await this.defaultVpc())?.id ?? null;
  }

  /** The default VPC and the account that owns it (saves an sts:GetCallerIdentity). */
  async defaultVpc(): Promise<{ id: string; ownerId?: string } | null> {
    const out = await aws('finding the default VPC (ec2:DescribeVpcs)', () =>
      this.client.send(new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] })),
    );
    const v = out.Vpcs?.[0];
    return v?.VpcId ? { id: v.VpcId, ...(v.OwnerId ? { ownerId: v.OwnerId } : {}) } : null;
  }

  async vpc(id: string): Promise<{ id: string; ownerId?: string } | null> {
    const out = await aws(`describing VPC ${id} (ec2:DescribeVpcs)`, () => this.client.send(new DescribeVpcsCommand({ VpcIds: [id] })));
    const v = out.Vpcs?.[0];
    return v?.VpcId ? { id: v.VpcId, ...(v.OwnerId ? { ownerId: v.OwnerId } : {}) } : null;
  }

  async subnets(filter: { vpcId?: string; subnetIds?: string[] }): Promise<SubnetInfo[]> {
    const Filters: Filter[] = filter.vpcId ? [{ Name: 'vpc-id', Values: [filter.vpcId] }] : [];
    const out = await aws('listing subnets (ec2:DescribeSubnets)', () =>
      this.client.send(new DescribeSubnetsCommand({ ...(filter.subnetIds ? { SubnetIds: filter.subnetIds } : {}), ...(Filters.length ? { Filters } : {}) })),
    );
    return (out.Subnets ?? [])
      .map((s) => ({
        id: s.SubnetId!,
        vpcId: s.VpcId!,
        availabilityZone: s.AvailabilityZone ?? '',
        mapPublicIpOnLaunch: Boolean(s.MapPublicIpOnLaunch),
        ...(s.OwnerId ? { ownerId: s.OwnerId } : {}),
      }))
      .sort((a, b) => a.availabilityZone.localeCompare(b.availabilityZone) || a.id.localeCompare(b.id));
  }

  /** VPCs with their Name tag, the default VPC first (the wizard's choices). */
  async vpcs(): Promise<Array<{ id: string; cidrBlock: string; isDefault: boolean; name?: string }>> {
    const out = await aws('listing VPCs (ec2:DescribeVpcs)', () => this.client.send(new DescribeVpcsCommand({})));
    return (out.Vpcs ?? [])
      .filter((v) => v.VpcId)
      .map((v) => ({ id: v.VpcId!, cidrBlock: v.CidrBlock ?? '', isDefault: Boolean(v.IsDefault), ...(fromTags(v.Tags).Name ? { name: fromTags(v.Tags).Name } : {}) }))
      .sort((a, b) => Number(b.isDefault) - Number(a.isDefault) || (a.name ?? '').localeCompare(b.name ?? '') || a.id.localeCompare(b.id));
  }

  /** Names (Name tag) of the subnets in a VPC, for display. */
  async subnetNames(vpcId: string): Promise<Record<string, string>> {
    const out = await aws('listing subnets (ec2:DescribeSubnets)', () =>
      this.client.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] })),
    );
    return Object.fromEntries((out.Subnets ?? []).flatMap((s) => (s.SubnetId && fromTags(s.Tags).Name ? [[s.SubnetId, fromTags(s.Tags).Name!]] : [])));
  }

  /** How each subnet reaches the internet: its own route table, else the VPC's main one. */
  async subnetRoutes(vpcId: string, subnetIds: string[]): Promise<SubnetRoute[]> {
    const out = await aws('reading route tables (ec2:DescribeRouteTables)', () =>
      this.client.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] })),
    );
    const tables = out.RouteTables ?? [];
    const main = tables.find((t) => t.Associations?.some((a) => a.Main));
    const defaultRoute = (t: RouteTable | undefined) => t?.Routes?.find((r) => r.DestinationCidrBlock === '0.0.0.0/0' && r.State !== 'blackhole');
    return subnetIds.map((subnetId) => {
      const table = tables.find((t) => t.Associations?.some((a) => a.SubnetId === subnetId)) ?? main;
      const route = defaultRoute(table);
      return { subnetId, internetGateway: Boolean(route?.GatewayId?.startsWith('igw-')), natGateway: Boolean(route?.NatGatewayId) };
    });
  }

  async hasNatGateway(vpcId: string): Promise<boolean> {
    const out = await aws('listing NAT gateways', () => this.client.send(new DescribeNatGatewaysCommand({ Filter: [{ Name: 'vpc-id', Values: [vpcId] }] })));
    return (out.NatGateways ?? []).some((n) => n.State === 'available');
  }

  async vpcEndpointServices(vpcId: string): Promise<string[]> {
    const out = await aws('listing VPC endpoints', () => this.client.send(new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] })));
    return (out.VpcEndpoints ?? []).filter((e) => e.State?.toLowerCase() === 'available').map((e) => e.ServiceName ?? '');
  }

  async findSecurityGroup(name: string, vpcId: string): Promise<{ id: string; tags: Record<string, string> } | null> {
    const out = await aws('looking up the security group', () =>
      this.client.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: [name] }, { Name: 'vpc-id', Values: [vpcId] }] })),
    );
    const g = out.SecurityGroups?.[0];
    return g?.GroupId ? { id: g.GroupId, tags: fromTags(g.Tags) } : null;
  }

  async fleetSecurityGroups(fleet: string): Promise<Array<{ id: string; name: string; vpcId: string; ownerId?: string; tags: Record<string, string> }>> {
    const out = await aws('listing security groups', () =>
      this.client.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: `tag:${TAG.fleet}`, Values: [fleet] }] })),
    );
    return (out.SecurityGroups ?? []).map((g) => ({ id: g.GroupId!, name: g.GroupName ?? '', vpcId: g.VpcId ?? '', ...(g.OwnerId ? { ownerId: g.OwnerId } : {}), tags: fromTags(g.Tags) }));
  }

  async createSecurityGroup(p: { name: string; description: string; vpcId: string; tags: Record<string, string>; ingress: SgRule[]; egress: SgRule[] }): Promise<string> {
    const out = await aws('creating the security group', () =>
      this.client.send(
        new CreateSecurityGroupCommand({
          GroupName: p.name,
          Description: p.description,
          VpcId: p.vpcId,
          TagSpecifications: [{ ResourceType: 'security-group', Tags: toTags(p.tags) }],
        }),
      ),
    );
    const id = out.GroupId!;
    // New groups allow all egress; replace that with only what linking needs.
    await aws('limiting security group egress', () =>
      this.client.send(new RevokeSecurityGroupEgressCommand({ GroupId: id, IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] })),
    );
    if (p.egress.length) {
      await aws('adding egress rules', () => this.client.send(new AuthorizeSecurityGroupEgressCommand({ GroupId: id, IpPermissions: permissions(p.egress) })));
    }
    if (p.ingress.length) {
      await aws('adding ingress rules', () => this.client.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: id, IpPermissions: permissions(p.ingress) })));
    }
    return id;
  }

  async deleteSecurityGroup(id: string): Promise<void> {
    try {
      await this.client.send(new DeleteSecurityGroupCommand({ GroupId: id }));
    } catch (e) {
      if (isAwsErrorCode(e, 'InvalidGroup.NotFound')) return;
      throw toAwsError(e, 'deleting the security group');
    }
  }

  async keyPairExists(name: string): Promise<boolean> {
    try {
      const out = await this.client.send(new DescribeKeyPairsCommand({ KeyNames: [name] }));
      return (out.KeyPairs ?? []).length > 0;
    } catch (e) {
      if (isAwsErrorCode(e, 'InvalidKeyPair.NotFound')) return false;
      throw toAwsError(e, 'looking up the key pair');
    }
  }

  /** The key pair's tags, or null when it does not exist (down/reconcile check ownership by tag). */
  async keyPairTags(name: string): Promise<Record<string, string> | null> {
    try {
      const out = await this.client.send(new DescribeKeyPairsCommand({ KeyNames: [name] }));
      const kp = out.KeyPairs?.[0];
      return kp ? fromTags(kp.Tags) : null;
    } catch (e) {
      if (isAwsErrorCode(e, 'InvalidKeyPair.NotFound')) return null;
      throw toAwsError(e, 'looking up the key pair');
    }
  }

  async createKeyPair(name: string, tags: Record<string, string>): Promise<string> {
    const out = await aws('creating the key pair', () =>
      this.client.send(new CreateKeyPairCommand({ KeyName: name, KeyType: 'ed25519', TagSpecifications: [{ ResourceType: 'key-pair', Tags: toTags(tags) }] })),
    );
    return out.KeyMaterial ?? '';
  }

  async importKeyPair(name: string, publicKey: string, tags: Record<string, string>): Promise<void> {
    await aws('importing the key pair', () =>
      this.client.send(
        new ImportKeyPairCommand({ KeyName: name, PublicKeyMaterial: Buffer.from(publicKey), TagSpecifications: [{ ResourceType: 'key-pair', Tags: toTags(tags) }] }),
      ),
    );
  }

  async deleteKeyPair(name: string): Promise<void> {
    await aws('deleting the key pair', () => this.client.send(new DeleteKeyPairCommand({ KeyName: name })));
  }

  async runInstances(p: {
    imageId: string;
    instanceType: string;
    count: number;
    subnetId: string;
    securityGroupId: string;
    instanceProfileName: string;
    keyName?: string;
    associatePublicIp: boolean;
    userData: string;
    rootDeviceName: string;
    volumeSizeGiB: number;
    kmsKeyId?: string | null;
    tags: Record<string, string>;
  }): Promise<string[]> {
    const out = await this.client.send(
      new RunInstancesCommand({
        ImageId: p.imageId,
        InstanceType: p.instanceType as _InstanceType,
        MinCount: p.count,
        MaxCount: p.count,
        ...(p.keyName ? { KeyName: p.keyName } : {}),
        IamInstanceProfile: { Name: p.instanceProfileName },
        NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: p.subnetId, Groups: [p.securityGroupId], AssociatePublicIpAddress: p.associatePublicIp, DeleteOnTermination: true }],
        UserData: Buffer.from(p.userData).toString('base64'),
        MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1, HttpEndpoint: 'enabled' },
        BlockDeviceMappings: [
          {
            DeviceName: p.rootDeviceName,
            Ebs: { VolumeSize: p.volumeSizeGiB, VolumeType: 'gp3', Encrypted: true, DeleteOnTermination: true, ...(p.kmsKeyId ? { KmsKeyId: p.kmsKeyId } : {}) },
          },
        ],
        TagSpecifications: [
          { ResourceType: 'instance', Tags: toTags(p.tags) },
          { ResourceType: 'volume', Tags: toTags(p.tags) },
          { ResourceType: 'network-interface', Tags: toTags(p.tags) },
        ],
      }),
    );
    return (out.Instances ?? []).map((i) => i.InstanceId!).filter(Boolean);
  }

  async fleetInstances(fleet: string, states = ['pending', 'running', 'stopping', 'stopped', 'shutting-down']): Promise<FleetInstance[]> {
    const result: FleetInstance[] = [];
    let NextToken: string | undefined;
    do {
      const out = await aws('listing the fleet instances (ec2:DescribeInstances)', () =>
        this.client.send(
          new DescribeInstancesCommand({
            Filters: [
              { Name: `tag:${TAG.fleet}`, Values: [fleet] },
              { Name: 'instance-state-name', Values: states },
            ],
            NextToken,
          }),
        ),
      );
      for (const r of out.Reservations ?? []) {
        for (const i of r.Instances ?? []) {
          result.push({
            instanceId: i.InstanceId!,
            state: i.State?.Name ?? 'unknown',
            instanceType: i.InstanceType ?? '',
            imageId: i.ImageId ?? '',
            subnetId: i.SubnetId,
            availabilityZone: i.Placement?.AvailabilityZone,
            launchTime: i.LaunchTime,
            publicIp: i.PublicIpAddress,
            privateIp: i.PrivateIpAddress,
            tags: fromTags(i.Tags),
          });
        }
      }
      NextToken = out.NextToken;
    } while (NextToken);
    return result;
  }

  async tagResources(ids: string[], tags: Record<string, string>): Promise<void> {
    if (ids.length === 0) return;
    await aws('tagging resources (ec2:CreateTags)', () => this.client.send(new CreateTagsCommand({ Resources: ids, Tags: toTags(tags) })));
  }

  async terminate(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await aws('terminating instances', () => this.client.send(new TerminateInstancesCommand({ InstanceIds: ids })));
  }

  async waitTerminated(ids: string[], maxWaitTime = 600): Promise<void> {
    if (ids.length === 0) return;
    await aws('waiting for instances to terminate', () =>
      waitUntilInstanceTerminated({ client: this.client, maxWaitTime, minDelay: 2, maxDelay: 15 }, { InstanceIds: ids }),
    );
  }

  /** Egress rules of a security group, or null when it does not exist. */
  async securityGroupEgress(id: string): Promise<EgressRule[] | null> {
    try {
      const out = await this.client.send(new DescribeSecurityGroupsCommand({ GroupIds: [id] }));
      const g = out.SecurityGroups?.[0];
      if (!g) return null;
      return (g.IpPermissionsEgress ?? []).map((p) => ({
        protocol: p.IpProtocol ?? '-1',
        ...(p.FromPort === undefined ? {} : { fromPort: p.FromPort }),
        ...(p.ToPort === undefined ? {} : { toPort: p.ToPort }),
        cidrs: [...(p.IpRanges ?? []).map((r) => r.CidrIp ?? ''), ...(p.Ipv6Ranges ?? []).map((r) => r.CidrIpv6 ?? '')].filter(Boolean),
        otherDestinations: (p.PrefixListIds ?? []).length + (p.UserIdGroupPairs ?? []).length,
      }));
    } catch (e) {
      if (isAwsErrorCode(e, 'InvalidGroup.NotFound')) return null;
      throw toAwsError(e, 'reading the security group rules (ec2:DescribeSecurityGroups)');
    }
  }

  /** Every pending or running instance in the region (any owner), for vCPU usage. */
  async regionInstances(): Promise<Array<{ instanceId: string; instanceType: string; spot: boolean }>> {
    const result: Array<{ instanceId: string; instanceType: string; spot: boolean }> = [];
    let NextToken: string | undefined;
    do {
      const out = await aws('listing the instances in the region (ec2:DescribeInstances)', () =>
        this.client.send(new DescribeInstancesCommand({ Filters: [{ Name: 'instance-state-name', Values: ['pending', 'running'] }], NextToken })),
      );
      for (const r of out.Reservations ?? []) {
        for (const i of r.Instances ?? []) {
          if (i.InstanceId) result.push({ instanceId: i.InstanceId, instanceType: i.InstanceType ?? '', spot: i.InstanceLifecycle === 'spot' });
        }
      }
      NextToken = out.NextToken;
    } while (NextToken);
    return result;
  }

  /** Default vCPUs per instance type; types EC2 does not know are left out. */
  async instanceTypeVcpus(types: string[]): Promise<Record<string, number>> {
    const unique = [...new Set(types)].filter(Boolean);
    const entries = await Promise.all(
      unique.map(async (t) => {
        try {
          const out = await this.client.send(new DescribeInstanceTypesCommand({ InstanceTypes: [t as _InstanceType] }));
          const v = out.InstanceTypes?.[0]?.VCpuInfo?.DefaultVCpus;
          return v === undefined ? null : ([t, v] as const);
        } catch (e) {
          if (isAwsErrorCode(e, 'InvalidInstanceType')) return null;
          throw toAwsError(e, 'describing instance types (ec2:DescribeInstanceTypes)');
        }
      }),
    );
    return Object.fromEntries(entries.filter((e) => e !== null));
  }

  async consoleOutput(id: string): Promise<string> {
    try {
      const out = await this.client.send(new GetConsoleOutputCommand({ InstanceId: id, Latest: true }));
      return out.Output ? Buffer.from(out.Output, 'base64').toString('utf8') : '';
    } catch {
      return '';
    }
  }
}
