import { UsageError } from '../../core/errors.js';
import { SEVERITIES, STATES, type TenableSeverity, type TenableState } from './types.js';

/** Parsing of the `sechub` flags that take more than a plain string; every failure is a UsageError (exit 2). */

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
/** Epoch seconds are 10 digits until 2286; fewer than 9 digits is more likely a typo than 1973. */
const EPOCH_RE = /^\d{9,11}$/;

/** `7d`, `12h`, `30m`, `90s`, `2w` (also `1h30m`) → milliseconds; undefined when not a duration. */
export function parseDurationMs(text: string): number | undefined {
  const t = text.trim().toLowerCase();
  if (!/^(\d+(\.\d+)?[smhdw])+$/.test(t)) return undefined;
  let total = 0;
  for (const m of t.matchAll(/(\d+(?:\.\d+)?)([smhdw])/g))
    total += Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  return total;
}

/**
 * `--since`: epoch seconds (as the original tool), an ISO date or date-time, or a duration back from now.
 * Returns epoch seconds.
 */
export function parseSince(text: string, nowMs: number): number {
  const t = text.trim();
  const hint =
    'give epoch seconds (1714521600), a date (2024-05-01 or 2024-05-01T12:00:00Z) or a duration back from now (7d, 12h, 30m)';
  let ms: number | undefined;
  if (EPOCH_RE.test(t)) ms = Number(t) * 1000;
  else if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/i.test(t)) {
    // A bare date means midnight UTC, not local midnight: the same flag gives the same export everywhere.
    ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(t) ? `${t}T00:00:00Z` : t.replace(' ', 'T'));
    if (Number.isNaN(ms)) throw new UsageError(`--since ${t} is not a valid date.`, { hint });
  } else {
    const d = parseDurationMs(t);
    if (d === undefined || d <= 0)
      throw new UsageError(`--since "${t}" is not epoch seconds, a date or a duration.`, { hint });
    ms = nowMs - d;
  }
  if (ms > nowMs) throw new UsageError(`--since ${t} is in the future.`, { hint });
  return Math.floor(ms / 1000);
}

export const MIN_RUN_EVERY_MS = 60_000;

/** `--run-every`: hours as a number (as the original tool: `1`, `0.5`) or a duration (`30m`, `6h`, `1d`). */
export function parseRunEvery(text: string): number {
  const t = text.trim();
  const hint = 'give hours as a number (--run-every 1) or a duration (--run-every 30m, 6h, 1d); at least 1 minute';
  const ms = /^\d+(\.\d+)?$/.test(t) ? Number(t) * UNIT_MS.h : parseDurationMs(t);
  if (ms === undefined) throw new UsageError(`--run-every "${t}" is not a number of hours or a duration.`, { hint });
  if (ms < MIN_RUN_EVERY_MS) throw new UsageError(`--run-every ${t} is shorter than 1 minute.`, { hint });
  return Math.round(ms);
}

export const MAX_BATCH = 100;

export function parseBatchSize(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > MAX_BATCH) {
    throw new UsageError(`--batch-size ${text} is not a whole number from 1 to ${MAX_BATCH}.`, {
      hint: `BatchImportFindings takes at most ${MAX_BATCH} findings per call`,
    });
  }
  return n;
}

function parseList<T extends string>(flag: string, text: string, allowed: readonly T[]): T[] {
  const items = text
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  if (items.length === 1 && items[0] === 'all') return [...allowed];
  const bad = items.filter((s) => !(allowed as readonly string[]).includes(s));
  if (items.length === 0 || bad.length > 0) {
    throw new UsageError(
      `${flag} ${bad.length ? `has unknown value${bad.length > 1 ? 's' : ''} ${bad.join(', ')}` : 'is empty'}.`,
      {
        hint: `use a comma-separated list of ${allowed.join(', ')} (or all)`,
      },
    );
  }
  return [...new Set(items)] as T[];
}

export const parseSeverities = (text: string): TenableSeverity[] => parseList('--severity', text, SEVERITIES);
export const parseStates = (text: string): TenableState[] => parseList('--state', text, STATES);

/** Where the last successful run is remembered. */
export type StateStoreSpec = { kind: 'file'; path?: string } | { kind: 'ssm'; name: string } | { kind: 'none' };

export function parseStateStore(text: string): StateStoreSpec {
  const t = text.trim();
  if (t === 'none') return { kind: 'none' };
  if (t === 'file') return { kind: 'file' };
  if (t.startsWith('file:') && t.length > 5) return { kind: 'file', path: t.slice(5) };
  if (/^ssm:\/[A-Za-z0-9_.\-/]+$/.test(t)) return { kind: 'ssm', name: t.slice(4) };
  throw new UsageError(`--state-store "${t}" is not file, file:<path>, ssm:/<parameter> or none.`, {
    hint: 'e.g. --state-store ssm:/nessus-byol/sechub/state (an SSM String parameter) or --state-store file:./sechub-state.json',
  });
}

export function parseProductArn(text: string): string {
  if (!/^arn:aws[a-z-]*:securityhub:[a-z0-9-]+:\d{0,12}:product\/[A-Za-z0-9._-]+\/[A-Za-z0-9._-]+$/.test(text)) {
    throw new UsageError(`--product-arn ${text} is not a Security Hub product ARN.`, {
      hint: "e.g. arn:aws:securityhub:us-east-1::product/tenable/vulnerability-management, or your account's own arn:aws:securityhub:us-east-1:<account>:product/<account>/default",
    });
  }
  return text;
}

export function parseRoleName(text: string): string {
  // An IAM role name, optionally with a path (`team/sechub-import`); the account is each asset owner's.
  if (!/^[\w+=,.@/-]{1,512}$/.test(text) || text.startsWith('arn:')) {
    throw new UsageError(`--assume-role ${text} is not an IAM role name.`, {
      hint: 'give the role name only (e.g. SecurityHubImport); it is assumed as arn:<partition>:iam::<owner account>:role/<name> in each account',
    });
  }
  return text.replace(/^\/+|\/+$/g, '');
}
