import { CreateAliasCommand, CreateKeyCommand, DescribeKeyCommand, EnableKeyRotationCommand, KMSClient, PutKeyPolicyCommand, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutResourcePolicyCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretCommand,
} from '@aws-sdk/client-secrets-manager';
import type { PolicyDocument } from '../../core/instance-role.js';
import type { Secret } from '../../core/secret.js';
import { aws, isAwsErrorCode, toAwsError } from './aws-errors.js';
import { clientConfig, type AwsContext } from './client-config.js';

const tagList = (tags: Record<string, string>) => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

/** The organisation-shared linking key: one customer-managed KMS key and one secret in the operator's account. */
export class OrgSecretGateway {
  readonly kms: KMSClient;
  readonly secrets: SecretsManagerClient;
  constructor(ctx: AwsContext) {
    this.kms = new KMSClient(clientConfig(ctx));
    this.secrets = new SecretsManagerClient(clientConfig(ctx));
  }

  async keyArn(alias: string): Promise<string | null> {
    try {
      const out = await this.kms.send(new DescribeKeyCommand({ KeyId: alias }));
      const state = out.KeyMetadata?.KeyState;
      return out.KeyMetadata?.Arn && state !== 'PendingDeletion' ? out.KeyMetadata.Arn : null;
    } catch (e) {
      if (isAwsErrorCode(e, 'NotFoundException')) return null;
      throw toAwsError(e, `looking up KMS key ${alias} (kms:DescribeKey)`);
    }
  }

  /** Creates the key with its alias, or re-applies the policy to the existing one. */
  async ensureKey(p: { alias: string; description: string; policy: PolicyDocument; tags: Record<string, string> }): Promise<{ arn: string; result: 'created' | 'updated' }> {
    const existing = await this.keyArn(p.alias);
    const policy = JSON.stringify(p.policy);
    if (existing) {
      await aws(`updating the policy of KMS key ${p.alias} (kms:PutKeyPolicy)`, () => this.kms.send(new PutKeyPolicyCommand({ KeyId: existing, PolicyName: 'default', Policy: policy })));
      return { arn: existing, result: 'updated' };
    }
    const out = await aws(`creating the KMS key for ${p.alias} (kms:CreateKey)`, () =>
      this.kms.send(new CreateKeyCommand({ Description: p.description, KeyUsage: 'ENCRYPT_DECRYPT', Policy: policy, Tags: tagList(p.tags).map((t) => ({ TagKey: t.Key, TagValue: t.Value })) })),
    );
    const arn = out.KeyMetadata?.Arn ?? '';
    await aws(`naming the KMS key ${p.alias} (kms:CreateAlias)`, () => this.kms.send(new CreateAliasCommand({ AliasName: p.alias, TargetKeyId: arn })));
    await aws(`enabling rotation of ${p.alias} (kms:EnableKeyRotation)`, () => this.kms.send(new EnableKeyRotationCommand({ KeyId: arn })));
    return { arn, result: 'created' };
  }

  async secretArn(name: string): Promise<{ arn: string; kmsKeyId: string | undefined } | null> {
    try {
      const out = await this.secrets.send(new DescribeSecretCommand({ SecretId: name }));
      if (out.DeletedDate) return null;
      return { arn: out.ARN ?? '', kmsKeyId: out.KmsKeyId };
    } catch (e) {
      if (isAwsErrorCode(e, 'ResourceNotFoundException')) return null;
      throw toAwsError(e, `looking up secret ${name} (secretsmanager:DescribeSecret)`);
    }
  }

  /** Creates the secret, or brings key, value and policy up to date; the value is written only when it changed. */
  async ensureSecret(p: { name: string; kmsKeyArn: string; value: Secret; policy: PolicyDocument; tags: Record<string, string>; description: string }): Promise<{ arn: string; result: 'created' | 'updated' | 'unchanged' }> {
    const existing = await this.secretArn(p.name);
    let arn: string;
    let result: 'created' | 'updated' | 'unchanged' = 'unchanged';
    if (!existing) {
      const out = await aws(`creating secret ${p.name} (secretsmanager:CreateSecret)`, () =>
        this.secrets.send(new CreateSecretCommand({ Name: p.name, Description: p.description, KmsKeyId: p.kmsKeyArn, SecretString: p.value.reveal(), Tags: tagList(p.tags) })),
      );
      arn = out.ARN ?? '';
      result = 'created';
    } else {
      arn = existing.arn;
      if (existing.kmsKeyId !== p.kmsKeyArn) {
        await aws(`re-keying secret ${p.name} (secretsmanager:UpdateSecret)`, () => this.secrets.send(new UpdateSecretCommand({ SecretId: arn, KmsKeyId: p.kmsKeyArn })));
        result = 'updated';
      }
      const current = await aws(`reading secret ${p.name} (secretsmanager:GetSecretValue)`, () => this.secrets.send(new GetSecretValueCommand({ SecretId: arn })));
      if (current.SecretString !== p.value.reveal()) {
        await aws(`updating secret ${p.name} (secretsmanager:PutSecretValue)`, () => this.secrets.send(new PutSecretValueCommand({ SecretId: arn, SecretString: p.value.reveal() })));
        result = 'updated';
      }
    }
    await aws(`sharing secret ${p.name} with the organisation (secretsmanager:PutResourcePolicy)`, () =>
      this.secrets.send(new PutResourcePolicyCommand({ SecretId: arn, ResourcePolicy: JSON.stringify(p.policy), BlockPublicPolicy: true })),
    );
    return { arn, result };
  }

  async deleteSecret(name: string): Promise<'deleted' | 'gone'> {
    try {
      await this.secrets.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7 }));
      return 'deleted';
    } catch (e) {
      if (isAwsErrorCode(e, 'ResourceNotFoundException')) return 'gone';
      throw toAwsError(e, `deleting secret ${name} (secretsmanager:DeleteSecret)`);
    }
  }

  async scheduleKeyDeletion(alias: string): Promise<'scheduled' | 'gone'> {
    const arn = await this.keyArn(alias);
    if (!arn) return 'gone';
    await aws(`scheduling deletion of KMS key ${alias} (kms:ScheduleKeyDeletion)`, () => this.kms.send(new ScheduleKeyDeletionCommand({ KeyId: arn, PendingWindowInDays: 7 })));
    return 'scheduled';
  }
}
