import type { AccessKeyInfo, AccessKeyLastUsed, IamAuditGateway, NewAccessKey } from '../../adapters/aws/iam-audit.js';
import type { AuditKeySecretStore } from '../../adapters/aws/iam-audit-secret.js';
import type { KeyIdentity } from '../../adapters/aws/sts.js';
import type { TenableClient } from '../../adapters/tenable/client.js';
import type { Partition } from '../../core/partition.js';
import type { Secret } from '../../core/secret.js';

export type { AccessKeyInfo, AccessKeyLastUsed, KeyIdentity, NewAccessKey };

export const AUDIT_DEFAULTS = {
  group: 'nessus-byol-audit',
  user: 'nessus-byol-audit',
  credentialName: 'nessus-byol AWS audit',
  maxAgeDays: 90,
  /** How long a deactivated key is kept (so it can be re-activated) before it is deleted. */
  graceMs: 7 * 24 * 3_600_000,
  /** --wait-used without a value. */
  waitUsedTimeoutMs: 3_600_000,
} as const;

/** The Tenable credential type of the "Audit Cloud Infrastructure" scan. */
export const AWS_CREDENTIAL_TYPE = 'Amazon AWS';

/**
 * The audit state lives in the IAM user's tags (no local state file): which Tenable credential holds
 * its key and which key that is, where the Secrets Manager copy is, when each key was deactivated,
 * and a rotation in flight.
 */
export const AUDIT_TAG = {
  managed: 'nessus-byol:managed',
  purpose: 'nessus-byol:purpose',
  credential: 'nessus-byol:tenable-credential',
  /**
   * The access key id the Tenable credential holds. Tenable masks it on read (it is a `password`
   * field of "Amazon AWS"), so this tag is the only readable record; it is written only after Tenable
   * confirmed the write (`POST` answered a uuid, `PUT` answered `{"updated": true}`).
   */
  tenableKey: 'nessus-byol:tenable-access-key-id',
  secret: 'nessus-byol:audit-secret',
  rotating: 'nessus-byol:rotating',
  inactiveSincePrefix: 'nessus-byol:inactive-since:',
} as const;

export const AUDIT_PURPOSE = 'tenable-audit';

export function inactiveSinceTag(accessKeyId: string): string {
  return `${AUDIT_TAG.inactiveSincePrefix}${accessKeyId}`;
}

/**
 * The Secrets Manager secret holding the key pair being handed to Tenable, written before the
 * `PUT /credentials/{uuid}` and deleted once Tenable confirmed it. When the answer is lost (timeout,
 * 5xx, reset) it stays, and the next `audit rotate` sends the same PUT again from it.
 */
export function pendingHandOverSecret(user: string): string {
  return `nessus-byol/audit-pending/${user}`;
}

/** How long a new access key may take to work (IAM is eventually consistent). */
export const KEY_PROOF = { timeoutMs: 30_000, intervalMs: 2_000 } as const;

/** What the audit use cases need from IAM (the gateway, or a fake in unit tests). */
export type IamAuditPort = Omit<IamAuditGateway, 'client'>;
export type KeySecretStorePort = Omit<AuditKeySecretStore, 'client'>;
export type TenableCredentialsPort = Pick<
  TenableClient,
  'listCredentials' | 'createCredential' | 'updateCredential' | 'getCredential' | 'deleteCredential'
>;

/** sts:GetCallerIdentity signed with a given key. */
export interface KeyProofPort {
  identityOfKey(accessKeyId: string, secretAccessKey: Secret): Promise<KeyIdentity>;
}

export interface AuditDeps {
  iam: IamAuditPort;
  /** Proves a new key works before Tenable gets it (absent for `audit keys`). */
  sts?: KeyProofPort;
  /** Absent for commands that need no Tenable access (`audit keys`). */
  tenable?: TenableCredentialsPort;
  secrets?: KeySecretStorePort;
  partition: Partition;
  now(): Date;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** How use cases report progress; they never print. */
export interface AuditEvents {
  progress(message: string): void;
  warn(message: string): void;
}

export const silentEvents: AuditEvents = { progress: () => undefined, warn: () => undefined };
