import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { TenableClient } from '../adapters/tenable/client.js';
import { parseScannerList } from '../adapters/tenable/scanner.js';
import { TenableError } from '../core/errors.js';
import { MIN_TICK_SHARE, waitForScanners, type WaitOptions } from './wait-for-link.js';

/**
 * The poll loop on a fake clock against a fake Tenable that answers `GET /scanners` in the recorded
 * wire shape (test/fixtures/tenable/scanners-list.json, modelled on pyTenable's cassettes) and runs
 * it through the real parser: ticks are at least 0.8 × the interval apart, the listing taken before
 * launch counts as tick 1, and a call is bounded by the time left.
 */

type Wire = Record<string, unknown>;
const listFixture = JSON.parse(
  readFileSync(new URL('../../test/fixtures/tenable/scanners-list.json', import.meta.url), 'utf8'),
) as { scanners: Wire[] };
const base = listFixture.scanners.filter((s) => s.type !== 'managed');
const managedTemplate = listFixture.scanners.find((s) => s.type === 'managed')!;

class FakeClock {
  t = 1_767_225_600_000;
  now = () => this.t;
  /** Sleeping advances the clock at once (nothing else runs concurrently in these tests). */
  sleep = async (ms: number, signal?: AbortSignal) => {
    signal?.throwIfAborted();
    this.t += ms;
  };
}

/** A TVM container where scanner `name` links `linkAfterMs` after `launchAt` and loads plugins later. */
function fakeTenable(
  clock: FakeClock,
  opts: { name: string; launchAt: number; linkAfterMs: number; readyAfterMs: number; callMs?: number },
) {
  const calls: number[] = [];
  const signals: AbortSignal[] = [];
  const tenable = {
    async listScanners(o: { signal?: AbortSignal } = {}) {
      calls.push(clock.t);
      if (o.signal) signals.push(o.signal);
      clock.t += opts.callMs ?? 120; // the answer takes a moment
      const scanners = [...base];
      const age = clock.t - opts.launchAt;
      if (age >= opts.linkAfterMs) {
        const record: Wire = {
          ...managedTemplate,
          id: 412990,
          uuid: 'a0b1c2d3-e4f5-4a6b-0000-7c8d9e0f1a2b',
          name: opts.name,
          last_connect: Math.floor(clock.t / 1000),
          creation_date: Math.floor(clock.t / 1000),
        };
        if (age < opts.readyAfterMs) delete record.loaded_plugin_set;
        scanners.push(record);
      }
      // Through JSON and the real parser, as the client does with a real body.
      return parseScannerList(JSON.parse(JSON.stringify({ scanners })));
    },
  } as unknown as TenableClient;
  return { tenable, calls, signals };
}

function gaps(times: number[]): number[] {
  return times.slice(1).map((t, k) => t - times[k]!);
}

function options(clock: FakeClock, tenable: TenableClient, over: Partial<WaitOptions> = {}): WaitOptions {
  return {
    tenable,
    expected: [{ instanceId: 'i-0abc', name: 'prod-i-0abc', launchedAt: clock.t, launchedNow: true }],
    until: 'ready',
    timeoutMs: 120_000,
    intervalMs: 10_000,
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0,
    deadline: () => new AbortController().signal,
    ...over,
  };
}

