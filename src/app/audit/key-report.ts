import type { AccessKeyInfo, AccessKeyLastUsed } from './types.js';
import { AUDIT_TAG, inactiveSinceTag } from './types.js';

const DAY_MS = 86_400_000;

/**
 * CIS AWS Foundations 1.14 ("access keys are rotated every 90 days or less"), per key:
 * an Active key created more than `maxAgeDays` ago FAILs. Inactive keys cannot sign requests, so
 * they are reported (with when they will be deleted) but never fail the check.
 */
export type KeyResult = 'PASS' | 'FAIL' | 'INACTIVE';

export interface KeyRow {
  user: string;
  accessKeyId: string;
  status: 'Active' | 'Inactive';
  createdAt: string;
  /** Whole days since creation. */
  ageDays: number;
  /** When an Active key must have been rotated to stay compliant. */
  rotateBy: string;
  lastUsedAt: string | null;
  lastUsedService: string | null;
  lastUsedRegion: string | null;
  result: KeyResult;
  /**
   * The owner's record says the Tenable credential holds this key (`nessus-byol:tenable-access-key-id`,
   * written after Tenable confirmed the write; Tenable itself masks the key on read).
   */
  heldByTenable: boolean;
  /** A rotation to this key is in flight (`nessus-byol:rotating`): Tenable may not hold it yet. */
  rotationPending: boolean;
  /** Inactive keys: when nessus-byol saw or made them inactive (from the user's tags), and when they go. */
  inactiveSince?: string;
  deleteAfter?: string;
}

export interface KeyReport {
  now: string;
  maxAgeDays: number;
  keys: KeyRow[];
  /** Active keys older than maxAgeDays. */
  failing: number;
}

export interface KeyObservation {
  key: AccessKeyInfo;
  lastUsed: AccessKeyLastUsed;
  /** The key owner's tags (deactivation dates, which key Tenable holds). */
  userTags: Record<string, string>;
}

export function evaluateKey(o: KeyObservation, now: Date, maxAgeDays: number, graceMs: number): KeyRow {
  const ageMs = now.getTime() - o.key.createdAt.getTime();
  const result: KeyResult = o.key.status === 'Inactive' ? 'INACTIVE' : ageMs > maxAgeDays * DAY_MS ? 'FAIL' : 'PASS';
  const row: KeyRow = {
    user: o.key.userName,
    accessKeyId: o.key.accessKeyId,
    status: o.key.status,
    createdAt: o.key.createdAt.toISOString(),
    ageDays: Math.max(0, Math.floor(ageMs / DAY_MS)),
    rotateBy: new Date(o.key.createdAt.getTime() + maxAgeDays * DAY_MS).toISOString(),
    lastUsedAt: o.lastUsed.date?.toISOString() ?? null,
    lastUsedService: o.lastUsed.service ?? null,
    lastUsedRegion: o.lastUsed.region ?? null,
    result,
    heldByTenable: o.userTags[AUDIT_TAG.tenableKey] === o.key.accessKeyId,
    rotationPending: o.userTags[AUDIT_TAG.rotating] === o.key.accessKeyId,
  };
  const since = parseDate(o.userTags[inactiveSinceTag(o.key.accessKeyId)]);
  if (o.key.status === 'Inactive' && since) {
    row.inactiveSince = since.toISOString();
    row.deleteAfter = new Date(since.getTime() + graceMs).toISOString();
  }
  return row;
}

export function buildKeyReport(
  observations: KeyObservation[],
  now: Date,
  maxAgeDays: number,
  graceMs: number,
): KeyReport {
  const keys = observations
    .map((o) => evaluateKey(o, now, maxAgeDays, graceMs))
    .sort((a, b) => a.user.localeCompare(b.user) || a.createdAt.localeCompare(b.createdAt));
  return { now: now.toISOString(), maxAgeDays, keys, failing: keys.filter((k) => k.result === 'FAIL').length };
}

export function parseDate(text: string | undefined): Date | null {
  if (!text) return null;
  const d = new Date(text);
  return Number.isNaN(d.getTime()) ? null : d;
}
