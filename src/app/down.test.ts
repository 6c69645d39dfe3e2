import { describe, expect, it } from 'vitest';
import type { TenableClient } from '../adapters/tenable/client.js';
import { DownIncompleteError, UsageError } from '../core/errors.js';
import { down, planDown, type DownDeps, type DownOptions, type DownPlan } from './down.js';
import { config, FakeAws, FakeTenableApi, FLEET, owned } from './down-fakes.test-helper.js';
import { leftoversParameter } from './tenable-leftovers.js';

/** The decisions of `down` against the gateway fakes in down-fakes.test-helper.ts. */

function world(opts: { tenable?: () => TenableClient } = {}) {
  const aws = new FakeAws();
  const api = new FakeTenableApi();
  const warnings: string[] = [];
  const deps: DownDeps = {
    config,
    aws: aws.gateways(),
    tenable: opts.tenable ?? (() => api.client()),
    now: () => Date.parse('2026-01-10T00:00:00Z'),
    sleep: async () => undefined,
    owner: 'test',
    events: {
      step: () => undefined,
      log: (level, m) => void (level === 'warn' && warnings.push(m)),
      confirm: async () => true,
    },
  };
  return { aws, api, deps, warnings };
}

const opts = (over: Partial<DownOptions> = {}): DownOptions => ({
  dryRun: false,
  keepShared: false,
  forceUnlock: false,
  skipTenable: false,
  ...over,
});
const leftoversOf = (aws: FakeAws) => {
  const p = aws.params.get(leftoversParameter(FLEET));
  return p ? (JSON.parse(p.value) as { records: unknown[] }).records : null;
};
const fleetParams = (aws: FakeAws) => [...aws.params.keys()].filter((k) => k.startsWith(`/nessus-byol/${FLEET}/`));

describe('down when Tenable answers', () => {
  it('deletes by the tagged id without listing, terminates first, and leaves nothing of the fleet', async () => {
    const { aws, api, deps } = world();
    aws.seedFleet([
      { instanceId: 'i-1', id: 11, uuid: 'u-11' },
      { instanceId: 'i-2', id: 12, uuid: 'u-12' },
    ]);
    api.scanners.set(11, { id: 11, uuid: 'u-11', name: 'prod-i-1' });
    api.scanners.set(12, { id: 12, uuid: 'u-12', name: 'prod-i-2' });
    const r = await down(deps, opts());
    expect(api.requests).toEqual(['DELETE /scanners/11', 'DELETE /scanners/12']);
    expect(aws.calls[1]).toBe('terminate i-1,i-2'); // after the write-ahead record
    expect(aws.live()).toEqual([]);
    expect(fleetParams(aws)).toEqual([]);
    expect(aws.groups).toEqual([]);
    expect(aws.roles.size + aws.profiles.size).toBe(0);
    expect(r.removed.filter((x) => x.kind === 'tenable-record').map((x) => x.outcome)).toEqual(['deleted', 'deleted']);
  });

  it('404 on DELETE counts as already gone (exit 0)', async () => {
    const { aws, api, deps } = world();
    aws.seedFleet([{ instanceId: 'i-1', id: 11 }]);
    const r = await down(deps, opts());
    expect(r.removed).toContainEqual({ kind: 'tenable-record', id: '11', outcome: 'gone' });
    expect(api.requests).toEqual(['DELETE /scanners/11']);
    expect(fleetParams(aws)).toEqual([]);
  });

  it('a second down finds nothing: the terminated instances are checked with one GET /scanners', async () => {
    const { aws, api, deps } = world();
    aws.seedFleet([{ instanceId: 'i-1', id: 11 }]);
    api.scanners.set(11, { id: 11, uuid: 'u-11', name: 'prod-i-1' });
    await down(deps, opts());
    api.requests = [];
    const plan = await planDown(deps, { keepShared: false });
    expect(plan.empty).toBe(true);
    expect(api.requests).toEqual(['GET /scanners']);
  });

  it('a uuid-only tag is resolved through GET /scanners', async () => {
    const { aws, api, deps } = world();
    aws.seedFleet([{ instanceId: 'i-1', uuid: 'u-11' }]);
    api.scanners.set(11, { id: 11, uuid: 'u-11', name: 'prod-i-1' });
    await down(deps, opts());
    expect(api.requests).toEqual(['GET /scanners', 'DELETE /scanners/11']);
    expect(api.scanners.size).toBe(0);
  });
});

