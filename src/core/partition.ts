/** AWS partitions: ARNs, service principals and console domains differ per partition. */
export type Partition = 'aws' | 'aws-us-gov' | 'aws-cn' | 'aws-iso' | 'aws-iso-b';

export function partitionOf(region: string): Partition {
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  return 'aws';
}

export interface ArnParts {
  partition: Partition;
  service: string;
  region?: string;
  account?: string;
  resource: string;
}

export function arn(p: ArnParts): string {
  return `arn:${p.partition}:${p.service}:${p.region ?? ''}:${p.account ?? ''}:${p.resource}`;
}

export function ec2ServicePrincipal(partition: Partition): string {
  return partition === 'aws-cn' ? 'ec2.amazonaws.com.cn' : 'ec2.amazonaws.com';
}

export function managedPolicyArn(partition: Partition, name: string): string {
  return arn({ partition, service: 'iam', account: 'aws', resource: `policy/${name}` });
}
