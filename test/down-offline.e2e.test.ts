import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { freeLoopbackPort } from '../src/sandbox/net.js';
import { SANDBOX_AMIS } from '../src/sandbox/moto-amis.js';
import { expectNoStackTrace, parseSingleJson } from './helpers/cli.js';
import { fleetYaml, startWorld, type LifecycleWorld } from './lifecycle-helpers.js';

/**
 * `down` and `rebuild` when Tenable cannot be reached or refuses, through the built CLI against the
 * sandbox: the AWS side still goes (read back from moto), the Tenable records left are named and kept
 * in /nessus-byol/<fleet>/tenable-leftovers, and a later `down` / `reconcile --fix` with Tenable back
 * deletes them (read back from the simulator and its request log).
 */

let w: LifecycleWorld;
/** A loopback port nothing listens on: every Tenable call is refused. */
let closed: Record<string, string>;

beforeAll(async () => {
  w = await startWorld('down-offline');
  const url = `http://127.0.0.1:${await freeLoopbackPort()}`;
  closed = { NESSUS_BYOL_TENABLE_API_URL: url, TIO_URL: url };
}, 120_000);

afterAll(async () => {
  await w?.stop();
});

const leftoversName = (fleet: string) => `/nessus-byol/${fleet}/tenable-leftovers`;

async function leftoversRecord(
  fleet: string,
): Promise<Array<{ id: number; uuid: string | null; name: string }> | null> {
  try {
    const out = await w.ssm.send(new GetParameterCommand({ Name: leftoversName(fleet) }));
    return (JSON.parse(out.Parameter!.Value!) as { records: Array<{ id: number; uuid: string | null; name: string }> })
      .records;
  } catch (e) {
    if ((e as Error).name === 'ParameterNotFound') return null;
    throw e;
  }
}

async function requestsSince(mark: number): Promise<Array<{ method: string; path: string }>> {
  return ((await w.sim('GET', '/_sim/requests')) as Array<{ method: string; path: string }>).slice(mark);
}
const requestCount = async () => ((await w.sim('GET', '/_sim/requests')) as unknown[]).length;

describe('down with Tenable unreachable', () => {
  it('removes every instance, security group, role, profile and parameter of the fleet except the leftovers record, exits 1 naming the records; a later down with Tenable back removes them (exit 0)', async () => {
    const file = await w.fleetFile('offline', fleetYaml('offline', { count: 2 }));
    const up = await w.cli(['up', '-f', file, '--yes', '--json']);
    expect(up.code, up.stderr).toBe(0);
    const scanners = (parseSingleJson(up.stdout) as { scanners: Array<{ scannerId: number }> }).scanners;
    const ids = scanners.map((s) => s.scannerId).sort((a, b) => a - b);
    expect(ids).toHaveLength(2);

    const mark = await requestCount();
    const offline = await w.cli(['down', '-f', file, '--yes'], { env: closed });
    expect(offline.code, offline.stderr).toBe(1);
    expectNoStackTrace(offline.stderr);
    expect(offline.stderr).toContain('2 Tenable record(s) could not be deleted');
    for (const id of ids)
      expect(offline.stderr).toMatch(new RegExp(`Tenable record offline-i-[0-9a-f]+ \\(id ${id}, uuid `));
    expect(offline.stderr).toContain(leftoversName('offline'));
    expect(offline.stderr).toContain(`nessus-byol down -f ${file}`);
    expect(offline.stderr).toContain('reconcile');
    expect(await requestsSince(mark), 'nothing reached the simulator').toEqual([]);

    // moto: nothing of the fleet is left but the record of what Tenable still holds.
    expect(await w.taggedLeftovers('offline')).toEqual([`parameter ${leftoversName('offline')}`]);
    expect((await leftoversRecord('offline'))!.map((r) => r.id).sort((a, b) => a - b)).toEqual(ids);
    // Tenable still has both records (it was never reached).
    expect((await w.scanners()).filter((s) => ids.includes(s.id))).toHaveLength(2);

    // Still unreachable: the --json error document names the records and what finishes the job.
    const again = await w.cli(['down', '-f', file, '--yes', '--json'], { env: closed });
    expect(again.code, again.stderr).toBe(1);
    const doc = parseSingleJson(again.stdout) as {
      ok: boolean;
      error: {
        code: string;
        leftovers: Array<{ id: number; uuid: string }>;
        leftoversParameter: string;
        next: string[];
      };
    };
    expect(doc.ok).toBe(false);
    expect(doc.error.code).toBe('DOWN_INCOMPLETE');
    expect(doc.error.leftovers.map((l) => l.id).sort((a, b) => a - b)).toEqual(ids);
    expect(doc.error.leftovers.every((l) => typeof l.uuid === 'string' && l.uuid.length > 0)).toBe(true);
    expect(doc.error.leftoversParameter).toBe(leftoversName('offline'));
    expect(doc.error.next).toEqual([`nessus-byol down -f ${file}`, `nessus-byol reconcile -f ${file} --fix`]);
    expect(await w.taggedLeftovers('offline')).toEqual([`parameter ${leftoversName('offline')}`]);

    // Tenable back: the records and the record go; exit 0.
    const mark2 = await requestCount();
    const back = await w.cli(['down', '-f', file, '--yes', '--json']);
    expect(back.code, back.stderr).toBe(0);
    const deletes = (await requestsSince(mark2)).filter((q) => q.method === 'DELETE');
    expect(deletes.map((q) => q.path).sort()).toEqual(ids.map((id) => `/scanners/${id}`).sort());
    expect((await w.scanners()).filter((s) => ids.includes(s.id))).toEqual([]);
    expect(await w.taggedLeftovers('offline')).toEqual([]);

    const done = await w.cli(['down', '-f', file, '--yes', '--json']);
    expect(done.code, done.stderr).toBe(0);
    expect(parseSingleJson(done.stdout)).toMatchObject({ ok: true, plan: { empty: true }, removed: [] });
  }, 300_000);

  it('--dry-run with Tenable unreachable changes nothing', async () => {
    const file = await w.fleetFile('offdry', fleetYaml('offdry'));
    const up = await w.cli(['up', '-f', file, '--yes']);
    expect(up.code, up.stderr).toBe(0);
    const before = await w.taggedLeftovers('offdry');
    const dry = await w.cli(['down', '-f', file, '--dry-run', '--json'], { env: closed });
    expect(dry.code, dry.stderr).toBe(0);
    expect(parseSingleJson(dry.stdout)).toMatchObject({
      ok: true,
      dryRun: true,
      plan: { instances: [{}], records: [{}] },
    });
    expect(await w.taggedLeftovers('offdry')).toEqual(before);
    const down = await w.cli(['down', '-f', file, '--yes']);
    expect(down.code, down.stderr).toBe(0);
  }, 180_000);
});

