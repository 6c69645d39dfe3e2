import { describe, expect, it } from 'vitest';
import { CheckFailedError } from '../core/errors.js';
import { config, FakeAws, FakeTenableApi, FLEET, owned } from './down-fakes.test-helper.js';
import { reconcile, type ReconcileDeps } from './reconcile.js';
import { leftoversParameter } from './tenable-leftovers.js';

/** reconcile and the leftovers record a `down`/`rebuild` left when Tenable could not be reached. */

const NOW = Date.parse('2026-01-10T00:00:00Z');

function world() {
  const aws = new FakeAws();
  const api = new FakeTenableApi();
  const deps: ReconcileDeps = {
    config,
    aws: aws.gateways(),
    tenable: () => api.client(),
    now: () => NOW,
    sleep: async () => undefined,
    owner: 'test',
    events: { log: () => undefined, confirm: async () => true },
  };
  const record = (records: unknown[]) =>
    aws.params.set(leftoversParameter(FLEET), { value: JSON.stringify({ version: 1, records }), tags: owned });
  return { aws, api, deps, record };
}
const opts = { fix: false, offThresholdMs: 86_400_000, includeNameMatches: false, forceUnlock: false };

describe('reconcile and the Tenable leftovers record', () => {
  it('reports each recorded record (exit 5), including one Tenable no longer has', async () => {
    const { api, deps, record } = world();
    api.scanners.set(11, { id: 11, uuid: 'u-11', name: 'prod-i-1' });
    record([
      { id: 11, uuid: 'u-11', name: 'prod-i-1' },
      { id: 12, uuid: null, name: 'prod-i-2' },
    ]);
    const e = (await reconcile(deps, opts).catch((x: unknown) => x)) as CheckFailedError;
    expect(e).toBeInstanceOf(CheckFailedError);
    expect(e.exitCode).toBe(5);
    expect(e.message).toContain('Tenable record prod-i-1 (11) was left by a down/rebuild that could not reach Tenable');
    expect(e.message).toContain('/nessus-byol/prod/tenable-leftovers still lists Tenable record prod-i-2 (12)');
    // The record is not a name-prefix candidate as well.
    expect(e.message).not.toContain('matches the fleet');
  });

  it('--fix deletes the records still in Tenable and removes the record', async () => {
    const { aws, api, deps, record } = world();
    api.scanners.set(11, { id: 11, uuid: 'u-11', name: 'prod-i-1' });
    record([
      { id: 11, uuid: 'u-11', name: 'prod-i-1' },
      { id: 12, uuid: null, name: 'prod-i-2' },
    ]);
    const r = await reconcile(deps, { ...opts, fix: true });
    expect(r.fixed.map((f) => f.kind)).toEqual(['leftover-record', 'leftover-record']);
    expect(api.requests.filter((q) => q.startsWith('DELETE'))).toEqual(['DELETE /scanners/11']);
    expect(api.scanners.size).toBe(0);
    expect(aws.params.has(leftoversParameter(FLEET))).toBe(false);
  });

  it('--fix keeps in the record what it could not delete', async () => {
    const { aws, api, deps, record } = world();
    api.scanners.set(11, { id: 11, uuid: 'u-11', name: 'prod-i-1' });
    api.scanners.set(12, { id: 12, uuid: 'u-12', name: 'prod-i-2' });
    record([
      { id: 11, uuid: 'u-11', name: 'prod-i-1' },
      { id: 12, uuid: 'u-12', name: 'prod-i-2' },
    ]);
    const real = api.answer.bind(api);
    api.answer = (url, init) =>
      init.method === 'DELETE' && url.endsWith('/12')
        ? new Response(JSON.stringify({ statusCode: 403, error: 'Forbidden', message: 'Insufficient scope' }), {
            status: 403,
            headers: { 'content-type': 'application/json' },
          })
        : real(url, init);
    await expect(reconcile(deps, { ...opts, fix: true })).rejects.toMatchObject({ code: 'RECONCILE_INCOMPLETE' });
    const left = JSON.parse(aws.params.get(leftoversParameter(FLEET))!.value) as { records: Array<{ id: number }> };
    expect(left.records.map((x) => x.id)).toEqual([12]);
  });
});
