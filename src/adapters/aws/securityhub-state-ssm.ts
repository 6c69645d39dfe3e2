import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { aws, isAwsErrorCode, toAwsError } from './aws-errors.js';
import { clientConfig, type AwsContext } from './client-config.js';

/** `sechub --state-store ssm:/name`: the last successful run kept in an SSM String parameter. */
export class SechubStateParameter {
  readonly client: SSMClient;
  constructor(
    ctx: AwsContext,
    readonly name: string,
  ) {
    this.client = new SSMClient(clientConfig(ctx));
  }

  async read(): Promise<string | null> {
    try {
      const out = await this.client.send(new GetParameterCommand({ Name: this.name }));
      return out.Parameter?.Value ?? null;
    } catch (e) {
      if (isAwsErrorCode(e, 'ParameterNotFound')) return null;
      throw toAwsError(e, `reading SSM parameter ${this.name}`);
    }
  }

  /** Tags only on creation: SSM refuses Tags together with Overwrite. */
  async write(value: string, tags: Record<string, string>): Promise<void> {
    const action = `writing SSM parameter ${this.name}`;
    try {
      await this.client.send(
        new PutParameterCommand({
          Name: this.name,
          Value: value,
          Type: 'String',
          Overwrite: false,
          Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
        }),
      );
    } catch (e) {
      if (!isAwsErrorCode(e, 'ParameterAlreadyExists')) throw toAwsError(e, action);
      await aws(action, () =>
        this.client.send(new PutParameterCommand({ Name: this.name, Value: value, Type: 'String', Overwrite: true })),
      );
    }
  }
}
