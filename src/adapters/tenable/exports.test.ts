import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TenableError } from '../../core/errors.js';
import { Secret } from '../../core/secret.js';
import { startTenableSimulator, type TenableSimulator } from '../../sandbox/tenable-simulator.js';
import { assetRecords, standardVulns } from '../../../test/fixtures/sechub/findings.js';
import { createTenableClient } from './client.js';
import { exportChunks, tenableExports, type ExportStatus, type TenableExports } from './exports.js';

const keys = { accessKey: 'a'.repeat(64), secretKey: 'b'.repeat(64) };
let sim: TenableSimulator;
beforeAll(async () => {
  sim = await startTenableSimulator({ ...keys, linkingKey: 'c'.repeat(64) });
});
afterAll(() => sim?.stop());

const client = () =>
  createTenableClient({
    baseUrl: sim.url,
    accessKey: new Secret(keys.accessKey),
    secretKey: new Secret(keys.secretKey),
    version: 'test',
    sleep: async () => undefined,
  });
const collect = async <T>(it: AsyncIterable<T>) => {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
};

describe('exportChunks against the simulator', () => {
  it('downloads every chunk of a vulns export with the filters applied', async () => {
    sim.setFindings(standardVulns(), assetRecords());
    const api = tenableExports(client());
    const chunks = await collect(
      exportChunks(
        api,
        'vulns',
        { num_assets: 50, filters: { state: ['open', 'reopened', 'fixed'], severity: ['critical'] } },
        { sleep: async () => undefined },
      ),
    );
    const items = chunks.flatMap((c) => c.items) as { severity: string }[];
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((i) => i.severity === 'critical')).toBe(true);
    expect(chunks.at(-1)).toMatchObject({ done: chunks.length, total: chunks.length });
    const paths = sim.requests.map((r) => `${r.method} ${r.path.replace(/[0-9a-f-]{36}/, '{uuid}')}`);
    expect(paths).toContain('POST /vulns/export');
    expect(paths).toContain('GET /vulns/export/{uuid}/status');
  });

  it('retries a rate-limited chunk download', async () => {
    sim.setFindings(standardVulns(), assetRecords());
    sim.setFaults([{ method: 'GET', pathPrefix: '/assets/export/', status: 429, retryAfter: 0, times: 1 }]);
    const chunks = await collect(
      exportChunks(tenableExports(client()), 'assets', { chunk_size: 1000 }, { sleep: async () => undefined }),
    );
    expect(chunks.flatMap((c) => c.items)).toHaveLength(assetRecords().length);
  });
});

function fakeApi(statuses: ExportStatus[]): TenableExports & { chunkCalls: number[] } {
  const chunkCalls: number[] = [];
  return {
    chunkCalls,
    start: async () => 'uuid-1',
    status: async () => statuses.shift() ?? { status: 'FINISHED', chunksAvailable: [1, 2, 3], chunksFailed: [] },
    chunk: async (_k, _u, n) => {
      chunkCalls.push(n);
      return [{ n }];
    },
  };
}

describe('exportChunks polling', () => {
  it('downloads chunks while the export is still processing, each once', async () => {
    const api = fakeApi([
      { status: 'QUEUED', chunksAvailable: [], chunksFailed: [] },
      { status: 'PROCESSING', chunksAvailable: [1], chunksFailed: [] },
      { status: 'PROCESSING', chunksAvailable: [1, 2], chunksFailed: [], totalChunks: 3 },
    ]);
    const sleeps: number[] = [];
    const chunks = await collect(
      exportChunks(api, 'vulns', {}, { pollMs: 7, sleep: async (ms) => void sleeps.push(ms) }),
    );
    expect(api.chunkCalls).toEqual([1, 2, 3]);
    expect(chunks.map((c) => [c.done, c.total])).toEqual([
      [1, undefined],
      [2, 3],
      [3, 3],
    ]);
    expect(sleeps).toEqual([7, 7, 7]);
  });

  it('fails on ERROR, and after the good chunks when some chunks failed', async () => {
    await expect(
      collect(
        exportChunks(
          fakeApi([{ status: 'ERROR', chunksAvailable: [], chunksFailed: [] }]),
          'vulns',
          {},
          { sleep: async () => undefined },
        ),
      ),
    ).rejects.toMatchObject({
      code: 'TENABLE_EXPORT_FAILED',
    });
    const api = fakeApi([{ status: 'FINISHED', chunksAvailable: [1, 3], chunksFailed: [2] }]);
    const got: number[] = [];
    const err = await (async () => {
      for await (const c of exportChunks(api, 'vulns', {}, { sleep: async () => undefined })) got.push(c.id);
    })().catch((e: unknown) => e);
    expect(got).toEqual([1, 3]);
    expect(err).toBeInstanceOf(TenableError);
    expect((err as TenableError).code).toBe('TENABLE_EXPORT_CHUNKS_FAILED');
  });

  it('stops between chunks when asked (SIGTERM)', async () => {
    const api = fakeApi([]);
    let stop = false;
    const got: number[] = [];
    for await (const c of exportChunks(api, 'vulns', {}, { sleep: async () => undefined, shouldStop: () => stop })) {
      got.push(c.id);
      stop = true;
    }
    expect(got).toEqual([1]);
  });
});