describe('down when Tenable cannot be reached or refuses', () => {
  it('connection refused: terminates, removes the fleet resources, records the ids and fails with DOWN_INCOMPLETE', async () => {
    const { aws, api, deps } = world();
    aws.seedFleet([
      { instanceId: 'i-1', id: 11, uuid: 'u-11' },
      { instanceId: 'i-2', id: 12, uuid: 'u-12' },
    ]);
    api.mode = 'refused';
    const e = await down(deps, opts()).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DownIncompleteError);
    const err = e as DownIncompleteError;
    expect(err.exitCode).toBe(1);
    expect(err.code).toBe('DOWN_INCOMPLETE');
    expect(err.message).toContain('prod-i-1 (id 11, uuid u-11)');
    expect(err.message).toContain('prod-i-2 (id 12, uuid u-12)');
    expect(err.message).toMatch(/ECONNREFUSED/);
    expect(err.hint).toContain('nessus-byol down -f fleet.yaml');
    expect(err.hint).toContain('reconcile -f fleet.yaml --fix');
    expect(err.data).toMatchObject({
      leftovers: [
        { id: 11, uuid: 'u-11', name: 'prod-i-1' },
        { id: 12, uuid: 'u-12', name: 'prod-i-2' },
      ],
      leftoversParameter: '/nessus-byol/prod/tenable-leftovers',
    });
    // One call with its retries; the second record is not tried against a Tenable known to be out of reach.
    expect(new Set(api.requests)).toEqual(new Set(['DELETE /scanners/11']));
    expect(aws.live()).toEqual([]);
    expect(aws.groups).toEqual([]);
    expect(aws.roles.size + aws.profiles.size).toBe(0);
    expect(fleetParams(aws)).toEqual([leftoversParameter(FLEET)]);
    expect(aws.params.get(leftoversParameter(FLEET))!.tags).toMatchObject(owned);
    expect(leftoversOf(aws)).toEqual([
      { id: 11, uuid: 'u-11', name: 'prod-i-1' },
      { id: 12, uuid: 'u-12', name: 'prod-i-2' },
    ]);
  });

  it('401: the same — the AWS side goes, the records are recorded', async () => {
    const { aws, api, deps } = world();
    aws.seedFleet([{ instanceId: 'i-1', id: 11 }]);
    api.mode = '401';
    const err = (await down(deps, opts()).catch((x: unknown) => x)) as DownIncompleteError;
    expect(err.code).toBe('DOWN_INCOMPLETE');
    expect(err.message).toMatch(/rejected the API keys \(401/);
    expect(err.hint).toMatch(/TIO_ACCESS_KEY/);
    expect(api.requests).toEqual(['DELETE /scanners/11']); // 401 is not retried
    expect(aws.live()).toEqual([]);
    expect(fleetParams(aws)).toEqual([leftoversParameter(FLEET)]);
  });

  it('a later down, once the instances are forgotten by AWS, deletes the recorded records and the record (exit 0)', async () => {
    const { aws, api, deps } = world();
    aws.seedFleet([
      { instanceId: 'i-1', id: 11 },
      { instanceId: 'i-2', id: 12 },
    ]);
    api.scanners.set(11, { id: 11, uuid: 'u-11', name: 'prod-i-1' });
    api.scanners.set(12, { id: 12, uuid: 'u-12', name: 'prod-i-2' });
    api.mode = 'refused';
    await expect(down(deps, opts())).rejects.toBeInstanceOf(DownIncompleteError);

    aws.instances = []; // AWS forgets terminated instances after a while: only the record knows
    api.mode = 'ok';
    api.requests = [];
    const dry = await down(deps, opts({ dryRun: true }));
    expect(dry.plan.records.map((r) => [r.id, r.instanceId])).toEqual([
      [11, null],
      [12, null],
    ]);
    expect(api.requests).toEqual([]);
    const r = await down(deps, opts());
    expect(api.requests).toEqual(['DELETE /scanners/11', 'DELETE /scanners/12']);
    expect(api.scanners.size).toBe(0);
    expect(fleetParams(aws)).toEqual([]);
    expect(r.removed).toContainEqual({ kind: 'ssm-parameter', id: leftoversParameter(FLEET) });
  });

  it('a later down while Tenable is still out of reach keeps the record (and fails again)', async () => {
    const { aws, api, deps } = world();
    aws.seedFleet([{ instanceId: 'i-1', id: 11 }]);
    api.mode = 'refused';
    await expect(down(deps, opts())).rejects.toBeInstanceOf(DownIncompleteError);
    api.requests = [];
    const err = (await down(deps, opts()).catch((x: unknown) => x)) as DownIncompleteError;
    expect(err.code).toBe('DOWN_INCOMPLETE');
    // The listing (to check the terminated instance) failed: no DELETE is tried after it.
    expect(new Set(api.requests)).toEqual(new Set(['GET /scanners']));
    expect(leftoversOf(aws)).toEqual([{ id: 11, uuid: null, name: 'prod-i-1' }]);
  });

  it('--dry-run touches nothing even with Tenable down', async () => {
    const { aws, api, deps } = world();
    aws.seedFleet([{ instanceId: 'i-1', id: 11 }]);
    api.mode = 'refused';
    const r = await down(deps, opts({ dryRun: true }));
    expect(r.plan.records).toHaveLength(1);
    expect(api.requests).toEqual([]);
    expect(aws.calls).toEqual([]);
    expect(aws.live()).toEqual(['i-1']);
  });
});

