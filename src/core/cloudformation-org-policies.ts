import type { PolicyDocument } from './instance-role.js';
import { arn, partitionOf } from './partition.js';
import { scannerRoleArnPattern } from './cloudformation.js';

/**
 * The trust the organisation-shared linking key grants: read (and decrypt through Secrets Manager
 * only) for the fleet's scanner roles — `nessus-byol-<fleet>-<region>` — in accounts of one
 * organisation. Nobody else, inside or outside the organisation, gets anything.
 */

export function orgSecretName(fleet: string): string {
  return `nessus-byol/${fleet}/org-linking-key`;
}

export function orgKeyAlias(fleet: string): string {
  return `alias/nessus-byol-${fleet}-org-linking-key`;
}

const ORG_ID_RE = /^o-[a-z0-9]{10,32}$/;
export function isOrgId(text: string): boolean {
  return ORG_ID_RE.test(text);
}

function scannerCondition(orgId: string, fleet: string, region: string): NonNullable<PolicyDocument['Statement'][number]['Condition']> {
  return {
    StringEquals: { 'aws:PrincipalOrgID': orgId },
    ArnLike: { 'aws:PrincipalArn': scannerRoleArnPattern(fleet, region) },
  };
}

/** Resource policy of the secret: GetSecretValue for the fleet's scanner roles in the organisation. */
export function orgSecretPolicy(opts: { orgId: string; fleet: string; region: string }): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'OrgScannersReadLinkingKey',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'secretsmanager:GetSecretValue',
        Resource: '*',
        Condition: scannerCondition(opts.orgId, opts.fleet, opts.region),
      },
    ],
  };
}

/** Key policy: the owning account administers the key; the scanner roles may only decrypt through Secrets Manager. */
export function orgKeyPolicy(opts: { orgId: string; fleet: string; region: string; account: string }): PolicyDocument {
  const partition = partitionOf(opts.region);
  const condition = scannerCondition(opts.orgId, opts.fleet, opts.region);
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'OwningAccountAdministers',
        Effect: 'Allow',
        Principal: { AWS: arn({ partition, service: 'iam', account: opts.account, resource: 'root' }) },
        Action: 'kms:*',
        Resource: '*',
      },
      {
        Sid: 'OrgScannersDecryptViaSecretsManager',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'kms:Decrypt',
        Resource: '*',
        Condition: { ...condition, StringEquals: { ...condition.StringEquals, 'kms:ViaService': `secretsmanager.${opts.region}.amazonaws.com` } },
      },
    ],
  };
}
