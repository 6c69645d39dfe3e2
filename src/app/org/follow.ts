import type { OperationResult, StackSetGateway } from '../../adapters/aws/cloudformation-stacksets.js';

export interface OperationOutcome {
  operationId: string;
  action: string;
  /** SUCCEEDED | FAILED | STOPPED | TIMED_OUT */
  status: string;
  reason: string | undefined;
  results: OperationResult[];
}

export interface FollowDeps {
  stacksets: Pick<StackSetGateway, 'operationStatus' | 'operationResults'>;
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  signal?: AbortSignal;
  intervalMs: number;
  timeoutMs: number;
  /** One line per account/region whose result changed. */
  onResult?: (r: OperationResult & { operationId: string; action: string }) => void;
}

const DONE = new Set(['SUCCEEDED', 'FAILED', 'STOPPED']);

/** Follows one StackSet operation to its end, reporting each account/region result as it changes. */
export async function followOperation(deps: FollowDeps, stackSet: string, operationId: string, action: string): Promise<OperationOutcome> {
  const started = deps.now();
  const seen = new Map<string, string>();
  for (;;) {
    const op = await deps.stacksets.operationStatus(stackSet, operationId);
    const results = await deps.stacksets.operationResults(stackSet, operationId);
    for (const r of results) {
      const key = `${r.account}/${r.region}`;
      if (seen.get(key) !== r.status) {
        seen.set(key, r.status);
        deps.onResult?.({ ...r, operationId, action });
      }
    }
    if (DONE.has(op.status)) return { operationId, action, status: op.status, reason: op.reason, results };
    if (deps.now() - started >= deps.timeoutMs) return { operationId, action, status: 'TIMED_OUT', reason: `still ${op.status} after ${Math.round(deps.timeoutMs / 1000)}s`, results };
    await deps.sleep(deps.intervalMs, deps.signal);
  }
}
