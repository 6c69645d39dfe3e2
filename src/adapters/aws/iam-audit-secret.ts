import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { Secret } from '../../core/secret.js';
import { isAwsErrorCode, toAwsError } from './aws-errors.js';
import { clientConfig, type AwsContext } from './client-config.js';
import { toTags } from './ec2.js';

/** An access key pair as kept in Secrets Manager: `{"accessKeyId": …, "secretAccessKey": …}`. */
export interface StoredAccessKey {
  accessKeyId: string;
  secretAccessKey: Secret;
}

const DESCRIPTION =
  'Access key of the nessus-byol audit user (Tenable "Amazon AWS" credential); rotated by `nessus-byol audit rotate`';

/**
 * The optional Secrets Manager copy of the audit user's access key (`audit setup|rotate
 * --secrets-manager <name>`), for other tools that need it; Tenable gets its copy over its API.
 * Also the short-lived record of a key being handed to Tenable (`audit rotate` resends it when the
 * answer to that hand-over was lost).
 */
export class AuditKeySecretStore {
  readonly client: SecretsManagerClient;
  constructor(ctx: AwsContext) {
    this.client = new SecretsManagerClient(clientConfig(ctx));
  }

  /** null when the secret does not exist or does not hold a key pair in our format. */
  async read(name: string): Promise<StoredAccessKey | null> {
    let text: string | undefined;
    try {
      const out = await this.client.send(new GetSecretValueCommand({ SecretId: name }));
      text = out.SecretString;
    } catch (e) {
      if (isAwsErrorCode(e, 'ResourceNotFoundException')) return null;
      throw toAwsError(e, `reading secret ${name} (secretsmanager:GetSecretValue)`);
    }
    try {
      const v = JSON.parse(text ?? '') as Record<string, unknown>;
      if (typeof v.accessKeyId === 'string' && typeof v.secretAccessKey === 'string') {
        return {
          accessKeyId: v.accessKeyId,
          secretAccessKey: new Secret(v.secretAccessKey, `secret access key of ${v.accessKeyId}`),
        };
      }
    } catch {
      // Not our format: treated as absent, and overwritten by the next write.
    }
    return null;
  }

  /** Deletes at once (no recovery window, so the name can be reused); `gone` when it did not exist. */
  async delete(name: string): Promise<'deleted' | 'gone'> {
    try {
      await this.client.send(new DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true }));
      return 'deleted';
    } catch (e) {
      if (isAwsErrorCode(e, 'ResourceNotFoundException')) return 'gone';
      throw toAwsError(e, `deleting secret ${name} (secretsmanager:DeleteSecret)`);
    }
  }

  async write(name: string, key: StoredAccessKey, tags: Record<string, string>, description = DESCRIPTION): Promise<'created' | 'updated'> {
    const SecretString = JSON.stringify({
      accessKeyId: key.accessKeyId,
      secretAccessKey: key.secretAccessKey.reveal(),
    });
    try {
      await this.client.send(new PutSecretValueCommand({ SecretId: name, SecretString }));
      return 'updated';
    } catch (e) {
      if (!isAwsErrorCode(e, 'ResourceNotFoundException'))
        throw toAwsError(e, `writing secret ${name} (secretsmanager:PutSecretValue)`);
    }
    try {
      await this.client.send(
        new CreateSecretCommand({
          Name: name,
          Description: description,
          SecretString,
          Tags: toTags(tags),
        }),
      );
      return 'created';
    } catch (e) {
      throw toAwsError(e, `creating secret ${name} (secretsmanager:CreateSecret)`);
    }
  }
}
