import type { OrgSecretGateway } from '../../adapters/aws/cloudformation-org-secret.js';
import type { ResolvedConfig } from '../../config/resolve.js';
import { orgKeyAlias, orgKeyPolicy, orgSecretName, orgSecretPolicy } from '../../core/cloudformation-org-policies.js';
import { fleetTags } from '../../core/naming.js';
import type { Secret } from '../../core/secret.js';

export interface OrgSecretResult {
  secretArn: string;
  secretName: string;
  secret: 'created' | 'updated' | 'unchanged';
  kmsKeyArn: string;
  kmsAlias: string;
  kmsKey: 'created' | 'updated';
}

/**
 * Creates or updates (idempotently) the organisation-shared linking key: a customer-managed KMS
 * key (the AWS-managed Secrets Manager key cannot be shared) and one secret, both readable only by
 * the fleet's scanner roles in accounts of `orgId`.
 */
export async function ensureOrgSecret(config: ResolvedConfig, gw: Pick<OrgSecretGateway, 'ensureKey' | 'ensureSecret'>, p: { key: Secret; account: string; orgId: string }): Promise<OrgSecretResult> {
  const tags = fleetTags(config.fleet, config.tags);
  const kmsAlias = orgKeyAlias(config.fleet);
  const kms = await gw.ensureKey({
    alias: kmsAlias,
    description: `Tenable linking key of nessus-byol fleet ${config.fleet}, shared with organisation ${p.orgId}`,
    policy: orgKeyPolicy({ orgId: p.orgId, fleet: config.fleet, region: config.region, account: p.account }),
    tags,
  });
  const secretName = orgSecretName(config.fleet);
  const secret = await gw.ensureSecret({
    name: secretName,
    kmsKeyArn: kms.arn,
    value: p.key,
    policy: orgSecretPolicy({ orgId: p.orgId, fleet: config.fleet, region: config.region }),
    tags,
    description: `Tenable linking key of nessus-byol fleet ${config.fleet} (read at boot by its scanners across organisation ${p.orgId})`,
  });
  return { secretArn: secret.arn, secretName, secret: secret.result, kmsKeyArn: kms.arn, kmsAlias, kmsKey: kms.result };
}
