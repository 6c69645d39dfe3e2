import { describe, expect, it } from 'vitest';
import { arn, ec2ServicePrincipal, managedPolicyArn, partitionOf } from './partition.js';

describe('partitions', () => {
  it('maps regions to partitions', () => {
    expect(partitionOf('us-east-1')).toBe('aws');
    expect(partitionOf('us-gov-west-1')).toBe('aws-us-gov');
    expect(partitionOf('cn-north-1')).toBe('aws-cn');
    expect(partitionOf('eu-central-2')).toBe('aws');
  });
  it('builds partition-aware ARNs', () => {
    expect(arn({ partition: partitionOf('us-gov-east-1'), service: 'ssm', region: 'us-gov-east-1', account: '123456789012', resource: 'parameter/nessus/key' })).toBe(
      'arn:aws-us-gov:ssm:us-gov-east-1:123456789012:parameter/nessus/key',
    );
    expect(managedPolicyArn('aws-us-gov', 'AmazonEC2ReadOnlyAccess')).toBe('arn:aws-us-gov:iam::aws:policy/AmazonEC2ReadOnlyAccess');
    expect(ec2ServicePrincipal('aws-cn')).toBe('ec2.amazonaws.com.cn');
  });
});
