import { InterruptedError, NessusByolError, RuntimeError, ExitCode } from '../../core/errors.js';
import { runSechubOnce, type SechubDeps, type SechubRunOptions } from './run.js';
import { sameScope, type SechubState, type SechubStateStore } from './state-store.js';
import type { SechubSummary } from './types.js';

/**
 * `sechub` as a whole: picks each run's `since` (explicit flag, else the remembered last successful
 * run), runs once or every `runEveryMs` until SIGTERM, and remembers successful runs.
 */

export interface SechubOptions extends Omit<SechubRunOptions, 'since' | 'shouldStop' | 'signal'> {
  /** Epoch seconds from --since: used for the first run; later runs continue from the last success. */
  sinceFlag?: number | undefined;
  runEveryMs?: number | undefined;
  /** null with --state-store none (a loop still remembers in memory). */
  store: SechubStateStore | null;
  /** SIGTERM: finish the batches in flight and end with exit 0. */
  stop: AbortSignal;
  /** Ctrl-C: end at once with exit 130. */
  abort: AbortSignal;
}

export interface SechubRunRecord {
  summary?: SechubSummary;
  error?: { code: string; message: string };
}

export interface SechubOutcome {
  /** The one run, or the loop's runs (the last 100). */
  runs: SechubRunRecord[];
  loop: boolean;
  /** SIGTERM ended it. */
  stopped: boolean;
}

export interface SechubLoopReporter {
  /** After each run of a loop (the action prints its summary). */
  runDone?(record: SechubRunRecord, next?: Date): void;
}

const RUNS_KEPT = 100;

export async function runSechub(
  deps: SechubDeps & { loop?: SechubLoopReporter },
  o: SechubOptions,
): Promise<SechubOutcome> {
  const loop = o.runEveryMs !== undefined;
  const runs: SechubRunRecord[] = [];
  let memory: SechubState | null = null;
  let first = true;
  const shouldStop = () => o.stop.aborted;
  for (;;) {
    let record: SechubRunRecord;
    try {
      const since = await resolveSince(deps, o, first ? o.sinceFlag : undefined, memory);
      const result = await runSechubOnce(deps, { ...o, since, shouldStop, signal: o.abort });
      if (result.nextState) {
        memory = result.nextState;
        if (o.store) {
          try {
            await o.store.save(result.nextState);
            result.summary.stateSaved = true;
          } catch (e) {
            deps.reporter.warn?.(
              `${e instanceof Error ? e.message : String(e)} — the next run cannot continue from this one`,
            );
          }
        }
      }
      record = { summary: result.summary };
    } catch (e) {
      if (o.abort.aborted || e instanceof InterruptedError)
        throw new InterruptedError(
          'Interrupted; findings already sent stay imported, the last successful run was not moved forward.',
        );
      // A loop outlives one failed run (an outage, an expired token): it reports and tries again later.
      if (!loop || !(e instanceof NessusByolError) || e.exitCode !== ExitCode.runtime) throw e;
      deps.reporter.warn?.(`this run failed: ${e.message}${e.hint ? ` (${e.hint})` : ''}`);
      record = { error: { code: e.code, message: e.message } };
    }
    runs.push(record);
    if (runs.length > RUNS_KEPT) runs.shift();
    first = false;
    if (!loop || shouldStop()) {
      deps.loop?.runDone?.(record);
      break;
    }
    const next = new Date(deps.now() + o.runEveryMs!);
    deps.loop?.runDone?.(record, next);
    try {
      await deps.sleep(o.runEveryMs!, AbortSignal.any([o.stop, o.abort]));
    } catch {
      if (o.abort.aborted) throw new InterruptedError();
      break;
    }
  }
  return { runs, loop, stopped: o.stop.aborted };
}

async function resolveSince(
  deps: SechubDeps,
  o: SechubOptions,
  flag: number | undefined,
  memory: SechubState | null,
): Promise<SechubRunOptions['since']> {
  if (flag !== undefined) return { value: flag, source: 'flag' };
  if (memory) return { value: memory.nextSince, source: 'state' };
  if (!o.store) {
    deps.reporter.info?.('No --since and no state store: exporting every finding.');
    return { value: null, source: 'none' };
  }
  const state = await o.store.load();
  if (state && sameScope(state.scope, o.scope)) {
    deps.reporter.info?.(
      `Continuing from the last successful run (${new Date(state.nextSince * 1000).toISOString()}, remembered in ${o.store.describe}).`,
    );
    return { value: state.nextSince, source: 'state' };
  }
  deps.reporter.info?.(
    state
      ? `The run remembered in ${o.store.describe} used other settings (Tenable site, region, --state, --severity or --product-arn): exporting every finding (pass --since to limit it).`
      : `No previous run remembered in ${o.store.describe}: exporting every finding (pass --since 30d to limit it).`,
  );
  return { value: null, source: 'none' };
}

/** Hints for the error codes Security Hub and STS answer with. */
export function hintFor(
  code: string,
  ctx: { region: string; productArn: string; assumeRole?: string | undefined },
): string {
  switch (code) {
    case 'InvalidAccessException':
      return `enable Security Hub in ${ctx.region} for that account (aws securityhub enable-security-hub --region ${ctx.region})`;
    case 'AccessDeniedException':
      return `allow securityhub:BatchImportFindings and enable the Tenable integration: aws securityhub enable-import-findings-for-product --product-arn ${ctx.productArn}`;
    case 'AccessDenied':
      return `the role ${ctx.assumeRole ?? '(--assume-role)'} must exist in each owner account, trust this caller, and allow securityhub:BatchImportFindings`;
    case 'InvalidInputException':
    case 'InvalidInput':
      return "Security Hub rejected the finding's content; the message names the field — please report it to the nessus-byol maintainers";
    default:
      return 'see the listed failures; findings that failed are sent again by the next run (the last successful run was not moved forward)';
  }
}

/** Single run: failures are the exit status (1), with the summary in the error's data. */
export function failuresError(summary: SechubSummary, assumeRole: string | undefined): RuntimeError | undefined {
  if (summary.failed === 0) return undefined;
  const codes = Object.entries(summary.failureCodes).sort((a, b) => b[1] - a[1]);
  const hints = [
    ...new Set(
      codes.map(([c]) => `${c}: ${hintFor(c, { region: summary.region, productArn: summary.productArn, assumeRole })}`),
    ),
  ];
  return new RuntimeError(
    'SECHUB_IMPORT_FAILED',
    `${summary.failed} of ${summary.failed + summary.imported} findings were not imported into Security Hub (${codes.map(([c, n]) => `${c} ×${n}`).join(', ')}).`,
    { hint: hints.join('\n        '), data: { summary } },
  );
}
