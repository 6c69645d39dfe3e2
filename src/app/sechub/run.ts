import { exportChunks, parseAsset, parseVuln, type TenableExports } from '../../adapters/tenable/exports.js';
import { InterruptedError } from '../../core/errors.js';
import { toAsff } from './asff.js';
import { Importer, type HubTarget } from './importer.js';
import type { SechubScope, SechubState } from './state-store.js';
import type {
  AccountRoute,
  AccountSummary,
  AsffFinding,
  AwsAsset,
  SechubReporter,
  SechubSummary,
  TenableSeverity,
  TenableState,
} from './types.js';
import { asffProblems } from './validate.js';

/**
 * One `sechub` run: export the EC2 assets, export the vulnerability findings, map those on EC2
 * instances to ASFF and import them into each owner account's Security Hub. Never prints: progress and
 * notices go to the reporter; the summary is the result.
 */

export interface SechubDeps {
  exports: TenableExports;
  /** The account the AWS credentials belong to (sts:GetCallerIdentity). */
  callerAccount(): Promise<string>;
  /** Security Hub of an account: the caller's own, or through the assumed role. */
  hubFor(account: string, via: Exclude<AccountRoute, 'skipped'>): HubTarget;
  now(): number;
  /** Rejects when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  reporter: SechubReporter;
}

export interface SechubRunOptions {
  scope: SechubScope;
  states: TenableState[];
  severities: TenableSeverity[];
  productArn: string;
  batchSize: number;
  concurrency: number;
  /** Role name assumed in every other owner account; without it their findings are skipped. */
  assumeRole?: string | undefined;
  dryRun: boolean;
  since: { value: number | null; source: SechubSummary['sinceSource'] };
  pollMs?: number;
  /** SIGTERM: finish the batches in flight, send nothing more, report `stopped`. */
  shouldStop: () => boolean;
  /** Ctrl-C: abandon at once. */
  signal?: AbortSignal | undefined;
}

export interface SechubRunResult {
  summary: SechubSummary;
  /** The state to remember, when this run may become the next one's `since`. */
  nextState?: SechubState;
}

const VULN_CHUNK_ASSETS = 500;
const ASSET_CHUNK_SIZE = 1000;