describe('down without Tenable API keys', () => {
  const noKeys = () => {
    throw new UsageError(
      'TIO_ACCESS_KEY and TIO_SECRET_KEY are not set; Tenable API keys are needed to read the linking key and watch scanners link.',
    );
  };

  it('exits 2 naming --skip-tenable, before touching anything', async () => {
    const { aws, deps } = world({ tenable: noKeys });
    aws.seedFleet([{ instanceId: 'i-1', id: 11 }]);
    const e = (await down(deps, opts()).catch((x: unknown) => x)) as UsageError;
    expect(e).toBeInstanceOf(UsageError);
    expect(e.exitCode).toBe(2);
    expect(e.message).toContain('TIO_ACCESS_KEY and TIO_SECRET_KEY are not set');
    expect(e.message).toContain("delete the fleet's Tenable records");
    expect(e.hint).toContain('--skip-tenable');
    expect(aws.calls).toEqual([]);
  });

  it('--skip-tenable removes the AWS side and lists the records it did not check', async () => {
    const { aws, deps } = world({ tenable: noKeys });
    aws.seedFleet([{ instanceId: 'i-1', id: 11 }, { instanceId: 'i-2' }]);
    const r = await down(deps, opts({ skipTenable: true }));
    const plan: DownPlan = r.plan;
    expect(plan.tenable.mode).toBe('skipped');
    expect(plan.records).toEqual([]);
    expect(plan.notChecked.map((x) => x.id)).toEqual([11]);
    expect(plan.untracked.map((x) => x.instanceId)).toEqual(['i-2']);
    expect(aws.live()).toEqual([]);
    expect(fleetParams(aws)).toEqual([]);
    expect(aws.groups).toEqual([]);
  });
});
