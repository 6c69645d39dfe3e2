import {
  AuthorizeSecurityGroupEgressCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  type EC2Client,
  type Filter,
  type IpPermission,
} from '@aws-sdk/client-ec2';
import type { ScanEgressRule } from '../../core/security-group.js';
import { aws, isAwsErrorCode, toAwsError } from './aws-errors.js';

/** A running instance as a scan target. */
export interface TargetInstance {
  instanceId: string;
  privateIp: string;
  vpcId?: string;
  subnetId?: string;
  securityGroupIds: string[];
  name?: string;
}

/** One rule of a security group, with every kind of destination/source it names. */
export interface SgPermission {
  protocol: string;
  fromPort?: number;
  toPort?: number;
  cidrs: string[];
  groupIds: string[];
}

export interface SgRules {
  id: string;
  vpcId?: string;
  ingress: SgPermission[];
  egress: SgPermission[];
}

function toPermission(p: IpPermission): SgPermission {
  return {
    protocol: p.IpProtocol ?? '-1',
    ...(p.FromPort === undefined ? {} : { fromPort: p.FromPort }),
    ...(p.ToPort === undefined ? {} : { toPort: p.ToPort }),
    cidrs: [...(p.IpRanges ?? []).map((r) => r.CidrIp ?? ''), ...(p.Ipv6Ranges ?? []).map((r) => r.CidrIpv6 ?? '')].filter(Boolean),
    groupIds: (p.UserIdGroupPairs ?? []).map((g) => g.GroupId ?? '').filter(Boolean),
  };
}

/** The EC2 calls of `scan` (targets) and of the scan egress rule (`up`, `doctor`). */
export class Ec2ScanGateway {
  constructor(readonly client: EC2Client) {}

  /** Running instances with a private IP, in the given VPCs or carrying a tag. */
  async runningInstances(filter: { vpcIds?: string[]; tag?: { key: string; value: string } }): Promise<TargetInstance[]> {
    const filters: Filter[] = [{ Name: 'instance-state-name', Values: ['running'] }];
    if (filter.vpcIds?.length) filters.push({ Name: 'vpc-id', Values: filter.vpcIds });
    if (filter.tag) filters.push({ Name: `tag:${filter.tag.key}`, Values: [filter.tag.value] });
    const result: TargetInstance[] = [];
    let NextToken: string | undefined;
    do {
      const out = await aws('listing scan target instances (ec2:DescribeInstances)', () =>
        this.client.send(new DescribeInstancesCommand({ Filters: filters, NextToken })),
      );
      for (const r of out.Reservations ?? []) {
        for (const i of r.Instances ?? []) {
          if (!i.InstanceId || !i.PrivateIpAddress) continue;
          const name = i.Tags?.find((t) => t.Key === 'Name')?.Value;
          result.push({
            instanceId: i.InstanceId,
            privateIp: i.PrivateIpAddress,
            ...(i.VpcId ? { vpcId: i.VpcId } : {}),
            ...(i.SubnetId ? { subnetId: i.SubnetId } : {}),
            securityGroupIds: (i.SecurityGroups ?? []).map((g) => g.GroupId ?? '').filter(Boolean),
            ...(name ? { name } : {}),
          });
        }
      }
      NextToken = out.NextToken;
    } while (NextToken);
    return result;
  }

  /** Ingress and egress rules of the given groups (missing groups are left out). */
  async securityGroupRules(ids: string[]): Promise<SgRules[]> {
    if (ids.length === 0) return [];
    try {
      const out = await this.client.send(new DescribeSecurityGroupsCommand({ GroupIds: [...new Set(ids)] }));
      return (out.SecurityGroups ?? []).map((g) => ({
        id: g.GroupId ?? '',
        ...(g.VpcId ? { vpcId: g.VpcId } : {}),
        ingress: (g.IpPermissions ?? []).map(toPermission),
        egress: (g.IpPermissionsEgress ?? []).map(toPermission),
      }));
    } catch (e) {
      if (isAwsErrorCode(e, 'InvalidGroup.NotFound')) return [];
      throw toAwsError(e, 'reading security group rules (ec2:DescribeSecurityGroups)');
    }
  }

  /** Adds the scan egress rules to the fleet's group; rules it already has are kept as they are. */
  async authorizeScanEgress(groupId: string, rules: ScanEgressRule[]): Promise<{ added: string[] }> {
    const added: string[] = [];
    for (const r of rules) {
      const permission: IpPermission = r.destination.startsWith('sg-')
        ? { IpProtocol: r.protocol, UserIdGroupPairs: [{ GroupId: r.destination, Description: r.description }] }
        : r.destination.includes(':')
          ? { IpProtocol: r.protocol, Ipv6Ranges: [{ CidrIpv6: r.destination, Description: r.description }] }
          : { IpProtocol: r.protocol, IpRanges: [{ CidrIp: r.destination, Description: r.description }] };
      try {
        await this.client.send(new AuthorizeSecurityGroupEgressCommand({ GroupId: groupId, IpPermissions: [permission] }));
        added.push(r.destination);
      } catch (e) {
        if (isAwsErrorCode(e, 'InvalidPermission.Duplicate')) continue;
        throw toAwsError(e, `adding the scan egress rule to ${r.destination} (ec2:AuthorizeSecurityGroupEgress)`);
      }
    }
    return { added };
  }
}
