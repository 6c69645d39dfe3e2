import { UsageError } from '../../core/errors.js';
import type { SechubFlags } from './sechub.js';

/**
 * The original transformer's flags (sechubingest.py). Secrets never go on a command line (shell
 * history, `ps`), so those flags only say what replaces them; their values are never repeated.
 */
const LEGACY: { flag: string; key: keyof SechubFlags; instead: string }[] = [
  { flag: '--tio-access-key', key: 'tioAccessKey', instead: 'export TIO_ACCESS_KEY=<access key> in the environment' },
  { flag: '--tio-secret-key', key: 'tioSecretKey', instead: 'export TIO_SECRET_KEY=<secret key> in the environment' },
  {
    flag: '--aws-access-id',
    key: 'awsAccessId',
    instead: 'use the AWS credential chain: AWS_ACCESS_KEY_ID (or --profile, SSO, an instance or OIDC role)',
  },
  {
    flag: '--aws-secret-key',
    key: 'awsSecretKey',
    instead: 'use the AWS credential chain: AWS_SECRET_ACCESS_KEY (or --profile, SSO, an instance or OIDC role)',
  },
  {
    flag: '--aws-account-id',
    key: 'awsAccountId',
    instead:
      "drop it: each finding goes to its asset's owner account (the caller's own directly, others with --assume-role <name>)",
  },
  { flag: '--aws-region', key: 'awsRegion', instead: 'use --region (or AWS_REGION)' },
  {
    flag: '--log-level',
    key: 'logLevel',
    instead: 'use --verbose for debug output (warnings and errors are always shown)',
  },
];

export function rejectLegacyFlags(opts: SechubFlags): void {
  const used = LEGACY.filter((l) => opts[l.key] !== undefined);
  if (used.length === 0) return;
  throw new UsageError(
    `${used.map((l) => l.flag).join(', ')} ${used.length > 1 ? 'are flags' : 'is a flag'} of the original sechubingest.py that nessus-byol does not take.`,
    { hint: used.map((l) => `${l.flag}: ${l.instead}`).join('\n        ') },
  );
}

/** The original tool's environment variables: not read, so say so rather than ignore them silently. */
const LEGACY_ENV: Record<string, string> = {
  AWS_ACCESS_ID: 'AWS_ACCESS_KEY_ID',
  AWS_SECRET_KEY: 'AWS_SECRET_ACCESS_KEY',
  AWS_ACCOUNT_ID: "nothing (each finding goes to its asset's owner account)",
  RUN_EVERY: '--run-every',
  BATCH_SIZE: '--batch-size',
  OBSERVED_SINCE: '--since',
  LOG_LEVEL: '--verbose',
};

export function legacyEnvWarnings(env: NodeJS.ProcessEnv): string[] {
  return Object.entries(LEGACY_ENV)
    .filter(([k]) => env[k] !== undefined && env[k] !== '')
    .map(([k, instead]) => `${k} (a setting of the original sechubingest.py) is ignored; use ${instead}`);
}
