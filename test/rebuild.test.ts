import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_AMIS } from '../src/sandbox/moto-amis.js';
import { expectNoStackTrace, parseSingleJson } from './helpers/cli.js';
import { fleetYaml, startWorld, type LifecycleWorld } from './lifecycle-helpers.js';

/**
 * Blue/green `rebuild` through the built CLI against the in-process sandbox. moto gives every image
 * the same creation date, so "a new AMI" is a pinned ami.id switched between two registered images.
 */

let w: LifecycleWorld;

beforeAll(async () => {
  w = await startWorld('rebuild');
});

afterAll(async () => {
  await w?.stop();
});

interface RebuildDoc {
  ok: boolean;
  rebuilt: boolean;
  plan: { ami: { from: string[]; to: string }; groups: Array<{ name: string }> };
  mapping: Array<{
    old: { instanceId: string; scannerId: number };
    new: { instanceId: string; scannerId: number; imageId: string; phase: string };
  }>;
  removed: { instances: string[]; records: number[] };
}

async function groupMembers(name: string): Promise<number[]> {
  const groups = ((await w.tenable('GET', '/scanner-groups')) as { scanner_pools: Array<{ id: number; name: string }> })
    .scanner_pools;
  const g = groups.find((x) => x.name === name);
  if (!g) return [];
  return (
    (await w.tenable('GET', `/scanner-groups/${g.id}/scanners`)) as { scanners: Array<{ id: number }> }
  ).scanners.map((s) => s.id);
}

