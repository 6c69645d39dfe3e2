import { DescribeSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Secret } from '../../core/secret.js';
import { aws, isAwsErrorCode, toAwsError } from './aws-errors.js';
import { clientConfig, type AwsContext } from './client-config.js';

export class SecretsManagerGateway {
  readonly client: SecretsManagerClient;
  constructor(ctx: AwsContext) {
    this.client = new SecretsManagerClient(clientConfig(ctx));
  }

  async exists(secretId: string): Promise<boolean> {
    try {
      await this.client.send(new DescribeSecretCommand({ SecretId: secretId }));
      return true;
    } catch (e) {
      if (isAwsErrorCode(e, 'ResourceNotFoundException')) return false;
      throw toAwsError(e, `looking up secret ${secretId}`);
    }
  }

  async read(secretId: string): Promise<Secret> {
    const out = await aws(`reading secret ${secretId} (secretsmanager:GetSecretValue)`, () => this.client.send(new GetSecretValueCommand({ SecretId: secretId })));
    return new Secret(out.SecretString ?? '', secretId);
  }
}