describe('down without Tenable API keys', () => {
  it('exits 2 naming --skip-tenable and touches nothing; --skip-tenable removes the AWS side and names the records it did not check', async () => {
    const file = await w.fleetFile('nokeys', fleetYaml('nokeys'));
    const up = await w.cli(['up', '-f', file, '--yes', '--json']);
    expect(up.code, up.stderr).toBe(0);
    const [scanner] = (parseSingleJson(up.stdout) as { scanners: Array<{ scannerId: number }> }).scanners;
    const noKeys = { TIO_ACCESS_KEY: undefined, TIO_SECRET_KEY: undefined };
    const before = await w.taggedLeftovers('nokeys');

    const refused = await w.cli(['down', '-f', file, '--yes'], { env: noKeys });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('TIO_ACCESS_KEY');
    expect(refused.stderr).toContain('--skip-tenable');
    expect(await w.taggedLeftovers('nokeys')).toEqual(before);

    const skipped = await w.cli(['down', '-f', file, '--yes', '--skip-tenable'], { env: noKeys });
    expect(skipped.code, skipped.stderr).toBe(0);
    expect(skipped.stdout).toContain('--skip-tenable');
    expect(skipped.stdout).toContain(`Tenable record ${scanner!.scannerId}`);
    expect(await w.taggedLeftovers('nokeys')).toEqual([]);
    // Not checked means not deleted: the record is still in Tenable.
    expect((await w.scanners()).some((s) => s.id === scanner!.scannerId)).toBe(true);
    await w.tenable('DELETE', `/scanners/${scanner!.scannerId}`);
  }, 180_000);
});

describe('rebuild whose Tenable delete fails', () => {
  it('still terminates the old instances, records the old records, exits 1; reconcile --fix deletes them', async () => {
    const file = await w.fleetFile('rebuildoff', fleetYaml('rebuildoff', { count: 2, ami: SANDBOX_AMIS.byol }));
    const up = await w.cli(['up', '-f', file, '--yes', '--json']);
    expect(up.code, up.stderr).toBe(0);
    const old = (parseSingleJson(up.stdout) as { scanners: Array<{ instanceId: string; scannerId: number }> }).scanners;
    const oldIds = old.map((s) => s.scannerId).sort((a, b) => a - b);

    await w.fleetFile('rebuildoff', fleetYaml('rebuildoff', { count: 2, ami: SANDBOX_AMIS.byolNewer }));
    // Tenable refuses the first DELETE (403): the second is not tried against a Tenable that refuses.
    w.sandbox.simulator.setFaults([{ method: 'DELETE', pathPrefix: '/scanners', status: 403, times: 1 }]);
    const mark = await requestCount();
    const r = await w.cli(['rebuild', '-f', file, '--yes', '--json']);
    w.sandbox.simulator.setFaults([]);
    expect(r.code, r.stderr).toBe(1);
    const doc = parseSingleJson(r.stdout) as {
      error: { code: string; message: string; leftovers: Array<{ id: number }>; leftoversParameter: string };
    };
    expect(doc.error.code).toBe('REBUILD_CLEANUP');
    expect(doc.error.leftovers.map((l) => l.id).sort((a, b) => a - b)).toEqual(oldIds);
    expect(doc.error.leftoversParameter).toBe(leftoversName('rebuildoff'));
    expect((await requestsSince(mark)).filter((q) => q.method === 'DELETE')).toHaveLength(1);

    const running = await w.instances('rebuildoff');
    expect(running).toHaveLength(2);
    expect(running.every((i) => i.imageId === SANDBOX_AMIS.byolNewer)).toBe(true);
    const gone = await w.instances('rebuildoff', ['shutting-down', 'terminated']);
    expect(gone.map((i) => i.id).sort()).toEqual(old.map((s) => s.instanceId).sort());
    expect((await leftoversRecord('rebuildoff'))!.map((l) => l.id).sort((a, b) => a - b)).toEqual(oldIds);

    const fix = await w.cli(['reconcile', '-f', file, '--fix', '--yes', '--json']);
    expect(fix.code, fix.stderr).toBe(0);
    expect((await w.scanners()).filter((s) => oldIds.includes(s.id))).toEqual([]);
    expect(await leftoversRecord('rebuildoff')).toBeNull();
    expect(await w.instances('rebuildoff')).toHaveLength(2);

    const down = await w.cli(['down', '-f', file, '--yes']);
    expect(down.code, down.stderr).toBe(0);
    expect(await w.taggedLeftovers('rebuildoff')).toEqual([]);
  }, 300_000);
});
