import type { OrgSecretGateway } from '../../adapters/aws/cloudformation-org-secret.js';
import type { OperationResult, StackSetGateway } from '../../adapters/aws/cloudformation-stacksets.js';
import type { TenableClient } from '../../adapters/tenable/client.js';
import type { ResolvedConfig } from '../../config/resolve.js';
import type { MatrixCell } from '../../core/cloudformation-matrix.js';
import type { AwsGateways } from '../gateways.js';
import type { AmiLookup } from './template.js';

export interface OrgEvents {
  log(level: 'info' | 'warn' | 'debug', message: string): void;
  /** An account/region result of a StackSet operation changed. */
  result(r: OperationResult & { operationId: string; action: string }): void;
  /** One Tenable poll tick over the whole organisation. */
  tick(tick: number, cells: MatrixCell[]): void;
}

export interface OrgDeps {
  config: ResolvedConfig;
  stacksets: Pick<StackSetGateway, 'describe' | 'create' | 'update' | 'createInstances' | 'deleteInstances' | 'delete' | 'operationStatus' | 'operationResults' | 'instances'>;
  orgSecret: Pick<OrgSecretGateway, 'ensureKey' | 'ensureSecret' | 'deleteSecret' | 'scheduleKeyDeletion'>;
  aws: AwsGateways;
  tenable: () => TenableClient;
  ec2For: (region: string) => AmiLookup;
  env: NodeJS.ProcessEnv;
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  signal?: AbortSignal;
  events: OrgEvents;
  /** How often StackSet operations are polled (default 10 s). */
  operationIntervalMs?: number;
  operationTimeoutMs?: number;
}

export function stackSetName(fleet: string): string {
  return `nessus-byol-${fleet}`;
}
