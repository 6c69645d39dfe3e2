import type { TenableClient } from '../adapters/tenable/client.js';
import type { TenableScanner } from '../adapters/tenable/scanner.js';
import type { ResolvedConfig } from '../config/resolve.js';
import { LinkTimeoutError, NotReadyError, RuntimeError } from '../core/errors.js';
import { TAG } from '../core/naming.js';
import { sshLogsCommand } from './ssh/logs-command.js';
import { bootstrapLines, type ConsoleReader } from './console-reader.js';
import type { AwsGateways } from './gateways.js';
import { formatDuration } from './time.js';
import { waitForScanners, type ExpectedScanner, type ScannerListing, type ScannerProgress } from './wait-for-link.js';

export type ScannerEventPhase = 'launched' | 'booting' | 'linked' | 'ready' | 'failed';

export interface WaitEvents {
  scanner(e: { instanceId: string; name: string; phase: ScannerEventPhase; detail?: string }): void;
  log(level: 'info' | 'warn' | 'debug', message: string): void;
}

export interface WaitPhaseDeps {
  config: ResolvedConfig;
  aws: AwsGateways;
  tenable: () => TenableClient;
  readConsole: ConsoleReader;
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  signal: AbortSignal;
  events: WaitEvents;
  /** Called once per scanner first seen in Tenable (rollback bookkeeping). */
  onRecord?: (instanceId: string, record: TenableScanner) => void;
}

export interface ScannerOutcome {
  instanceId: string;
  name: string;
  phase: 'waiting' | 'linked' | 'ready' | 'failed';
  scannerId?: number;
  scannerUuid?: string;
  linkedAfterMs?: number;
  readyAfterMs?: number;
}

export interface DiagnosisEntry {
  instanceId: string;
  name: string;
  instanceState: string;
  bootstrap: string[];
  lastRecord: { id: number; status: string; linked: boolean; loadedPluginSet: string | null } | null;
  next: string[];
}

/**
 * Waits until the fleet's scanners are linked/ready (one GET /scanners per tick), tags each
 * instance with its scanner id/uuid once seen, joins the configured scanner groups, and fails fast
 * on a `link-failed` bootstrap line. Throws LinkTimeoutError (exit 3) or NotReadyError (exit 4) with
 * a per-scanner diagnosis.
 */