describe('rebuild (blue/green)', () => {
  it('replaces a 2-scanner fleet on a new AMI: 2 running (the new ones), old records gone, new ones in the old groups', async () => {
    const file = await w.fleetFile('blue', fleetYaml('blue', { count: 2, groups: ['Fleet pool'] }));
    const up = await w.cli(['up', '-f', file, '--yes', '--json']);
    expect(up.code, up.stderr).toBe(0);
    const oldScanners = (parseSingleJson(up.stdout) as { scanners: Array<{ instanceId: string; scannerId: number }> })
      .scanners;
    // A group someone added the scanners to by hand (not in the fleet file): the replacements must take it over.
    const legacy = (await w.tenable('POST', '/scanner-groups', { type: 'load_balancing', name: 'Legacy pool' })) as {
      id: number;
    };
    for (const s of oldScanners) await w.tenable('POST', `/scanner-groups/${legacy.id}/scanners/${s.scannerId}`);

    const same = await w.cli(['rebuild', '-f', file, '--yes', '--json']);
    expect(same.code, same.stderr).toBe(0);
    expect(parseSingleJson(same.stdout)).toMatchObject({ ok: true, rebuilt: false });
    expect((await w.instances('blue')).map((i) => i.id).sort()).toEqual(oldScanners.map((s) => s.instanceId).sort());

    await w.fleetFile('blue', fleetYaml('blue', { count: 2, groups: ['Fleet pool'], ami: SANDBOX_AMIS.byolNewer }));
    const dry = await w.cli(['rebuild', '-f', file, '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(parseSingleJson(dry.stdout)).toMatchObject({
      ok: true,
      rebuilt: false,
      dryRun: true,
      plan: {
        needed: true,
        ami: { from: [SANDBOX_AMIS.byol], to: SANDBOX_AMIS.byolNewer },
        groups: [{ name: 'Legacy pool' }],
      },
    });
    expect(await w.instances('blue')).toHaveLength(2);

    const r = await w.cli(['rebuild', '-f', file, '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expectNoStackTrace(r.stderr);
    const doc = parseSingleJson(r.stdout) as unknown as RebuildDoc;
    expect(doc.rebuilt).toBe(true);
    expect(doc.mapping).toHaveLength(2);
    expect(doc.mapping.every((m) => m.new.imageId === SANDBOX_AMIS.byolNewer && m.new.phase === 'ready')).toBe(true);
    expect(doc.mapping.map((m) => m.old.instanceId).sort()).toEqual(oldScanners.map((s) => s.instanceId).sort());

    const running = await w.instances('blue');
    expect(running.map((i) => i.id).sort()).toEqual(doc.mapping.map((m) => m.new.instanceId).sort());
    expect(running.every((i) => i.imageId === SANDBOX_AMIS.byolNewer)).toBe(true);
    const ids = (await w.scanners()).map((s) => s.id);
    for (const s of oldScanners) expect(ids, 'old records are deleted').not.toContain(s.scannerId);
    const newIds = doc.mapping.map((m) => m.new.scannerId);
    for (const id of newIds) expect(ids).toContain(id);
    expect((await groupMembers('Legacy pool')).sort()).toEqual([...newIds].sort());
    expect((await groupMembers('Fleet pool')).sort()).toEqual([...newIds].sort());

    const forced = await w.cli(['rebuild', '-f', file, '--yes', '--force', '--json']);
    expect(forced.code, forced.stderr).toBe(0);
    const again = parseSingleJson(forced.stdout) as unknown as RebuildDoc;
    expect(again.rebuilt).toBe(true);
    expect(again.plan.ami).toEqual({
      from: [SANDBOX_AMIS.byolNewer],
      to: SANDBOX_AMIS.byolNewer,
      name: expect.any(String) as string,
    });
    expect((await w.instances('blue')).map((i) => i.id).sort()).toEqual(
      again.mapping.map((m) => m.new.instanceId).sort(),
    );
    expect((await groupMembers('Legacy pool')).sort()).toEqual(again.mapping.map((m) => m.new.scannerId).sort());
  }, 240_000);

  it('a rebuild whose replacements never link leaves the old fleet untouched and nothing new behind', async () => {
    const file = await w.fleetFile('green', fleetYaml('green', { count: 2, timeout: '20s' }));
    const up = await w.cli(['up', '-f', file, '--yes', '--json']);
    expect(up.code, up.stderr).toBe(0);
    const old = (parseSingleJson(up.stdout) as { scanners: Array<{ instanceId: string; scannerId: number }> }).scanners;
    const recordsBefore = (await w.scanners()).map((s) => s.id).sort();

    await w.sim('POST', '/_sim/config', { refuseLinking: true });
    try {
      const r = await w.cli(['rebuild', '-f', file, '--yes', '--force', '--json']);
      expect(r.code, r.stderr).not.toBe(0);
      expect(parseSingleJson(r.stdout)).toMatchObject({ ok: false });
      expect(r.stderr).toMatch(/old fleet keeps serving/);
    } finally {
      await w.sim('POST', '/_sim/config', { refuseLinking: false });
    }
    expect((await w.instances('green')).map((i) => i.id).sort()).toEqual(old.map((s) => s.instanceId).sort());
    expect((await w.instances('green')).every((i) => i.state === 'running')).toBe(true);
    expect((await w.scanners()).map((s) => s.id).sort()).toEqual(recordsBefore);
    const deletes = ((await w.sim('GET', '/_sim/requests')) as Array<{ method: string; path: string }>)
      .filter((q) => q.method === 'DELETE')
      .map((q) => q.path);
    for (const s of old) expect(deletes).not.toContain(`/scanners/${s.scannerId}`);
    expect(await w.parameterNames()).not.toContain('/nessus-byol/green/lock');
  }, 240_000);

  it('a second rebuild started while one holds the fleet lock refuses with FLEET_LOCKED', async () => {
    const file = await w.fleetFile('locked', fleetYaml('locked', { count: 1 }));
    const up = await w.cli(['up', '-f', file, '--yes']);
    expect(up.code, up.stderr).toBe(0);

    await w.sim('POST', '/_sim/config', { pluginLoadDelayMs: 6000 });
    try {
      const first = w.cli(['rebuild', '-f', file, '--yes', '--force', '--json']);
      for (let i = 0; i < 100 && !(await w.parameterNames()).includes('/nessus-byol/locked/lock'); i++)
        await new Promise((r) => setTimeout(r, 200));
      expect(await w.parameterNames()).toContain('/nessus-byol/locked/lock');

      const second = await w.cli(['rebuild', '-f', file, '--yes', '--force', '--json']);
      expect(second.code).toBe(1);
      expect(parseSingleJson(second.stdout)).toMatchObject({ ok: false, error: { code: 'FLEET_LOCKED' } });
      expect(second.stderr).toMatch(/locked by another run: rebuild by .+ since/);
      expect(second.stderr).toContain('--force-unlock');

      const done = await first;
      expect(done.code, done.stderr).toBe(0);
      expect(parseSingleJson(done.stdout)).toMatchObject({ ok: true, rebuilt: true });
    } finally {
      await w.sim('POST', '/_sim/config', { pluginLoadDelayMs: 300 });
    }
    expect(await w.instances('locked')).toHaveLength(1);
    expect(await w.parameterNames()).not.toContain('/nessus-byol/locked/lock');
  }, 240_000);

  it('down after rebuilds leaves nothing tagged', async () => {
    for (const fleet of ['blue', 'green', 'locked']) {
      const r = await w.cli(['down', '-f', `${w.dir}/${fleet}.yaml`, '--yes']);
      expect(r.code, r.stderr).toBe(0);
      expect(await w.taggedLeftovers(fleet)).toEqual([]);
    }
    const names = (await w.scanners()).map((s) => s.name);
    expect(names.filter((n) => /^(blue|green|locked)-/.test(n))).toEqual([]);
  }, 240_000);
});