describe('waitForScanners: cadence', () => {
  it('reuses the pre-launch listing as tick 1: the first call comes one interval after it, not at once', async () => {
    const clock = new FakeClock();
    const listedAt = clock.t;
    clock.t += 80; // launching took 80 ms, as in the sandbox
    const fake = fakeTenable(clock, { name: 'prod-i-0abc', launchAt: clock.t, linkAfterMs: 25_000, readyAfterMs: 40_000 });
    const r = await waitForScanners(
      options(clock, fake.tenable, {
        preexistingIds: new Set(base.map((s) => Number(s.id))),
        firstListing: { records: parseScannerList({ scanners: base }), at: listedAt },
      }),
    );
    expect(r.done).toBe(true);
    const all = [listedAt, ...fake.calls];
    for (const g of gaps(all)) expect(g).toBeGreaterThanOrEqual(10_000 * MIN_TICK_SHARE);
    expect(fake.calls[0]! - listedAt).toBeGreaterThanOrEqual(8_000);
    expect(r.ticks).toBe(all.length);
  });

  it('without a pre-launch listing the first call is immediate and later ones keep the spacing, whatever the jitter', async () => {
    for (const random of [() => 0, () => 0.999_999, () => 0.5]) {
      const clock = new FakeClock();
      const fake = fakeTenable(clock, { name: 'prod-i-0abc', launchAt: clock.t, linkAfterMs: 31_000, readyAfterMs: 52_000, callMs: 900 });
      const started = clock.t;
      const r = await waitForScanners(options(clock, fake.tenable, { random }));
      expect(r.done).toBe(true);
      expect(fake.calls[0]).toBe(started);
      for (const g of gaps(fake.calls)) expect(g).toBeGreaterThanOrEqual(8_000);
      for (const g of gaps(fake.calls)) expect(g).toBeLessThanOrEqual(12_000 + 900);
    }
  });

  it('near the timeout it never squeezes in a tick closer than 0.8 × interval, and ends at the timeout', async () => {
    const clock = new FakeClock();
    const fake = fakeTenable(clock, { name: 'prod-i-0abc', launchAt: clock.t, linkAfterMs: Infinity, readyAfterMs: Infinity });
    const started = clock.t;
    // Ticks at 0, ~12 s, ~24 s; the next would be at 36 s > 25 s, and 25 s is too close to 24 s.
    const r = await waitForScanners(options(clock, fake.tenable, { timeoutMs: 25_000, random: () => 0.999_999 }));
    expect(r).toMatchObject({ done: false, timedOut: true });
    expect(fake.calls).toHaveLength(3);
    for (const g of gaps(fake.calls)) expect(g).toBeGreaterThanOrEqual(8_000);
    expect(clock.t - started).toBeGreaterThanOrEqual(25_000);
    expect(clock.t - started).toBeLessThan(26_000);
  });

  it('takes a last look at the deadline when it is far enough from the previous tick', async () => {
    const clock = new FakeClock();
    const fake = fakeTenable(clock, { name: 'prod-i-0abc', launchAt: clock.t, linkAfterMs: Infinity, readyAfterMs: Infinity });
    const started = clock.t;
    // Interval 4 s, longest jitter: calls at 0, 4.92, 9.84, 14.76 s (answered at 14.88); the next would be
    // at 19.68 s > 19 s, but 19 s is 4.12 s after the last answer (≥ 3.2 s), so one last look at 19 s.
    const r = await waitForScanners(options(clock, fake.tenable, { timeoutMs: 19_000, intervalMs: 4_000, random: () => 0.999_999 }));
    expect(r.timedOut).toBe(true);
    for (const g of gaps(fake.calls)) expect(g).toBeGreaterThanOrEqual(3_200);
    expect(fake.calls.map((t) => t - started).at(-1)).toBe(19_000);
    expect(fake.calls).toHaveLength(5);
  });
});

describe('waitForScanners: a poll call is bounded by the time left', () => {
  it('a hanging GET /scanners ends at the deadline and the wait times out near its timeout, not a call later', async () => {
    const clock = new FakeClock();
    const deadlines: Array<{ at: number; ac: AbortController }> = [];
    const deadline = (ms: number) => {
      const ac = new AbortController();
      deadlines.push({ at: clock.t + ms, ac });
      return ac.signal;
    };
    const calls: Array<{ at: number; budget: number }> = [];
    const hanging = {
      // Never answers: time passes until the bound given to the call aborts it.
      async listScanners(o: { signal?: AbortSignal } = {}) {
        const d = deadlines.at(-1)!;
        calls.push({ at: clock.t, budget: d.at - clock.t });
        clock.t = d.at;
        d.ac.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
        o.signal?.throwIfAborted();
        throw new Error('not aborted');
      },
    } as unknown as TenableClient;
    const started = clock.t;
    const r = await waitForScanners(options(clock, hanging, { timeoutMs: 20_000, intervalMs: 1_000, deadline }));
    expect(r).toMatchObject({ done: false, timedOut: true });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.budget).toBe(20_000);
    expect(clock.t - started).toBeLessThanOrEqual(21_000);
    expect(r.lastPollError).toMatch(/GET \/scanners had not answered/);
  });

  it('each call gets the time left as its bound (with a short grace for the last look)', async () => {
    const clock = new FakeClock();
    const budgets: number[] = [];
    const fake = fakeTenable(clock, { name: 'prod-i-0abc', launchAt: clock.t, linkAfterMs: Infinity, readyAfterMs: Infinity });
    const r = await waitForScanners(
      options(clock, fake.tenable, {
        timeoutMs: 30_000,
        deadline: (ms) => {
          budgets.push(ms);
          return new AbortController().signal;
        },
      }),
    );
    expect(r.timedOut).toBe(true);
    expect(budgets[0]).toBe(30_000);
    for (let k = 1; k < budgets.length; k++) expect(budgets[k]!).toBeLessThan(budgets[k - 1]!);
    expect(fake.signals.every((s) => s instanceof AbortSignal)).toBe(true);
  });

  it('a 403 from the poll is fatal; other failures are skipped ticks', async () => {
    const clock = new FakeClock();
    let n = 0;
    const flaky = {
      async listScanners() {
        n++;
        clock.t += 100;
        if (n === 1) throw new TenableError('UNAVAILABLE', 'Tenable answered HTTP 503 (list scanners)', { status: 503 });
        throw new TenableError('FORBIDDEN', 'Insufficient scope', { status: 403 });
      },
    } as unknown as TenableClient;
    await expect(waitForScanners(options(clock, flaky))).rejects.toMatchObject({ status: 403 });
    expect(n).toBe(2);
  });
});