export async function waitPhase(
  deps: WaitPhaseDeps,
  expected: ExpectedScanner[],
  opts: {
    timeoutMs: number;
    intervalMs: number;
    preexistingIds: ReadonlySet<number>;
    /** The `GET /scanners` taken before launch: tick 1, so the next call comes one interval later. */
    firstListing?: ScannerListing;
  },
): Promise<ScannerOutcome[]> {
  const { config, events } = deps;
  if (config.link.method === 'standalone') return waitStandalone(deps, expected, opts);
  const tenable = deps.tenable();
  const groups = new GroupJoiner(tenable, config.link.groups);
  const failed = new Map<string, string>();
  const lastLine = new Map<string, string>();
  const tagged = new Map(expected.flatMap((e) => (e.scannerId === undefined ? [] : [[e.instanceId, e.scannerId] as const])));
  // Console output costs one AWS call per scanner: read it every other tick in the sandbox (a
  // file), about every 30 s against AWS (EC2 refreshes it slowly anyway).
  const consoleEvery = deps.readConsole.local ? 2 : Math.max(2, Math.ceil(30_000 / opts.intervalMs));
  const started = deps.now();
  const consoleAbort = new AbortController();
  const abortAll = AbortSignal.any([deps.signal, consoleAbort.signal]);

  const result = await waitForScanners({
    tenable,
    expected,
    until: config.wait.until,
    timeoutMs: opts.timeoutMs,
    intervalMs: opts.intervalMs,
    preexistingIds: opts.preexistingIds,
    ...(opts.firstListing ? { firstListing: opts.firstListing } : {}),
    now: deps.now,
    sleep: deps.sleep,
    signal: abortAll,
    onMatched: async (p) => {
      if (!p.record) return;
      deps.onRecord?.(p.instanceId, p.record);
      // One CreateTags per scanner, once: its name and Tenable identity (skipped when already tagged).
      if (tagged.get(p.instanceId) === p.record.id) return;
      await deps.aws.ec2.tagResources([p.instanceId], {
        Name: p.name,
        [TAG.scannerName]: p.name,
        [TAG.scannerId]: String(p.record.id),
        [TAG.scannerUuid]: p.record.uuid,
      });
    },
    onChange: (p) => {
      if (p.phase === 'linked' || p.phase === 'ready')
        events.scanner({
          instanceId: p.instanceId,
          name: p.name,
          phase: p.phase,
          detail: p.record ? `Tenable id ${p.record.id}` : undefined,
        });
    },
    onTick: (tick, all) => {
      void (async () => {
        for (const p of all) {
          if (p.phase !== 'waiting' && p.record && !groups.done(p.record.id))
            await groups
              .join(p.record.id)
              .catch((e: unknown) =>
                events.log('warn', `joining scanner groups for ${p.name}: ${(e as Error).message}`),
              );
        }
      })();
      if (tick % consoleEvery === 0) {
        void checkConsoles(
          deps,
          all.filter((p) => p.phase === 'waiting' && !failed.has(p.instanceId)),
          failed,
          lastLine,
        ).then(() => {
          const waiting = all.filter((p) => p.phase === 'waiting');
          if (waiting.length > 0 && waiting.every((p) => failed.has(p.instanceId)))
            consoleAbort.abort(new Error('all remaining scanners failed to link'));
        });
      }
    },
  });
  if (deps.signal.aborted) throw deps.signal.reason instanceof Error ? deps.signal.reason : new Error('aborted');
  for (const p of result.scanners) if (p.record && p.phase !== 'waiting') await groups.join(p.record.id);

  const outcomes = result.scanners.map((p) => outcome(p, started, failed));
  const notDone = outcomes.filter((o) =>
    config.wait.until === 'ready' ? o.phase !== 'ready' : o.phase === 'waiting' || o.phase === 'failed',
  );
  if (notDone.length === 0) return outcomes;

  const diagnosis = await diagnose(
    deps,
    result.scanners.filter((p) => notDone.some((o) => o.instanceId === p.instanceId)),
  );
  const linkedButNotReady = notDone.every((o) => o.phase === 'linked');
  const unlinked = notDone.filter((o) => o.phase === 'waiting' || o.phase === 'failed').length;
  const pollNote = result.lastPollError ? `\n  the last poll failed: ${result.lastPollError}` : '';
  const summary =
    diagnosis
      .map(
        (d) =>
          `  ${d.name} (${d.instanceId}, ${d.instanceState}): ${d.lastRecord ? `Tenable id ${d.lastRecord.id}, status ${d.lastRecord.status}, plugins ${d.lastRecord.loadedPluginSet ?? 'not loaded'}` : 'no Tenable record'}${d.bootstrap.length ? `; last bootstrap line: ${d.bootstrap[d.bootstrap.length - 1]}` : ''}\n    logs: ${d.next[0]}`,
      )
      .join('\n') + pollNote;
  const data = { scanners: outcomes, diagnosis, ...(result.lastPollError ? { lastPollError: result.lastPollError } : {}) };
  const next = `nessus-byol status -f ${config.file}  ·  the logs commands above  ·  nessus-byol down -f ${config.file}`;
  if (failed.size > 0 && !result.timedOut) {
    throw new RuntimeError('LINK_FAILED', `${failed.size} scanner(s) failed to link:\n${summary}`, {
      hint: `look closer: ${next}`,
      data,
    });
  }
  const within = formatDuration(opts.timeoutMs);
  if (linkedButNotReady) {
    throw new NotReadyError(
      `${notDone.length} scanner(s) linked but did not become ready (status on, plugins loaded) within ${within}:\n${summary}`,
      {
        hint: `plugins can take a while on first boot; check again with \`nessus-byol wait -f ${config.file}\`, or: ${next}`,
        data,
      },
    );
  }
  // Some never linked: say so, whatever wait.until asked for (the linked-but-not-ready ones are counted apart).
  const notReady = notDone.length - unlinked;
  throw new LinkTimeoutError(
    `${unlinked} scanner(s) did not link${notReady > 0 ? ` and ${notReady} linked but did not become ready` : ''} within ${within}:\n${summary}`,
    { hint: `the instances are kept for diagnosis: ${next}`, data },
  );
}

function outcome(p: ScannerProgress, started: number, failed: Map<string, string>): ScannerOutcome {
  return {
    instanceId: p.instanceId,
    name: p.name,
    phase: p.phase === 'waiting' && failed.has(p.instanceId) ? 'failed' : p.phase,
    ...(p.record ? { scannerId: p.record.id, scannerUuid: p.record.uuid } : {}),
    ...(p.linkedAt !== undefined ? { linkedAfterMs: p.linkedAt - started } : {}),
    ...(p.readyAt !== undefined ? { readyAfterMs: p.readyAt - started } : {}),
  };
}

async function checkConsoles(
  deps: WaitPhaseDeps,
  pending: ScannerProgress[],
  failed: Map<string, string>,
  lastLine: Map<string, string>,
): Promise<void> {
  for (const p of pending) {
    const lines = bootstrapLines(await deps.readConsole(p.instanceId));
    const bad = lines.find((l) => /: (link-failed|failed|activate-failed)\b/.test(l));
    if (bad && !failed.has(p.instanceId)) {
      failed.set(p.instanceId, bad);
      deps.events.scanner({ instanceId: p.instanceId, name: p.name, phase: 'failed', detail: bad });
    } else if (lines.length > 0 && lastLine.get(p.instanceId) !== lines[lines.length - 1]) {
      lastLine.set(p.instanceId, lines[lines.length - 1]!);
      deps.events.scanner({
        instanceId: p.instanceId,
        name: p.name,
        phase: 'booting',
        detail: lines[lines.length - 1],
      });
    }
  }
}

