import type { TenableClient } from '../../adapters/tenable/client.js';
import type { ResolvedConfig } from '../../config/resolve.js';
import type { StoredSecretSource } from '../../config/schema.js';
import { AwsError, UsageError } from '../../core/errors.js';
import { Secret } from '../../core/secret.js';
import type { AwsGateways } from '../gateways.js';
import { LINKING_KEY_ENV, readLinkingKey } from '../linking-key.js';

export const ACTIVATION_CODE_ENV = 'NESSUS_ACTIVATION_CODE';

export interface SecretDeps {
  env: NodeJS.ProcessEnv;
  /** Loaded only when a secret lives in SSM or Secrets Manager. */
  aws: () => Promise<AwsGateways>;
  tenable: () => TenableClient;
  notice?: (message: string) => void;
}

/** The linking key: $NESSUS_LINKING_KEY when set (an operator override), else the fleet's key source. */
export async function linkingKeyForSsh(config: ResolvedConfig, deps: SecretDeps): Promise<Secret> {
  const fromEnv = deps.env[LINKING_KEY_ENV];
  if (fromEnv) {
    if (config.link.key.from !== 'env')
      deps.notice?.(`using the linking key from ${LINKING_KEY_ENV} instead of link.key (${config.link.key.from})`);
    return checked(new Secret(fromEnv, LINKING_KEY_ENV), LINKING_KEY_ENV);
  }
  if (config.link.key.from === 'env') {
    throw new UsageError(`${LINKING_KEY_ENV} is not set, and link.key.from is env.`, {
      hint: `export ${LINKING_KEY_ENV} from your secret store`,
    });
  }
  if (config.link.key.from === 'tenable-api') return checked(await deps.tenable().getLinkingKey(), 'the linking key');
  return checked(
    await readLinkingKey(config, { env: deps.env, aws: await deps.aws(), tenable: deps.tenable }),
    'the linking key',
  );
}

/** The activation code: $NESSUS_ACTIVATION_CODE, else link.activationCode (SSM or Secrets Manager). */
export async function activationCodeForSsh(config: ResolvedConfig, deps: SecretDeps): Promise<Secret> {
  const fromEnv = deps.env[ACTIVATION_CODE_ENV];
  if (fromEnv) return checked(new Secret(fromEnv, ACTIVATION_CODE_ENV), ACTIVATION_CODE_ENV);
  const source = config.link.activationCode;
  if (!source) {
    throw new UsageError(
      `No activation code: ${ACTIVATION_CODE_ENV} is not set and the fleet has no link.activationCode.`,
      {
        hint: `export ${ACTIVATION_CODE_ENV}, or set link.activationCode: { from: ssm, parameter: /nessus/activation-code }`,
      },
    );
  }
  return checked(await readStored(source, await deps.aws()), 'the activation code');
}

/** The proxy password when the fleet's proxy has one. */
export async function proxyPasswordForSsh(config: ResolvedConfig, deps: SecretDeps): Promise<Secret | undefined> {
  const source = config.link.proxy?.password;
  return source ? checked(await readStored(source, await deps.aws()), 'the proxy password') : undefined;
}

async function readStored(source: StoredSecretSource, aws: AwsGateways): Promise<Secret> {
  if (source.from === 'secretsmanager') return aws.secrets.read(source.secretId);
  const v = await aws.ssm.readSecure(source.parameter);
  if (!v)
    throw new AwsError('PARAMETER_NOT_FOUND', `The SSM parameter ${source.parameter} does not exist.`, {
      hint: 'store the value as a SecureString first',
    });
  return v;
}

/** A secret travels as one stdin line: it must be non-empty and hold no line break. */
function checked(secret: Secret, what: string): Secret {
  const v = secret.reveal();
  if (v === '' || /[\r\n]/.test(v)) {
    throw new UsageError(`${what} is empty or spans several lines.`, { hint: 'store the value alone on one line' });
  }
  return secret;
}
