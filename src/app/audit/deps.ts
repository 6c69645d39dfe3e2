import { AuditKeySecretStore } from '../../adapters/aws/iam-audit-secret.js';
import { IamAuditGateway } from '../../adapters/aws/iam-audit.js';
import { identityOfKey } from '../../adapters/aws/sts.js';
import type { AwsContext } from '../../adapters/aws/client-config.js';
import { partitionOf } from '../../core/partition.js';
import type { TenableEndpoint } from '../../config/tenable-endpoint.js';
import { tenableFromEnv } from '../tenable-from-env.js';
import { sleep } from '../time.js';
import type { AuditDeps } from './types.js';

export interface AuditDepsOptions {
  aws: AwsContext;
  /** Build the Tenable client (keys from TIO_ACCESS_KEY / TIO_SECRET_KEY) for this API URL. */
  tenable?: { apiUrl: string | TenableEndpoint; env: NodeJS.ProcessEnv; why: string; onRetry?: (m: string) => void } | undefined;
  secrets: boolean;
  now: () => Date;
}

/** The gateways behind `audit …`, on one AWS client configuration. */
export function createAuditDeps(o: AuditDepsOptions): AuditDeps {
  return {
    iam: new IamAuditGateway(o.aws),
    sts: { identityOfKey: (id, secret) => identityOfKey(o.aws, id, secret) },
    ...(o.tenable
      ? { tenable: tenableFromEnv(o.tenable.apiUrl, o.tenable.env, o.tenable.why, o.tenable.onRetry) }
      : {}),
    ...(o.secrets ? { secrets: new AuditKeySecretStore(o.aws) } : {}),
    partition: partitionOf(o.aws.region),
    now: o.now,
    sleep,
  };
}
