/**
 * The shapes `sechub` works with: Tenable's export records after lenient parsing, the ASFF findings we
 * send to Security Hub, and the summary a run reports.
 */

import type { TenableAsset, TenableSeverity, TenableState } from '../../adapters/tenable/exports.js';

export type { TenableSeverity, TenableState, TenableVuln } from '../../adapters/tenable/exports.js';

export const SEVERITIES: readonly TenableSeverity[] = ['info', 'low', 'medium', 'high', 'critical'];
export const STATES: readonly TenableState[] = ['open', 'reopened', 'fixed'];

/** An asset that is an EC2 instance with the owner account and region an ASFF resource needs. */
export type AwsAsset = NonNullable<TenableAsset['aws']> & Pick<TenableAsset, 'uuid' | 'ipv4s' | 'ipv6s'>;

/**
 * The ASFF finding as we build it: a structural subset of the SDK's `AwsSecurityFinding`, kept
 * SDK-free so the mapping stays a pure function.
 */
export interface AsffFinding {
  SchemaVersion: '2018-10-08';
  Id: string;
  ProductArn: string;
  GeneratorId: string;
  AwsAccountId: string;
  Types: string[];
  CreatedAt: string;
  UpdatedAt: string;
  FirstObservedAt?: string;
  LastObservedAt?: string;
  Severity: { Label: 'INFORMATIONAL' | 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL'; Original: string };
  Title: string;
  Description: string;
  SourceUrl?: string;
  ProductFields: Record<string, string>;
  Remediation?: { Recommendation: { Text?: string; Url?: string } };
  Resources: AsffResource[];
  Vulnerabilities?: AsffVulnerability[];
  RecordState: 'ACTIVE' | 'ARCHIVED';
}

export interface AsffResource {
  Type: 'AwsEc2Instance';
  Id: string;
  Partition: string;
  Region: string;
  Details: {
    AwsEc2Instance: {
      Type?: string;
      ImageId?: string;
      IpV4Addresses?: string[];
      IpV6Addresses?: string[];
      SubnetId?: string;
      VpcId?: string;
    };
  };
}

export interface AsffVulnerability {
  Id: string;
  RelatedVulnerabilities?: string[];
  Vendor: { Name: string; Url?: string };
  ReferenceUrls?: string[];
  FixAvailable?: 'YES' | 'NO';
  Cvss?: { Version: string; BaseScore: number; BaseVector?: string }[];
}

/** A finding Security Hub (or our own check before sending) did not accept. */
export interface FailedFinding {
  id: string;
  account: string;
  code: string;
  message: string;
}

export type AccountRoute = 'caller' | 'assume-role' | 'skipped';

export interface AccountSummary {
  account: string;
  via: AccountRoute;
  findings: number;
  imported: number;
  failed: number;
}

export interface SechubSummary {
  /** Epoch seconds given to the export's `since` filter; null = everything. */
  since: number | null;
  sinceSource: 'flag' | 'state' | 'none';
  region: string;
  callerAccount: string;
  productArn: string;
  dryRun: boolean;
  /** Vulnerability findings Tenable exported. */
  exported: number;
  /** Of those, on AWS EC2 assets (mapped to ASFF). */
  aws: number;
  skipped: { notAws: number; foreignAccount: number; unreadable: number };
  imported: number;
  /** Findings that would have been imported (dry run only). */
  wouldImport: number;
  failed: number;
  failureCodes: Record<string, number>;
  /** The first failures, with their codes (all are counted in `failed`). */
  failures: FailedFinding[];
  accounts: AccountSummary[];
  /** SIGTERM ended the run early: what was exported but not imported is left for the next run. */
  stopped: boolean;
  /** Whether this run was remembered as the next run's `since`. */
  stateSaved: boolean;
  startedAt: string;
  finishedAt: string;
}

/** Progress of a run, for a progress bar. */
export type SechubProgress =
  | { phase: 'assets'; chunksDone: number; chunksTotal?: number; assets: number }
  | { phase: 'vulns'; chunksDone: number; chunksTotal?: number; exported: number; imported: number; failed: number };

/** Everything a run tells its caller; the use case never prints. */
export interface SechubReporter {
  progress?(p: SechubProgress): void;
  info?(message: string): void;
  warn?(message: string): void;
  debug?(message: string): void;
}
