import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { Secret } from '../../core/secret.js';
import { aws, isAwsErrorCode, toAwsError } from './aws-errors.js';
import { clientConfig, type AwsContext } from './client-config.js';

export async function callerIdentity(ctx: AwsContext): Promise<{ account: string; arn: string }> {
  const client = new STSClient(clientConfig(ctx));
  const out = await aws('checking AWS credentials (sts:GetCallerIdentity)', () => client.send(new GetCallerIdentityCommand({})));
  return { account: out.Account ?? '', arn: out.Arn ?? '' };
}

/** What STS said about an access key: who it is, or that it rejected the key (and with which code). */
export type KeyIdentity = { ok: true; account: string; arn: string } | { ok: false; code: string; message: string };

/**
 * sts:GetCallerIdentity signed with the given key (a client of its own with static credentials, on
 * the same region and endpoint as the rest): the proof that a new access key works. STS rejecting
 * the key is an answer, not a failure; anything else (network, throttling past the SDK's retries) throws.
 */
export async function identityOfKey(ctx: AwsContext, accessKeyId: string, secretAccessKey: Secret): Promise<KeyIdentity> {
  const { profile: _profile, ...config } = clientConfig(ctx);
  const client = new STSClient({ ...config, credentials: { accessKeyId, secretAccessKey: secretAccessKey.reveal() } });
  try {
    const out = await client.send(new GetCallerIdentityCommand({}));
    return { ok: true, account: out.Account ?? '', arn: out.Arn ?? '' };
  } catch (e) {
    if (isAwsErrorCode(e, 'InvalidClientTokenId', 'SignatureDoesNotMatch', 'AccessDenied', 'UnrecognizedClientException')) {
      const code = isAwsErrorCode(e, 'InvalidClientTokenId') ? 'InvalidClientTokenId' : ((e as { name?: string }).name ?? 'Rejected');
      return { ok: false, code, message: e instanceof Error ? e.message : String(e) };
    }
    throw toAwsError(e, `checking access key ${accessKeyId} (sts:GetCallerIdentity with that key)`);
  } finally {
    client.destroy();
  }
}
