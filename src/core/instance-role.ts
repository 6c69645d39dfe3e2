import type { StoredSecretSource } from '../config/schema.js';
import { arn, ec2ServicePrincipal, managedPolicyArn, partitionOf } from './partition.js';

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: Array<{
    Sid?: string;
    Effect: 'Allow' | 'Deny';
    Principal?: Record<string, string>;
    Action: string | string[];
    Resource?: string | string[];
    Condition?: Record<string, Record<string, string | string[]>>;
  }>;
}

export function instanceTrustPolicy(region: string): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: ec2ServicePrincipal(partitionOf(region)) }, Action: 'sts:AssumeRole' }],
  };
}

/**
 * Least privilege for the scanner instance: read exactly the secrets its user-data fetches at boot,
 * nothing else. (EC2 read-only for --aws-scanner is attached as the AWS managed policy.)
 */
export function instanceInlinePolicy(opts: { region: string; account: string; secrets: StoredSecretSource[] }): PolicyDocument | null {
  const partition = partitionOf(opts.region);
  const params = opts.secrets.flatMap((s) => (s.from === 'ssm' ? [s.parameter] : []));
  const secretIds = opts.secrets.flatMap((s) => (s.from === 'secretsmanager' ? [s.secretId] : []));
  const statements: PolicyDocument['Statement'] = [];
  if (params.length > 0) {
    statements.push({
      Sid: 'ReadLinkingSecretsFromSsm',
      Effect: 'Allow',
      Action: 'ssm:GetParameter',
      Resource: params.map((p) =>
        arn({ partition, service: 'ssm', region: opts.region, account: opts.account, resource: `parameter/${p.replace(/^\//, '')}` }),
      ),
    });
  }
  if (secretIds.length > 0) {
    statements.push({
      Sid: 'ReadLinkingSecretsFromSecretsManager',
      Effect: 'Allow',
      Action: 'secretsmanager:GetSecretValue',
      // A name-only secret id matches its ARN's random 6-character suffix.
      Resource: secretIds.map((id) =>
        id.startsWith('arn:') ? id : arn({ partition, service: 'secretsmanager', region: opts.region, account: opts.account, resource: `secret:${id}-??????` }),
      ),
    });
  }
  return statements.length > 0 ? { Version: '2012-10-17', Statement: statements } : null;
}

export function instanceManagedPolicies(opts: { region: string; awsScanner: boolean }): string[] {
  return opts.awsScanner ? [managedPolicyArn(partitionOf(opts.region), 'AmazonEC2ReadOnlyAccess')] : [];
}
