import { describe, expect, it } from 'vitest';
import type { ExportStatus, TenableExports } from '../../adapters/tenable/exports.js';
import { TenableError } from '../../core/errors.js';
import { assetRecords, standardVulns } from '../../../test/fixtures/sechub/findings.js';
import { runSechub, type SechubOptions } from './sechub.js';
import type { SechubState, SechubStateStore } from './state-store.js';

/** The loop and the remembered `since`, in process with fake Tenable and Security Hub. */

function fakeExports(opts: { failVulnsOnCall?: number } = {}) {
  const bodies: Record<string, unknown>[] = [];
  let vulnCalls = 0;
  const api: TenableExports = {
    async start(kind, body) {
      if (kind === 'vulns') {
        bodies.push(body);
        if (++vulnCalls === opts.failVulnsOnCall)
          throw new TenableError('HTTP_503', 'Tenable answered 503', { status: 503 });
      }
      return kind;
    },
    status: async () => ({ status: 'FINISHED', chunksAvailable: [1], chunksFailed: [] }) satisfies ExportStatus,
    chunk: async (kind) => (kind === 'assets' ? assetRecords() : standardVulns()),
  };
  return { api, bodies };
}

function memoryStore(initial: SechubState | null = null): SechubStateStore & { saved: SechubState[] } {
  const saved: SechubState[] = [];
  return {
    describe: 'memory',
    saved,
    load: async () => saved.at(-1) ?? initial,
    save: async (s) => void saved.push(s),
  };
}

function options(over: Partial<SechubOptions>): SechubOptions {
  const scope = {
    tenableUrl: 'https://cloud.tenable.com',
    region: 'us-east-1',
    states: ['open', 'reopened', 'fixed'],
    severities: ['high'],
    productArn: 'arn:aws:securityhub:us-east-1::product/tenable/vulnerability-management',
  };
  return {
    scope,
    states: ['open', 'reopened', 'fixed'],
    severities: ['high'],
    productArn: scope.productArn,
    batchSize: 100,
    concurrency: 2,
    dryRun: false,
    store: memoryStore(),
    stop: new AbortController().signal,
    abort: new AbortController().signal,
    ...over,
  };
}

function deps(api: TenableExports, clock: { t: number }, onSleep: (ms: number) => void) {
  return {
    exports: api,
    callerAccount: async () => '123456789012',
    hubFor: () => ({
      batchImport: async (f: readonly object[]) => ({ successCount: f.length, failedCount: 0, failed: [] }),
    }),
    now: () => clock.t,
    sleep: async (ms: number, signal?: AbortSignal) => {
      clock.t += ms;
      onSleep(ms);
      if (signal?.aborted) throw signal.reason;
    },
    reporter: {},
  };
}

describe('runSechub', () => {
  it('continues each run from the previous successful one, and survives a failed run in a loop', async () => {
    const { api, bodies } = fakeExports({ failVulnsOnCall: 2 });
    const clock = { t: Date.parse('2024-06-01T00:00:00Z') };
    const stop = new AbortController();
    let sleeps = 0;
    const store = memoryStore();
    const out = await runSechub(
      deps(api, clock, () => {
        if (++sleeps === 3) stop.abort();
      }),
      options({ runEveryMs: 3_600_000, sinceFlag: 1_700_000_000, stop: stop.signal, store }),
    );
    expect(out).toMatchObject({ loop: true, stopped: true });
    expect(out.runs.map((r) => (r.summary ? r.summary.sinceSource : r.error?.code))).toEqual([
      'flag',
      'TENABLE_HTTP_503',
      'state',
    ]);
    const since = bodies.map((b) => (b.filters as { since?: number }).since);
    const t0 = Date.parse('2024-06-01T00:00:00Z') / 1000;
    // 1st: the flag; 2nd (failed): the 1st run's start; 3rd: still the 1st run's start.
    expect(since).toEqual([1_700_000_000, t0, t0]);
    expect(store.saved.map((s) => s.nextSince)).toEqual([t0, t0 + 2 * 3600]);
  });

  it('ignores a remembered run made with other filters', async () => {
    const { api, bodies } = fakeExports();
    const base = options({});
    const store = memoryStore({
      version: 1,
      scope: { ...base.scope, severities: ['critical'] },
      nextSince: 1_700_000_000,
      lastSuccessAt: '',
      lastRun: { exported: 0, imported: 0 },
    });
    const info: string[] = [];
    const out = await runSechub(
      { ...deps(api, { t: Date.now() }, () => undefined), reporter: { info: (m: string) => info.push(m) } },
      { ...base, store },
    );
    expect(out.runs[0]?.summary?.sinceSource).toBe('none');
    expect(bodies[0]?.filters).not.toHaveProperty('since');
    expect(info.join('\n')).toContain('used other settings');
  });
});
