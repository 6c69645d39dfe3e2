import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Secret } from '../../core/secret.js';
import { startTenableSimulator, type TenableSimulator } from '../../sandbox/tenable-simulator.js';
import { createTenableClient } from './client.js';

/**
 * A call's `signal` bounds it with all its retries: real timers, the real simulator answering 503s
 * and a 429 with a long `retry-after`, and the client's default (abortable) retry sleep.
 */
const ACCESS = 'a'.repeat(24) + 'access0123456789abcdef0123456789abcdef';
const SECRET = 's'.repeat(24) + 'secret0123456789abcdef0123456789abcdef';

let sim: TenableSimulator;
beforeAll(async () => {
  sim = await startTenableSimulator({ accessKey: ACCESS, secretKey: SECRET, linkingKey: 'l'.repeat(64) });
});
afterAll(() => sim.stop());
beforeEach(() => sim.reset());

const client = () =>
  createTenableClient({
    baseUrl: sim.url,
    accessKey: new Secret(ACCESS, 'access key'),
    secretKey: new Secret(SECRET, 'secret key'),
    version: '1.2.3',
    random: () => 0.999, // the longest backoff: 1 s, 2 s, 4 s…
  });

describe('request bounded by a signal', () => {
  it('stops retrying 503s when the bound passes, instead of running through all retries', async () => {
    sim.setFaults([{ method: 'GET', pathPrefix: '/scanners', status: 503, times: 100 }]);
    const started = Date.now();
    const reason = new Error('out of time');
    const ac = new AbortController();
    setTimeout(() => ac.abort(reason), 1_500).unref();
    await expect(client().listScanners({ signal: ac.signal })).rejects.toBe(reason);
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(1_400);
    expect(took).toBeLessThan(2_500); // unbounded it would be ~1+2+4+8+16 s
    const gets = sim.requests.filter((r) => r.path === '/scanners');
    expect(gets.length).toBeGreaterThanOrEqual(2);
    expect(gets.length).toBeLessThanOrEqual(3);
  });

  it('a 429 retry-after longer than the bound ends at the bound', async () => {
    sim.setFaults([{ method: 'GET', pathPrefix: '/scanners', status: 429, retryAfter: 60, times: 5 }]);
    const started = Date.now();
    await expect(client().listScanners({ signal: AbortSignal.timeout(700) })).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(1_700);
  });

  it('a slow answer is cut at the bound; without a signal the same call still succeeds', async () => {
    sim.setFaults([{ method: 'GET', pathPrefix: '/scanners', delayMs: 3_000, times: 1 }]);
    const started = Date.now();
    await expect(client().listScanners({ signal: AbortSignal.timeout(500) })).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(1_500);
    const list = await client().listScanners();
    expect(list.map((s) => s.name)).toContain('US Cloud Scanner');
  });
});
