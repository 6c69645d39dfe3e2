import { createTenableClient, type TenableClient } from '../adapters/tenable/client.js';
import type { TenableEndpoint } from '../config/tenable-endpoint.js';
import { UsageError } from '../core/errors.js';
import { Secret } from '../core/secret.js';
import { VERSION } from '../version.js';

/**
 * The Tenable client for a resolved endpoint (see config/tenable-endpoint.ts), keys from
 * TIO_ACCESS_KEY / TIO_SECRET_KEY (never flags). With an endpoint, error hints name the setting the
 * URL came from (--tenable-url, TIO_URL, tenable.site…); a bare URL gets the generic hint.
 */
export function tenableFromEnv(
  endpoint: TenableEndpoint | string,
  env: NodeJS.ProcessEnv,
  why: string,
  onRetry?: (m: string) => void,
): TenableClient {
  const { accessKey, secretKey } = tenableKeysFromEnv(env, why);
  return createTenableClient({
    ...(typeof endpoint === 'string' ? { baseUrl: endpoint } : { baseUrl: endpoint.url, baseUrlFrom: endpoint.from }),
    accessKey,
    secretKey,
    version: VERSION,
    ...(onRetry ? { onRetry: (i) => onRetry(`Tenable ${i.status ?? i.reason}; retry ${i.attempt} in ${Math.round(i.delayMs / 1000)}s`) } : {}),
  });
}

export function tenableKeysFromEnv(env: NodeJS.ProcessEnv, why: string): { accessKey: Secret; secretKey: Secret } {
  const missing = ['TIO_ACCESS_KEY', 'TIO_SECRET_KEY'].filter((k) => !env[k]);
  if (missing.length > 0) {
    throw new UsageError(`${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set; Tenable API keys are needed to ${why}.`, {
      hint: 'create API keys in Tenable Vulnerability Management (Settings → My Account → API Keys) and export TIO_ACCESS_KEY and TIO_SECRET_KEY',
    });
  }
  return { accessKey: new Secret(env.TIO_ACCESS_KEY!, 'TIO_ACCESS_KEY'), secretKey: new Secret(env.TIO_SECRET_KEY!, 'TIO_SECRET_KEY') };
}
