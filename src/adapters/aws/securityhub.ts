import { BatchImportFindingsCommand, SecurityHubClient, type AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { aws } from './aws-errors.js';
import { clientConfig, type AwsContext } from './client-config.js';

/** AWS credentials as the SDK takes them: a provider it calls (and caches until expiry). */
export type CredentialsProvider = () => Promise<{
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}>;

export interface FindingFailure {
  id: string;
  code: string;
  message: string;
}

export interface ImportAnswer {
  successCount: number;
  /** Every FailedFindings entry, with Security Hub's error code. */
  failed: FindingFailure[];
  /** FailedCount as Security Hub reported it (kept apart: it can disagree with the list). */
  failedCount: number;
}

/**
 * Security Hub for one account: the caller's own credentials, or a role assumed in the account that
 * owns the findings (Security Hub accepts findings only for the calling account).
 */
export class SecurityHubGateway {
  readonly client: SecurityHubClient;
  constructor(
    ctx: AwsContext,
    readonly account: string,
    credentials?: CredentialsProvider,
  ) {
    this.client = new SecurityHubClient({ ...clientConfig(ctx), ...(credentials ? { credentials } : {}) });
  }

  /** One BatchImportFindings call (≤ 100 findings); the SDK retries throttling in standard mode. */
  async batchImport(findings: readonly object[], signal?: AbortSignal): Promise<ImportAnswer> {
    const out = await aws(`importing ${findings.length} findings into Security Hub for account ${this.account}`, () =>
      this.client.send(
        // Our ASFF type is a structural subset of the SDK's; the SDK's marks every field optional.
        new BatchImportFindingsCommand({ Findings: findings as AwsSecurityFinding[] }),
        signal ? { abortSignal: signal } : {},
      ),
    );
    const failed = (out.FailedFindings ?? []).map((f) => ({
      id: f.Id ?? '',
      code: f.ErrorCode ?? 'Unknown',
      message: f.ErrorMessage ?? '',
    }));
    return { successCount: out.SuccessCount ?? 0, failedCount: out.FailedCount ?? failed.length, failed };
  }
}
