import type { TenableClient } from '../adapters/tenable/client.js';
import type { ResolvedConfig } from '../config/resolve.js';
import { AwsError, UsageError } from '../core/errors.js';
import { Secret } from '../core/secret.js';
import type { AwsGateways } from './gateways.js';

export const LINKING_KEY_ENV = 'NESSUS_LINKING_KEY';

/** Checks, before anything is touched, that the key source can work (exit 2 naming what to set). */
export function preflightLinkingKey(config: ResolvedConfig, env: NodeJS.ProcessEnv): void {
  if (config.link.method === 'standalone') return;
  if (config.link.key.from === 'env' && !env[LINKING_KEY_ENV]) {
    throw new UsageError(`${LINKING_KEY_ENV} is not set, and link.key.from is env.`, {
      hint: `export ${LINKING_KEY_ENV} (from your secret store), or use link.key: { from: tenable-api } to read it with TIO_ACCESS_KEY/TIO_SECRET_KEY`,
    });
  }
}

/** Whether `up` must read the key value itself (rather than letting the instance read it at boot). */
export function needsKeyValue(config: ResolvedConfig): boolean {
  if (config.link.method === 'standalone') return false;
  return config.link.embedInUserData || config.link.key.from === 'tenable-api' || config.link.key.from === 'env';
}

/** Reads the linking key value from its configured source. */
export async function readLinkingKey(config: ResolvedConfig, deps: { tenable: () => TenableClient; aws: AwsGateways; env: NodeJS.ProcessEnv }): Promise<Secret> {
  const k = config.link.key;
  switch (k.from) {
    case 'tenable-api':
      return deps.tenable().getLinkingKey();
    case 'env':
      return new Secret(deps.env[LINKING_KEY_ENV] ?? '', LINKING_KEY_ENV);
    case 'ssm': {
      const v = await deps.aws.ssm.readSecure(k.parameter);
      if (!v) throw missingParameter(k.parameter);
      return v;
    }
    case 'secretsmanager':
      return deps.aws.secrets.read(k.secretId);
  }
}

/** Checks that the stored key the instances will read exists (when the fleet does not write it). */
export async function checkStoredKeyExists(config: ResolvedConfig, aws: AwsGateways): Promise<void> {
  if (config.link.method === 'standalone' || config.link.embedInUserData) return;
  const k = config.link.key;
  if (k.from === 'ssm' && !(await aws.ssm.exists(k.parameter))) throw missingParameter(k.parameter);
  if (k.from === 'secretsmanager' && !(await aws.secrets.exists(k.secretId))) {
    throw new AwsError('SECRET_NOT_FOUND', `The Secrets Manager secret ${k.secretId} holding the linking key does not exist in ${config.region}.`, {
      hint: 'create it with the linking key as its SecretString, or use link.key: { from: tenable-api }',
    });
  }
}

function missingParameter(name: string): AwsError {
  return new AwsError('PARAMETER_NOT_FOUND', `The SSM parameter ${name} holding the linking key does not exist.`, {
    hint: `store it once: \`nessus-byol linking-key --store ssm:${name}\` (reads it from the Tenable API), or use link.key: { from: tenable-api }`,
  });
}
