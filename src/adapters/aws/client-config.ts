/**
 * The one client configuration every AWS gateway is built on: region from the resolved config,
 * the default credential chain (env, shared config/SSO profiles, IMDS…) with an optional profile,
 * standard retry mode, and AWS_ENDPOINT_URL honoured by the SDK itself (the sandbox uses it).
 */
export interface AwsContext {
  region: string;
  profile?: string | undefined;
  /** Overrides the SDK's max attempts (standard mode); tests shorten it. */
  maxAttempts?: number;
}

export interface SdkClientConfig {
  region: string;
  profile?: string;
  retryMode: 'standard';
  maxAttempts: number;
}

export function clientConfig(ctx: AwsContext): SdkClientConfig {
  return {
    region: ctx.region,
    ...(ctx.profile ? { profile: ctx.profile } : {}),
    retryMode: 'standard',
    maxAttempts: ctx.maxAttempts ?? 6,
  };
}
