import { Ec2Gateway } from '../adapters/aws/ec2.js';
import { IamGateway } from '../adapters/aws/iam.js';
import { SecretsManagerGateway } from '../adapters/aws/secrets-manager.js';
import { SsmGateway } from '../adapters/aws/ssm.js';
import { callerIdentity } from '../adapters/aws/sts.js';
import type { AwsContext } from '../adapters/aws/client-config.js';

/** The AWS gateways a use case needs, built on one client configuration. */
export interface AwsGateways {
  ec2: Ec2Gateway;
  iam: IamGateway;
  ssm: SsmGateway;
  secrets: SecretsManagerGateway;
  identity(): Promise<{ account: string; arn: string }>;
}

export function createAwsGateways(ctx: AwsContext): AwsGateways {
  let identity: Promise<{ account: string; arn: string }> | undefined;
  return {
    ec2: new Ec2Gateway(ctx),
    iam: new IamGateway(ctx),
    ssm: new SsmGateway(ctx),
    secrets: new SecretsManagerGateway(ctx),
    identity: () => (identity ??= callerIdentity(ctx)),
  };
}
