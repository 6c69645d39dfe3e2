import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { aws } from './aws-errors.js';
import { clientConfig, type AwsContext } from './client-config.js';

export async function callerIdentity(ctx: AwsContext): Promise<{ account: string; arn: string }> {
  const client = new STSClient(clientConfig(ctx));
  const out = await aws('checking AWS credentials (sts:GetCallerIdentity)', () => client.send(new GetCallerIdentityCommand({})));
  return { account: out.Account ?? '', arn: out.Arn ?? '' };
}
