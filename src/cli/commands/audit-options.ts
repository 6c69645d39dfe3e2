import { UsageError } from '../../core/errors.js';
import { parseAuditDuration } from '../../app/audit/duration.js';
import { resolveTenableEndpoint, type TenableEndpoint } from '../../config/tenable-endpoint.js';
import type { GlobalOptions } from '../globals.js';

export interface AuditSetupFlags {
  group: string;
  user: string;
  credentialName: string;
  securityAudit: boolean;
  secretsManager?: string;
  adopt: boolean;
  showSecretOnce: boolean;
}

export interface AuditKeysFlags {
  user: string;
  allUsers: boolean;
  maxAgeDays: string;
  fix: boolean;
  grace: string;
}

export interface AuditRotateFlags {
  user: string;
  credentialName: string;
  secretsManager?: string;
  grace: string;
  deleteInactive: boolean;
  waitUsed?: string | boolean;
}

const IAM_USER = /^[\w+=,.@-]{1,64}$/;
const IAM_GROUP = /^[\w+=,.@-]{1,128}$/;
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;

/** Collects every flag problem so one run reports them all; throws a UsageError (exit 2) if any. */
export class FlagCheck {
  readonly problems: string[] = [];

  iamUser(flag: string, v: string): string {
    if (!IAM_USER.test(v))
      this.problems.push(`${flag} "${v}" is not a valid IAM user name (1-64 of letters, digits and +=,.@_-)`);
    return v;
  }

  iamGroup(flag: string, v: string): string {
    if (!IAM_GROUP.test(v))
      this.problems.push(`${flag} "${v}" is not a valid IAM group name (1-128 of letters, digits and +=,.@_-)`);
    return v;
  }

  credentialName(flag: string, v: string): string {
    if (v.trim() === '' || v.length > 255) this.problems.push(`${flag} must be 1-255 characters`);
    return v;
  }

  secretName(flag: string, v: string | undefined): string | undefined {
    if (v !== undefined && !SECRET_NAME.test(v))
      this.problems.push(`${flag} "${v}" is not a valid Secrets Manager name (letters, digits and /_+=.@-)`);
    return v;
  }

  duration(flag: string, v: string): number {
    const ms = parseAuditDuration(v);
    if (ms === null) this.problems.push(`${flag} "${v}" is not a duration (e.g. 7d, 36h, 30m, 90s, or 0)`);
    return ms ?? 0;
  }

  positiveInt(flag: string, v: string, max: number): number {
    const n = /^\d+$/.test(v.trim()) ? Number(v) : NaN;
    if (!Number.isInteger(n) || n < 1 || n > max)
      this.problems.push(`${flag} "${v}" must be a whole number from 1 to ${max}`);
    return n;
  }

  fail(message: string): void {
    this.problems.push(message);
  }

  done(): void {
    if (this.problems.length === 0) return;
    const [first] = this.problems;
    throw new UsageError(
      this.problems.length === 1 ? `Invalid option: ${first}.` : `Invalid options:\n  ${this.problems.join('\n  ')}`,
      {
        hint: 'run with --help for usage',
        data: { problems: this.problems },
      },
    );
  }
}

/** IAM and STS are global, but the SDK wants a region: --region, AWS_REGION, AWS_DEFAULT_REGION, else us-east-1. */
export function auditAwsContext(g: GlobalOptions, env: NodeJS.ProcessEnv): { region: string; profile?: string } {
  const region = g.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const profile = g.profile ?? env.AWS_PROFILE;
  return { region, ...(profile ? { profile } : {}) };
}

/** The Tenable API endpoint: --tenable-url, else TIO_URL (alias NESSUS_BYOL_TENABLE_API_URL), else the commercial cloud. */
export function auditTenableUrl(env: NodeJS.ProcessEnv, g?: GlobalOptions): TenableEndpoint {
  return resolveTenableEndpoint({ flag: g?.tenableUrl, env });
}

/**
 * The clock handed to the use cases. NESSUS_BYOL_NOW (hidden, for tests and what-if checks) moves
 * its starting point; it keeps ticking from there so waits still end.
 */
export function auditClock(env: NodeJS.ProcessEnv): () => Date {
  const fake = env.NESSUS_BYOL_NOW;
  if (!fake) return () => new Date();
  const at = Date.parse(fake);
  if (Number.isNaN(at))
    throw new UsageError(`NESSUS_BYOL_NOW "${fake}" is not an ISO date.`, {
      hint: 'unset it, or use e.g. 2030-01-31T00:00:00Z',
    });
  const offset = at - Date.now();
  return () => new Date(Date.now() + offset);
}
