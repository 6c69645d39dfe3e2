import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { aws } from './aws-errors.js';
import { clientConfig, type AwsContext } from './client-config.js';
import type { CredentialsProvider } from './securityhub.js';

/**
 * Credentials of a role in another account, for importing that account's findings. The SDK calls the
 * provider again when the session nears expiry, so long imports keep working.
 */
export function assumedRoleCredentials(ctx: AwsContext, roleArn: string, sessionName: string): CredentialsProvider {
  const sts = new STSClient(clientConfig(ctx));
  return async () => {
    const out = await aws(`assuming role ${roleArn}`, () =>
      sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName, DurationSeconds: 3600 })),
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`sts:AssumeRole for ${roleArn} returned no credentials`);
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
      ...(c.Expiration ? { expiration: c.Expiration } : {}),
    };
  };
}
