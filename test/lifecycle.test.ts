import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoStackTrace, parseSingleJson, runCli } from './helpers/cli.js';
import { fleetYaml, startWorld, type LifecycleWorld } from './lifecycle-helpers.js';

/**
 * status, wait, down and reconcile through the built CLI against the in-process sandbox (moto, the
 * Tenable simulator and the boot watcher running each instance's real user-data). Assertions read
 * moto and the simulator back directly.
 */

let w: LifecycleWorld;

beforeAll(async () => {
  w = await startWorld('lifecycle');
});

afterAll(async () => {
  await w?.stop();
});

describe('every lifecycle command', () => {
  it.each(['status', 'wait', 'down', 'reconcile', 'rebuild'])(
    '%s --help shows examples and exit codes',
    async (cmd) => {
      const r = await runCli([cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Examples:\n\s+\$ nessus-byol /);
      expect(r.stdout).toContain('Exit codes');
    },
  );

  it('refuses --watch with --json (exit 2, one JSON document)', async () => {
    const file = await w.fleetFile('watch', fleetYaml('watch'));
    const r = await w.cli(['status', '-f', file, '--watch', '--json']);
    expect(r.code).toBe(2);
    expect(parseSingleJson(r.stdout)).toMatchObject({ ok: false, error: { code: 'USAGE' } });
  });
});

describe('up → status → wait → down', () => {
  it('shows the fleet, waits, then removes every tagged resource and record; a second down is harmless', async () => {
    const file = await w.fleetFile('life', fleetYaml('life', { count: 2 }));
    const up = await w.cli(['up', '-f', file, '--yes', '--no-wait', '--json']);
    expect(up.code, up.stderr).toBe(0);

    const wait = await w.cli(['wait', '-f', file, '--json']);
    expect(wait.code, wait.stderr).toBe(0);
    const waited = parseSingleJson(wait.stdout) as {
      ok: boolean;
      scanners: Array<{ phase: string; scannerId: number }>;
    };
    expect(waited.scanners.map((s) => s.phase)).toEqual(['ready', 'ready']);

    const before = ((await w.sim('GET', '/_sim/requests')) as unknown[]).length;
    const status = await w.cli(['status', '-f', file, '--json']);
    expect(status.code, status.stderr).toBe(0);
    const s = parseSingleJson(status.stdout) as {
      summary: { ready: number };
      scanners: Array<{
        tenableId: number;
        linked: boolean;
        state: string;
        availabilityZone: string;
        amiCurrent: boolean;
        uptimeMs: number;
      }>;
    };
    expect(s.summary.ready).toBe(2);
    expect(
      s.scanners.every(
        (r) => r.linked && r.state === 'running' && r.amiCurrent && r.availabilityZone && r.uptimeMs >= 0,
      ),
    ).toBe(true);
    const requests = ((await w.sim('GET', '/_sim/requests')) as Array<{ method: string; path: string }>).slice(before);
    expect(requests.filter((q) => q.method === 'GET' && q.path.startsWith('/scanners'))).toHaveLength(1); // one GET /scanners per refresh

    const table = await w.cli(['status', '-f', file]);
    expect(table.stdout).toMatch(
      /NAME\s+INSTANCE\s+STATE\s+AZ\s+AMI\s+TENABLE ID\s+LINKED\s+STATUS\s+PLUGIN SET\s+LAST CONNECT\s+UPTIME/,
    );

    const ids = waited.scanners.map((x) => x.scannerId);
    const refused = await w.cli(['down', '-f', file]);
    expect(refused.code, 'no TTY and no --yes').toBe(2);
    expect(refused.stderr).toContain('--yes');
    expect(await w.instances('life')).toHaveLength(2);

    const dry = await w.cli(['down', '-f', file, '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(parseSingleJson(dry.stdout)).toMatchObject({
      ok: true,
      dryRun: true,
      plan: { instances: [{}, {}], records: [{}, {}] },
    });
    expect(await w.instances('life')).toHaveLength(2);

    const mark = ((await w.sim('GET', '/_sim/requests')) as unknown[]).length;
    const down = await w.cli(['down', '-f', file, '--yes', '--json']);
    expect(down.code, down.stderr).toBe(0);
    expectNoStackTrace(down.stderr);
    expect(await w.taggedLeftovers('life')).toEqual([]);
    const left = await w.scanners();
    expect(left.filter((r) => ids.includes(r.id) || r.name.startsWith('life-'))).toEqual([]);
    const deletes = ((await w.sim('GET', '/_sim/requests')) as Array<{ method: string; path: string }>)
      .slice(mark)
      .filter((q) => q.method === 'DELETE');
    expect(deletes.map((q) => q.path).sort()).toEqual(ids.map((id) => `/scanners/${id}`).sort());

    const again = await w.cli(['down', '-f', file, '--yes', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(parseSingleJson(again.stdout)).toMatchObject({ ok: true, plan: { empty: true }, removed: [] });
  }, 180_000);

  it('never deletes a linking-key parameter the user provides (key.from ssm); --keep-shared keeps the fleet resources', async () => {
    await w.putParameter('/team/nessus/linking-key', w.sandbox.tenable.linkingKey);
    const file = await w.fleetFile(
      'byo',
      fleetYaml('byo', { key: '{ from: ssm, parameter: /team/nessus/linking-key }' }),
    );
    const up = await w.cli(['up', '-f', file, '--yes']);
    expect(up.code, up.stderr).toBe(0);

    const keep = await w.cli(['down', '-f', file, '--yes', '--keep-shared', '--json']);
    expect(keep.code, keep.stderr).toBe(0);
    expect(await w.instances('byo')).toEqual([]);
    expect((await w.taggedLeftovers('byo')).some((l) => l.startsWith('security-group'))).toBe(true);

    const down = await w.cli(['down', '-f', file, '--yes', '--json']);
    expect(down.code, down.stderr).toBe(0);
    const doc = parseSingleJson(down.stdout) as { plan: { leftAlone: Array<{ id: string }> } };
    expect(doc.plan.leftAlone.map((l) => l.id)).toContain('/team/nessus/linking-key');
    expect(await w.taggedLeftovers('byo')).toEqual([]);
    expect(await w.parameterNames()).toContain('/team/nessus/linking-key');
  }, 180_000);
});

describe('reconcile', () => {
  it('finds planted stale records and orphaned instances, --fix removes exactly those, and never touches another fleet sharing the prefix', async () => {
    const file = await w.fleetFile('prod', fleetYaml('prod', { timeout: '5s' }));
    const up = await w.cli(['up', '-f', file, '--yes', '--json']);
    expect(up.code, up.stderr).toBe(0);
    const live = (parseSingleJson(up.stdout) as { scanners: Array<{ scannerId: number; instanceId: string }> })
      .scanners[0]!;

    const clean = await w.cli(['reconcile', '-f', file, '--json']);
    expect(clean.code, clean.stderr).toBe(0);
    expect(parseSingleJson(clean.stdout)).toMatchObject({ ok: true, findings: [] });

    // Planted: a record tagged on a terminated instance of this fleet, a record that only fits the
    // name template, another fleet's record sharing the "prod-" prefix, and an instance whose record is gone.
    const old = Math.floor(Date.now() / 1000) - 3 * 86_400;
    const planted = (await w.sim('POST', '/_sim/scanners', {
      scanners: [
        { name: 'prod-i-0aaaaaaaaaaaaaaa1', status: 'off', last_connect: old },
        { name: 'prod-i-0bbbbbbbbbbbbbbb2', status: 'off', last_connect: old },
        { name: 'prod-eu-i-0ccccccccccccccc3', status: 'off', last_connect: old },
      ],
    })) as { scanners: Array<{ id: number; uuid: string }> };
    const [stale, candidate, otherFleet] = planted.scanners as [
      { id: number; uuid: string },
      { id: number; uuid: string },
      { id: number; uuid: string },
    ];
    const gone = await w.plantInstance('prod', {
      'nessus-byol:scanner-name': 'prod-i-0aaaaaaaaaaaaaaa1',
      'nessus-byol:scanner-id': String(stale.id),
      'nessus-byol:scanner-uuid': stale.uuid,
    });
    await w.terminate(gone);
    const orphan = await w.plantInstance('prod', {
      'nessus-byol:scanner-name': 'prod-orphan',
      'nessus-byol:scanner-id': '99999999',
    });
    const otherFleetInstance = await w.plantInstance('prod-eu', { 'nessus-byol:scanner-id': String(otherFleet.id) });

    const report = await w.cli(['reconcile', '-f', file, '--json']);
    expect(report.code, report.stderr).toBe(5);
    const found = (
      parseSingleJson(report.stdout) as {
        error: { code: string; findings: Array<{ kind: string; recordId?: number; instanceId?: string }> };
      }
    ).error;
    expect(found.code).toBe('CHECK_FAILED');
    expect(found.findings.map((f) => [f.kind, f.recordId ?? f.instanceId]).sort()).toEqual(
      [
        ['name-candidate', candidate.id],
        ['stale-record', stale.id],
        ['unlinked-instance', orphan],
      ].sort(),
    );

    const fix = await w.cli(['reconcile', '-f', file, '--fix', '--yes', '--json']);
    expect(fix.code, fix.stderr).toBe(0);
    const fixed = parseSingleJson(fix.stdout) as {
      fixed: Array<{ kind: string }>;
      skipped: Array<{ kind: string; recordId: number }>;
    };
    expect(fixed.fixed.map((f) => f.kind).sort()).toEqual(['stale-record', 'unlinked-instance']);
    expect(fixed.skipped).toMatchObject([{ kind: 'name-candidate', recordId: candidate.id }]);
    let ids = (await w.scanners()).map((r) => r.id);
    expect(ids).not.toContain(stale.id);
    expect(ids).toContain(candidate.id);
    expect(ids).toContain(otherFleet.id);
    expect(ids).toContain(live.scannerId);
    expect((await w.instances('prod')).map((i) => i.id)).toEqual([live.instanceId]);

    const withNames = await w.cli(['reconcile', '-f', file, '--fix', '--yes', '--include-name-matches', '--json']);
    expect(withNames.code, withNames.stderr).toBe(0);
    ids = (await w.scanners()).map((r) => r.id);
    expect(ids).not.toContain(candidate.id);
    expect(ids, 'another fleet sharing the prefix is never deleted').toContain(otherFleet.id);
    expect(ids).toContain(live.scannerId);
    expect((await w.instances('prod-eu')).map((i) => i.id)).toEqual([otherFleetInstance]);
    const deletes = ((await w.sim('GET', '/_sim/requests')) as Array<{ method: string; path: string }>)
      .filter((q) => q.method === 'DELETE')
      .map((q) => q.path);
    expect(deletes).not.toContain(`/scanners/${otherFleet.id}`);

    const after = await w.cli(['reconcile', '-f', file]);
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).toContain('no drift');

    const down = await w.cli(['down', '-f', file, '--yes']);
    expect(down.code, down.stderr).toBe(0);
    expect(
      (await w.scanners()).map((r) => r.id),
      'down leaves the other fleet alone',
    ).toContain(otherFleet.id);
  }, 180_000);

  it('--fix without a terminal and without --yes refuses before touching anything (exit 2)', async () => {
    const file = await w.fleetFile('nofix', fleetYaml('nofix'));
    const r = await w.cli(['reconcile', '-f', file, '--fix']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--yes');
  });
});
