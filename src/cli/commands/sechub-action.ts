import { tenableExports } from '../../adapters/tenable/exports.js';
import { defaultProductArn } from '../../app/sechub/asff.js';
import { sechubAws } from '../../app/sechub/gateways.js';
import {
  parseBatchSize,
  parseProductArn,
  parseRoleName,
  parseRunEvery,
  parseSeverities,
  parseSince,
  parseStates,
  parseStateStore,
} from '../../app/sechub/options.js';
import { failuresError, runSechub, type SechubRunRecord } from '../../app/sechub/sechub.js';
import {
  defaultStatePath,
  fileStateStore,
  type SechubScope,
  type SechubStateStore,
} from '../../app/sechub/state-store.js';
import type { SechubReporter } from '../../app/sechub/types.js';
import { tenableFromEnv } from '../../app/tenable-from-env.js';
import { resolveTenableEndpoint } from '../../config/tenable-endpoint.js';
import { sleep } from '../../app/time.js';
import { InterruptedError, UsageError } from '../../core/errors.js';
import type { GlobalOptions } from '../globals.js';
import { outputFor } from '../globals.js';
import { createProgressLine, type ProgressLine } from './sechub-progress.js';
import { legacyEnvWarnings, rejectLegacyFlags } from './sechub-legacy.js';
import { renderSummary } from './sechub-render.js';
import type { SechubFlags } from './sechub.js';

export async function runSechubCommand(g: GlobalOptions, flags: SechubFlags): Promise<void> {
  const out = outputFor(g);
  const env = process.env;
  // Everything the invocation can get wrong is checked before anything is touched (exit 2).
  rejectLegacyFlags(flags);
  const now = Date.now();
  const region = g.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region)
    throw new UsageError('No AWS region: Security Hub is regional.', {
      hint: 'pass --region us-east-1 or set AWS_REGION',
    });
  const batchSize = parseBatchSize(flags.batchSize);
  const concurrency = Number(flags.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 10) {
    throw new UsageError(`--concurrency ${flags.concurrency} is not a whole number from 1 to 10.`, {
      hint: 'Security Hub allows about 10 BatchImportFindings calls per second',
    });
  }
  const states = parseStates(flags.state);
  const severities = parseSeverities(flags.severity);
  const sinceFlag = flags.since === undefined ? undefined : parseSince(flags.since, now);
  const runEveryMs = flags.runEvery === undefined ? undefined : parseRunEvery(flags.runEvery);
  const assumeRole = flags.assumeRole === undefined ? undefined : parseRoleName(flags.assumeRole);
  const productArn = flags.productArn === undefined ? defaultProductArn(region) : parseProductArn(flags.productArn);
  const storeSpec = parseStateStore(flags.stateStore);
  const endpoint = resolveTenableEndpoint({ flag: g.tenableUrl, env });
  const tenableUrl = endpoint.url;
  for (const w of legacyEnvWarnings(env)) out.warn(w);

  const bar: ProgressLine | undefined =
    out.interactive && !out.json && process.stderr.isTTY ? createProgressLine(process.stderr) : undefined;
  const say = (fn: () => void) => (bar ? bar.above(fn) : fn());
  const tenable = tenableFromEnv(endpoint, env, 'export vulnerability findings', (m) => say(() => out.debug(m)));
  const awsSide = sechubAws({ region, profile: g.profile }, assumeRole);
  const scope: SechubScope = { tenableUrl, region, states, severities, productArn };
  const store: SechubStateStore | null =
    storeSpec.kind === 'none'
      ? null
      : storeSpec.kind === 'ssm'
        ? awsSide.ssmStateStore(storeSpec.name)
        : fileStateStore(storeSpec.path ?? defaultStatePath(env, scope));

  const reporter: SechubReporter = {
    progress: (p) => bar?.update(p),
    info: (m) => say(() => out.info(m)),
    warn: (m) => say(() => out.warn(m)),
    debug: (m) => say(() => out.debug(m)),
  };

  const stop = new AbortController();
  const abort = new AbortController();
  const onTerm = () => {
    if (stop.signal.aborted) return;
    say(() => out.notice('SIGTERM: finishing the Security Hub calls in flight, then stopping.'));
    stop.abort();
  };
  const onInt = () => {
    // A second Ctrl-C finds only bin.ts's handler left, which exits at once.
    process.off('SIGINT', onInt);
    abort.abort(
      new InterruptedError(
        'Interrupted: findings already sent stay imported; the last successful run was not moved forward.',
      ),
    );
  };
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);

  if (flags.dryRun) out.notice('dry run: findings are exported and mapped; nothing is imported or remembered.');
  const printRun = (r: SechubRunRecord, next?: Date) =>
    say(() => {
      if (r.summary) out.print(renderSummary(r.summary, out.style));
      if (next) out.info(`Next run at ${next.toISOString()} (SIGTERM stops the loop, Ctrl-C interrupts).`);
    });

  try {
    const outcome = await untilAborted(
      runSechub(
        {
          exports: tenableExports(tenable),
          callerAccount: awsSide.callerAccount,
          hubFor: awsSide.hubFor,
          now: Date.now,
          sleep,
          reporter,
          loop: { runDone: runEveryMs === undefined ? undefined : printRun },
        },
        {
          scope,
          states,
          severities,
          productArn,
          batchSize,
          concurrency,
          assumeRole,
          dryRun: flags.dryRun,
          sinceFlag,
          runEveryMs,
          store,
          stop: stop.signal,
          abort: abort.signal,
        },
      ),
      abort.signal,
    );
    bar?.clear();
    if (outcome.loop) {
      out.result({ runs: outcome.runs, stopped: outcome.stopped });
      if (outcome.stopped) out.info('Stopped by SIGTERM.');
      return;
    }
    const summary = outcome.runs[0]?.summary;
    if (!summary) return;
    printRun({ summary });
    const failure = failuresError(summary, assumeRole);
    if (failure) throw failure;
    out.result({ summary });
  } finally {
    bar?.clear();
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
  }
}

/** Ctrl-C ends the command at once, even while a Tenable call is still on the wire. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new InterruptedError());
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
