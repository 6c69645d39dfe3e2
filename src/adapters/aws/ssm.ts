import {
  DeleteParameterCommand,
  GetParameterCommand,
  ListTagsForResourceCommand,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { Secret } from '../../core/secret.js';
import { aws, isAwsErrorCode, toAwsError } from './aws-errors.js';
import { clientConfig, type AwsContext } from './client-config.js';
import { toTags } from './ec2.js';

export class SsmGateway {
  readonly client: SSMClient;
  constructor(ctx: AwsContext) {
    this.client = new SSMClient(clientConfig(ctx));
  }

  async exists(name: string): Promise<boolean> {
    try {
      await this.client.send(new GetParameterCommand({ Name: name }));
      return true;
    } catch (e) {
      if (isAwsErrorCode(e, 'ParameterNotFound')) return false;
      throw toAwsError(e, `reading SSM parameter ${name}`);
    }
  }

  async tags(name: string): Promise<Record<string, string>> {
    const out = await aws(`reading tags of SSM parameter ${name}`, () =>
      this.client.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: name })),
    );
    return Object.fromEntries((out.TagList ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
  }

  async readSecure(name: string): Promise<Secret | null> {
    try {
      const out = await this.client.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
      return out.Parameter?.Value ? new Secret(out.Parameter.Value, name) : null;
    } catch (e) {
      if (isAwsErrorCode(e, 'ParameterNotFound')) return null;
      throw toAwsError(e, `reading SSM parameter ${name}`);
    }
  }

  /**
   * Writes a SecureString: created with tags (one call), or, when it exists, overwritten without
   * touching its tags — ownership (what `down` may delete) is decided at creation.
   */
  async putSecure(name: string, value: Secret, opts: { tags: Record<string, string>; overwrite: boolean; description?: string }): Promise<'created' | 'updated'> {
    const base = { Name: name, Value: value.reveal(), Type: 'SecureString' as const, ...(opts.description ? { Description: opts.description } : {}) };
    try {
      await this.client.send(new PutParameterCommand({ ...base, Overwrite: false, Tags: toTags(opts.tags) }));
      return 'created';
    } catch (e) {
      if (!isAwsErrorCode(e, 'ParameterAlreadyExists')) throw toAwsError(e, `writing SSM SecureString ${name}`);
      if (!opts.overwrite) throw toAwsError(e, `writing SSM SecureString ${name}`);
    }
    await aws(`writing SSM SecureString ${name}`, () => this.client.send(new PutParameterCommand({ ...base, Overwrite: true })));
    return 'updated';
  }

  /** Conditional create (Overwrite false): returns false when the parameter already exists. */
  async putIfAbsent(name: string, value: string, tags: Record<string, string>): Promise<boolean> {
    try {
      await this.client.send(new PutParameterCommand({ Name: name, Value: value, Type: 'String', Overwrite: false, Tags: toTags(tags) }));
      return true;
    } catch (e) {
      if (isAwsErrorCode(e, 'ParameterAlreadyExists')) return false;
      throw toAwsError(e, `writing SSM parameter ${name}`);
    }
  }

  /**
   * Writes a plain String: created with tags, or overwritten (tags untouched) when it exists. Values
   * over 4 KB use the Advanced tier.
   */
  async putPlain(
    name: string,
    value: string,
    tags: Record<string, string>,
    opts: { description?: string } = {},
  ): Promise<'created' | 'updated'> {
    const base = {
      Name: name,
      Value: value,
      Type: 'String' as const,
      ...(Buffer.byteLength(value) > 4096 ? { Tier: 'Advanced' as const } : {}),
      ...(opts.description ? { Description: opts.description } : {}),
    };
    try {
      await this.client.send(new PutParameterCommand({ ...base, Overwrite: false, Tags: toTags(tags) }));
      return 'created';
    } catch (e) {
      if (!isAwsErrorCode(e, 'ParameterAlreadyExists')) throw toAwsError(e, `writing SSM parameter ${name}`);
    }
    await aws(`writing SSM parameter ${name}`, () =>
      this.client.send(new PutParameterCommand({ ...base, Overwrite: true })),
    );
    return 'updated';
  }

  async readPlain(name: string): Promise<string | null> {
    try {
      const out = await this.client.send(new GetParameterCommand({ Name: name }));
      return out.Parameter?.Value ?? null;
    } catch (e) {
      if (isAwsErrorCode(e, 'ParameterNotFound')) return null;
      throw toAwsError(e, `reading SSM parameter ${name}`);
    }
  }

  async delete(name: string): Promise<void> {
    try {
      await this.client.send(new DeleteParameterCommand({ Name: name }));
    } catch (e) {
      if (isAwsErrorCode(e, 'ParameterNotFound')) return;
      throw toAwsError(e, `deleting SSM parameter ${name}`);
    }
  }
}