async function diagnose(deps: WaitPhaseDeps, scanners: ScannerProgress[]): Promise<DiagnosisEntry[]> {
  const instances = await deps.aws.ec2
    .fleetInstances(deps.config.fleet, ['pending', 'running', 'stopping', 'stopped', 'shutting-down', 'terminated'])
    .catch(() => []);
  return Promise.all(
    scanners.map(async (p) => {
      const inst = instances.find((i) => i.instanceId === p.instanceId);
      return {
        instanceId: p.instanceId,
        name: p.name,
        instanceState: inst?.state ?? 'unknown',
        bootstrap: bootstrapLines(await deps.readConsole(p.instanceId).catch(() => '')).slice(-5),
        lastRecord: p.record
          ? {
              id: p.record.id,
              status: p.record.status,
              linked: p.record.linked,
              loadedPluginSet: p.record.loadedPluginSet ?? null,
            }
          : null,
        next: [
          sshLogsCommand(deps.config.file, p.name),
          `aws ec2 get-console-output --instance-id ${p.instanceId} --region ${deps.config.region}`,
        ],
      };
    }),
  );
}

/** Standalone scanners never appear in Tenable: done when the bootstrap reports activate-ok. */
async function waitStandalone(
  deps: WaitPhaseDeps,
  expected: ExpectedScanner[],
  opts: { timeoutMs: number; intervalMs: number },
): Promise<ScannerOutcome[]> {
  const started = deps.now();
  const state = new Map(
    expected.map((e) => [e.instanceId, { name: e.name, phase: 'waiting' as ScannerOutcome['phase'], at: 0, line: '' }]),
  );
  for (;;) {
    for (const [id, s] of state) {
      if (s.phase !== 'waiting') continue;
      const lines = bootstrapLines(await deps.readConsole(id));
      if (lines.some((l) => / activate-ok\b/.test(l))) {
        Object.assign(s, { phase: 'ready', at: deps.now() - started });
        deps.events.scanner({ instanceId: id, name: s.name, phase: 'ready', detail: 'activated' });
      } else if (lines.some((l) => /: (activate-failed|failed)\b/.test(l))) {
        Object.assign(s, { phase: 'failed', line: lines[lines.length - 1] ?? '' });
        deps.events.scanner({ instanceId: id, name: s.name, phase: 'failed', detail: s.line });
      }
    }
    const all = [...state.entries()];
    if (all.every(([, s]) => s.phase !== 'waiting')) break;
    if (deps.now() - started >= opts.timeoutMs) break;
    await deps.sleep(Math.min(opts.intervalMs, 2000), deps.signal);
  }
  const outcomes = [...state.entries()].map(([instanceId, s]) => ({
    instanceId,
    name: s.name,
    phase: s.phase,
    ...(s.phase === 'ready' ? { readyAfterMs: s.at } : {}),
  }));
  const bad = outcomes.filter((o) => o.phase !== 'ready');
  if (bad.length === 0) return outcomes;
  const list = bad
    .map(
      (o) => `  ${o.name} (${o.instanceId}): ${state.get(o.instanceId)!.line || 'no activate-ok on the console yet'}`,
    )
    .join('\n');
  if (bad.some((o) => o.phase === 'failed'))
    throw new RuntimeError('ACTIVATION_FAILED', `Standalone activation failed:\n${list}`, {
      hint: bad.map((o) => sshLogsCommand(deps.config.file, o.name)).join('  ·  '),
    });
  throw new LinkTimeoutError(
    `Standalone activation did not finish within ${formatDuration(opts.timeoutMs)}:\n${list}`,
    { hint: bad.map((o) => sshLogsCommand(deps.config.file, o.name)).join('  ·  ') },
  );
}

/** Adds scanners to the configured groups, creating a missing group once. */
class GroupJoiner {
  private ids: Promise<number[]> | undefined;
  private readonly joined = new Set<number>();
  constructor(
    private readonly tenable: TenableClient,
    private readonly names: string[],
  ) {}

  done(scannerId: number): boolean {
    return this.names.length === 0 || this.joined.has(scannerId);
  }

  async join(scannerId: number): Promise<void> {
    if (this.done(scannerId)) return;
    this.joined.add(scannerId);
    this.ids ??= (async () => {
      const existing = await this.tenable.listScannerGroups();
      const out: number[] = [];
      for (const name of this.names) {
        const found = existing.find((g) => g.name === name);
        out.push(found ? found.id : (await this.tenable.createScannerGroup(name)).id);
      }
      return out;
    })();
    try {
      for (const gid of await this.ids) await this.tenable.addScannerToGroup(gid, scannerId);
    } catch (e) {
      this.joined.delete(scannerId);
      throw e;
    }
  }
}
