import type { AccessKeyInfo, AccessKeyLastUsed, IamAuditGateway, NewAccessKey } from '../../adapters/aws/iam-audit.js';
import type { AuditKeySecretStore } from '../../adapters/aws/iam-audit-secret.js';
import type { TenableClient } from '../../adapters/tenable/client.js';
import type { Partition } from '../../core/partition.js';

export type { AccessKeyInfo, AccessKeyLastUsed, NewAccessKey };

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
 * its key, where the Secrets Manager copy is, when each key was deactivated, and a rotation in flight.
 */
export const AUDIT_TAG = {
  managed: 'nessus-byol:managed',
  purpose: 'nessus-byol:purpose',
  credential: 'nessus-byol:tenable-credential',
  secret: 'nessus-byol:audit-secret',
  rotating: 'nessus-byol:rotating',
  inactiveSincePrefix: 'nessus-byol:inactive-since:',
} as const;

export const AUDIT_PURPOSE = 'tenable-audit';

export function inactiveSinceTag(accessKeyId: string): string {
  return `${AUDIT_TAG.inactiveSincePrefix}${accessKeyId}`;
}

/** What the audit use cases need from IAM (the gateway, or a fake in unit tests). */
export type IamAuditPort = Omit<IamAuditGateway, 'client'>;
export type KeySecretStorePort = Omit<AuditKeySecretStore, 'client'>;
export type TenableCredentialsPort = Pick<
  TenableClient,
  'listCredentials' | 'createCredential' | 'updateCredential' | 'getCredential' | 'deleteCredential'
>;

export interface AuditDeps {
  iam: IamAuditPort;
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