export async function runSechubOnce(deps: SechubDeps, o: SechubRunOptions): Promise<SechubRunResult> {
  const { reporter } = deps;
  const startedMs = deps.now();
  const checkAbort = () => {
    if (o.signal?.aborted) throw new InterruptedError();
  };
  const sleep = (ms: number) => deps.sleep(ms, o.signal);
  const callerAccount = await deps.callerAccount();
  checkAbort();

  // 1. Assets: uuid → the EC2 instance (or null for an asset that is not one).
  const assets = new Map<string, AwsAsset | null>();
  let assetCount = 0;
  for await (const chunk of exportChunks(
    deps.exports,
    'assets',
    { chunk_size: ASSET_CHUNK_SIZE, filters: { has_plugin_results: true } },
    { pollMs: o.pollMs, sleep, shouldStop: o.shouldStop },
  )) {
    checkAbort();
    for (const raw of chunk.items) {
      const a = parseAsset(raw);
      if (!a) continue;
      assetCount++;
      assets.set(a.uuid, a.aws ? { ...a.aws, uuid: a.uuid, ipv4s: a.ipv4s, ipv6s: a.ipv6s } : null);
    }
    reporter.progress?.({ phase: 'assets', chunksDone: chunk.done, chunksTotal: chunk.total, assets: assetCount });
  }
  const awsAssets = [...assets.values()].filter(Boolean).length;
  reporter.debug?.(`Tenable exported ${assetCount} assets, ${awsAssets} of them EC2 instances`);

  // 2. Findings, imported batch by batch as chunks arrive.
  const fallbackTime = new Date(startedMs).toISOString();
  const routes = new Map<string, AccountRoute>();
  const routeOf = (account: string): AccountRoute => {
    let r = routes.get(account);
    if (!r) {
      r = account === callerAccount ? 'caller' : o.assumeRole ? 'assume-role' : 'skipped';
      routes.set(account, r);
    }
    return r;
  };
  const targets = new Map<string, HubTarget>();
  const importer = new Importer(
    (account) => {
      let t = targets.get(account);
      if (!t)
        targets.set(account, (t = deps.hubFor(account, routeOf(account) === 'caller' ? 'caller' : 'assume-role')));
      return t;
    },
    {
      batchSize: o.batchSize,
      concurrency: o.concurrency,
      signal: o.signal,
      sleep,
      onBatchDone: () => progress(),
      shouldStop: o.shouldStop,
    },
  );
  const skippedByAccount = new Map<string, number>();
  const wouldImport = new Map<string, number>();
  const counts = { exported: 0, aws: 0, notAws: 0, foreignAccount: 0, unreadable: 0 };
  let chunksDone = 0;
  let chunksTotal: number | undefined;
  const progress = () =>
    reporter.progress?.({
      phase: 'vulns',
      chunksDone,
      chunksTotal,
      exported: counts.exported,
      imported: importer.imported,
      failed: importer.failed,
    });

  const filters: Record<string, unknown> = { state: o.states, severity: o.severities };
  if (o.since.value !== null) filters.since = o.since.value;
  let stopped = false;
  for await (const chunk of exportChunks(
    deps.exports,
    'vulns',
    { num_assets: VULN_CHUNK_ASSETS, filters },
    { pollMs: o.pollMs, sleep, shouldStop: o.shouldStop },
  )) {
    checkAbort();
    chunksDone = chunk.done;
    chunksTotal = chunk.total;
    for (const raw of chunk.items) {
      if (o.shouldStop()) break;
      counts.exported++;
      const v = parseVuln(raw);
      if ('unreadable' in v) {
        counts.unreadable++;
        reporter.debug?.(`skipped an unreadable finding: ${v.unreadable}`);
        continue;
      }
      const asset = assets.get(v.assetUuid);
      if (!asset) {
        counts.notAws++;
        continue;
      }
      counts.aws++;
      const finding = toAsff(v, asset, { productArn: o.productArn, fallbackTime });
      const route = routeOf(asset.ownerId);
      if (route === 'skipped') {
        counts.foreignAccount++;
        skippedByAccount.set(asset.ownerId, (skippedByAccount.get(asset.ownerId) ?? 0) + 1);
        continue;
      }
      const problems = asffProblems(finding);
      if (problems.length > 0) {
        importer.recordLocalFailure(finding, 'InvalidInput', `rejected before sending: ${problems.join('; ')}`);
        continue;
      }
      if (o.dryRun) wouldImport.set(asset.ownerId, (wouldImport.get(asset.ownerId) ?? 0) + 1);
      else await importer.add(finding);
    }
    progress();
    if (o.shouldStop()) {
      stopped = true;
      break;
    }
  }
  if (o.shouldStop()) stopped = true;
  if (stopped) await importer.settle();
  else await importer.flush();
  checkAbort();

  const failed = importer.failed;
  const summary: SechubSummary = {
    since: o.since.value,
    sinceSource: o.since.source,
    region: o.scope.region,
    callerAccount,
    productArn: o.productArn,
    dryRun: o.dryRun,
    exported: counts.exported,
    aws: counts.aws,
    skipped: { notAws: counts.notAws, foreignAccount: counts.foreignAccount, unreadable: counts.unreadable },
    imported: importer.imported,
    wouldImport: [...wouldImport.values()].reduce((a, b) => a + b, 0),
    failed,
    failureCodes: importer.failureCodes,
    failures: importer.failures,
    accounts: accountsOf(routes, importer, skippedByAccount, wouldImport),
    stopped,
    stateSaved: false,
    startedAt: new Date(startedMs).toISOString(),
    finishedAt: new Date(deps.now()).toISOString(),
  };
  for (const [account, n] of skippedByAccount) {
    reporter.warn?.(
      `${n} finding(s) of account ${account} skipped: Security Hub accepts findings only from the account itself (use --assume-role <name>)`,
    );
  }
  const remember = !o.dryRun && !stopped && failed === 0;
  return {
    summary,
    ...(remember
      ? {
          nextState: {
            version: 1 as const,
            scope: o.scope,
            nextSince: Math.floor(startedMs / 1000),
            lastSuccessAt: summary.finishedAt,
            lastRun: { exported: summary.exported, imported: summary.imported },
          },
        }
      : {}),
  };
}

function accountsOf(
  routes: Map<string, AccountRoute>,
  importer: Importer,
  skipped: Map<string, number>,
  wouldImport: Map<string, number>,
): AccountSummary[] {
  return [...routes]
    .map(([account, via]) => {
      const t = importer.tally.get(account);
      const findings =
        via === 'skipped' ? (skipped.get(account) ?? 0) : (t?.findings ?? 0) + (wouldImport.get(account) ?? 0);
      return { account, via, findings, imported: t?.imported ?? 0, failed: t?.failed ?? 0 };
    })
    .sort((a, b) => a.account.localeCompare(b.account));
}

export type { AsffFinding };
