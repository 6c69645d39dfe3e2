import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DescribeInstancesCommand, DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import { expectNoStackTrace } from './helpers/cli.js';
import { jsonOf, startE2eSandbox, type E2eSandbox } from './helpers/sandbox-e2e.js';

// One sandbox for the file: `up` once, then every scan runs against that fleet.
let e2e: E2eSandbox;
let file: string;

interface SimRequest {
  method: string;
  path: string;
  status: number;
  time: number;
}

async function simRequests(): Promise<SimRequest[]> {
  const r = await fetch(`${e2e.sandbox.simulatorUrl}/_sim/requests`);
  const body = (await r.json()) as { requests?: SimRequest[] } | SimRequest[];
  return Array.isArray(body) ? body : (body.requests ?? []);
}

async function simScans(): Promise<Array<{ id: number; name: string }>> {
  const r = await fetch(`${e2e.sandbox.simulatorUrl}/scans`, { headers: { 'X-ApiKeys': `accessKey=${e2e.env.TIO_ACCESS_KEY}; secretKey=${e2e.env.TIO_SECRET_KEY}` } });
  return ((await r.json()) as { scans: Array<{ id: number; name: string }> | null }).scans ?? [];
}

/** `POST /_sim/…` on the sandbox's simulator (fault rows, the scan clock). */
async function simControl(path: string, body: unknown): Promise<void> {
  const r = await fetch(`${e2e.sandbox.simulatorUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(r.status, await r.text()).toBe(200);
}

beforeAll(async () => {
  e2e = await startE2eSandbox();
  file = e2e.fleetFrom('minimal.yaml', (doc) => {
    doc.setIn(['fleet'], 'scanfleet');
    doc.setIn(['scan'], doc.createNode({ egress: ['172.31.0.0/16'] }));
  });
  const up = await e2e.cli(['up', '-f', file, '--yes', '--json']);
  expect(up.code, up.stderr).toBe(0);
}, 240_000);

afterAll(async () => {
  await e2e?.stop();
});

describe('scan -f F', () => {
  it('scans the fleet VPC with the fleet scanner and shows hosts and a severity table', async () => {
    const r = await e2e.cli(['scan', '-f', file, '--yes', '--json']);
    expectNoStackTrace(r.stderr);
    expect(r.code, r.stderr).toBe(0);
    const out = jsonOf(r) as {
      scan: { id: number; created: boolean };
      status: string;
      scanner: { uuid: string };
      targets: { count: number };
      results: { hostsScanned: number; hostsRead: number; severities: Record<string, number>; top: Array<{ pluginId: number; count: number; hosts: string[] }> };
    };
    expect(out.status).toBe('completed');
    expect(out.scan.created).toBe(true);
    expect(out.targets.count).toBeGreaterThan(0);
    expect(out.results.hostsScanned).toBeGreaterThan(0);
    expect(Object.keys(out.results.severities).sort()).toEqual(['critical', 'high', 'info', 'low', 'medium']);
    expect(r.stderr).toMatch(/target\(s\): private IPs of \d+ running instance\(s\) in the fleet's VPC/);

    // The scan was configured with the fleet's own scanner and the EC2 private IPs.
    const view = (await (await fetch(`${e2e.sandbox.simulatorUrl}/_sim/scans`)).json()) as { scans: Array<{ id: number; settings: Record<string, unknown> }> };
    const sim = view.scans.find((s) => s.id === out.scan.id)!;
    expect(sim.settings.scanner_id).toBe(out.scanner.uuid);
    expect(String(sim.settings.text_targets).split(',')).toHaveLength(out.targets.count);
    const fleetIps = ((await e2e.ec2().send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:nessus-byol:fleet', Values: ['scanfleet'] }] }))).Reservations ?? [])
      .flatMap((x) => x.Instances ?? [])
      .map((i) => i.PrivateIpAddress);
    for (const ip of fleetIps) expect(String(sim.settings.text_targets)).toContain(ip);
    const reqs = await simRequests();
    expect(reqs.filter((q) => q.method === 'POST' && q.path === '/scans')).toHaveLength(1);
    expect(reqs.filter((q) => q.method === 'POST' && /^\/scans\/\d+\/launch$/.test(q.path))).toHaveLength(1);

    // Hosts per finding: bounded GET /scans/{id}/hosts/{host_id} reads, answered by the simulator.
    const hostReads = reqs.filter((q) => q.method === 'GET' && q.path.startsWith(`/scans/${out.scan.id}/hosts/`));
    expect(hostReads.length).toBe(Math.min(out.results.hostsScanned, 10));
    expect(hostReads.every((q) => q.status === 200)).toBe(true);
    expect(out.results.hostsRead).toBe(hostReads.length);
    expect(out.results.top.length).toBeGreaterThan(0);
    for (const f of out.results.top) {
      expect(f.hosts.length, `hosts of plugin ${f.pluginId}`).toBeGreaterThan(0);
      for (const h of f.hosts) expect(String(sim.settings.text_targets).split(',')).toContain(h);
      // Every host was read (fewer than the bound), so each finding names all the hosts it is on.
      if (out.results.hostsScanned <= 10) expect(f.hosts).toHaveLength(f.count);
    }
  });

  it('re-launches the same scan on a second run (one scan record, PUT before launch)', async () => {
    const before = (await simRequests()).length;
    const r = await e2e.cli(['scan', '-f', file, '--yes', '--json', '--export', 'csv', '--out', 'r.csv']);
    expect(r.code, r.stderr).toBe(0);
    const out = jsonOf(r) as { scan: { id: number; created: boolean }; export: { path: string; bytes: number } };
    expect(out.scan.created).toBe(false);
    const mine = (await simScans()).filter((s) => s.name === 'nessus-byol scanfleet basic');
    expect(mine.map((s) => s.id)).toEqual([out.scan.id]);
    const reqs = (await simRequests()).slice(before);
    expect(reqs.filter((q) => q.method === 'POST' && q.path === '/scans')).toHaveLength(0);
    const put = reqs.findIndex((q) => q.method === 'PUT' && q.path === `/scans/${out.scan.id}`);
    const launch = reqs.findIndex((q) => q.method === 'POST' && q.path === `/scans/${out.scan.id}/launch`);
    expect(put).toBeGreaterThanOrEqual(0);
    expect(launch).toBeGreaterThan(put);
    // The export went through request → status → download and landed in the file.
    expect(reqs.some((q) => q.method === 'POST' && q.path === `/scans/${out.scan.id}/export`)).toBe(true);
    const csv = readFileSync(join(e2e.dir, 'r.csv'), 'utf8');
    expect(csv.split('\n')[0]).toMatch(/Plugin ID/);
    expect(statSync(join(e2e.dir, 'r.csv')).size).toBe(out.export.bytes);
  });

  it('--fail-on exits 5 when findings at or above it exist, and 0 above the worst', async () => {
    const first = jsonOf(await e2e.cli(['scan', '-f', file, '--yes', '--json'])) as { results: { severities: Record<string, number> } };
    const worst = (['critical', 'high', 'medium', 'low', 'info'] as const).find((s) => (first.results.severities[s] ?? 0) > 0);
    expect(worst).toBeDefined();
    const r = await e2e.cli(['scan', '-f', file, '--yes', '--json', '--fail-on', worst!]);
    expect(r.code, r.stderr).toBe(5);
    const err = jsonOf(r) as { ok: boolean; error: { code: string } };
    expect(err.ok).toBe(false);
    expect(err.error.code).toBe('CHECK_FAILED');
    const levels = ['info', 'low', 'medium', 'high', 'critical'];
    const above = levels[levels.indexOf(worst!) + 1];
    if (above) {
      const ok = await e2e.cli(['scan', '-f', file, '--yes', '--json', '--fail-on', above]);
      expect(ok.code, ok.stderr).toBe(0);
    }
  });

  it('up applied scan.egress to the fleet security group', async () => {
    const out = await e2e.ec2().send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['nessus-byol-scanfleet'] }] }));
    const egress = out.SecurityGroups?.[0]?.IpPermissionsEgress ?? [];
    expect(egress.some((p) => p.IpProtocol === '-1' && (p.IpRanges ?? []).some((x) => x.CidrIp === '172.31.0.0/16'))).toBe(true);
  });

  it('refuses bad input with exit 2 before launching anything', async () => {
    const noTargets = await e2e.cli(['scan', '-f', file, '--yes', '--target-tag', 'Nothing=here']);
    expect(noTargets.code).toBe(2);
    expect(noTargets.stderr).toMatch(/No scan targets/);
    const badTemplate = await e2e.cli(['scan', '-f', file, '--yes', '--template', 'nope']);
    expect(badTemplate.code).toBe(2);
    expect(badTemplate.stderr).toMatch(/no scan template named "nope"[\s\S]*basic/);
    const noTty = await e2e.cli(['scan', '-f', file]);
    expect(noTty.code).toBe(2);
    expect(noTty.stderr).toMatch(/--yes/);
    const noWait = await e2e.cli(['scan', '-f', file, '--yes', '--no-wait', '--fail-on', 'high']);
    expect(noWait.code).toBe(2);
  });
});

describe('scan -f F: fault rows (the simulator misbehaves as Tenable can)', () => {
  // A fast clock keeps these runs short; the client polls once a second (wait.interval 1s).
  beforeAll(() => simControl('/_sim/scans/config', { pendingMs: 300, runningMs: 1200, exportMs: 200 }));
  afterEach(async () => {
    await simControl('/_sim/faults', { rules: [] });
    await simControl('/_sim/scans/config', { pendingMs: 300, runningMs: 1200, exportMs: 200 });
  });
  afterAll(() => simControl('/_sim/scans/config', { pendingMs: 500, runningMs: 1500, exportMs: 300 }));

  it('scan-aborted: exit 1 with Tenable\'s reason, in the message and in the --json error', async () => {
    const reason = 'Scanner nessus-byol-scanfleet-1 lost its connection to the targets (simulated).';
    await simControl('/_sim/faults', { rules: [{ row: 'scan-aborted', reason, times: 2 }] });
    const json = await e2e.cli(['scan', '-f', file, '--yes', '--json']);
    expectNoStackTrace(json.stderr);
    expect(json.code, json.stderr).toBe(1);
    const err = jsonOf(json) as { ok: boolean; error: { code: string; message: string } };
    expect(err.ok).toBe(false);
    expect(err.error.code).toBe('SCAN_ABORTED');
    expect(err.error.message).toContain(reason);
    const human = await e2e.cli(['scan', '-f', file, '--yes']);
    expectNoStackTrace(human.stderr);
    expect(human.code).toBe(1);
    expect(human.stderr).toContain(reason);
    expect(human.stderr).toMatch(/ended aborted/);
  });

  it('scan-export-404: the export status is 404 a few times, then ready, and --out still gets the file', async () => {
    await simControl('/_sim/faults', { rules: [{ row: 'scan-export-404', times: 3 }] });
    const before = (await simRequests()).length;
    const r = await e2e.cli(['scan', '-f', file, '--yes', '--json', '--export', 'csv', '--out', 'after-404.csv']);
    expectNoStackTrace(r.stderr);
    expect(r.code, r.stderr).toBe(0);
    const out = jsonOf(r) as { scan: { id: number }; export: { path: string; bytes: number } };
    const statuses = (await simRequests())
      .slice(before)
      .filter((q) => q.method === 'GET' && new RegExp(`^/scans/${out.scan.id}/export/[^/]+/status$`).test(q.path))
      .map((q) => q.status);
    expect(statuses.slice(0, 3)).toEqual([404, 404, 404]);
    expect(statuses.slice(3).every((s) => s === 200)).toBe(true);
    expect(statuses.length).toBeGreaterThan(3);
    const path = join(e2e.dir, 'after-404.csv');
    expect(readFileSync(path, 'utf8').split('\n')[0]).toMatch(/Plugin ID/);
    expect(statSync(path).size).toBe(out.export.bytes);
  });

  it('scan-status-429: latest-status is rate limited once, the retry waits retry-after, one status call per tick otherwise', async () => {
    await simControl('/_sim/faults', {
      rules: [
        // Let the status read before launch through, so the 429 lands on a poll of the wait.
        { method: 'GET', pathPrefix: '/scans/', pathSuffix: '/latest-status', delayMs: 1, times: 1 },
        { row: 'scan-status-429', retryAfter: 2, times: 1 },
      ],
    });
    // Long enough to poll a few ticks after the retry.
    await simControl('/_sim/scans/config', { pendingMs: 300, runningMs: 4000 });
    const before = (await simRequests()).length;
    const r = await e2e.cli(['scan', '-f', file, '--yes']);
    expectNoStackTrace(r.stderr);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/status: +completed/);
    // The table names the hosts of each finding: "… name — 10.x.x.x".
    const top = r.stdout.slice(r.stdout.indexOf('Top findings'));
    expect(top).toMatch(/^ {2}\d+ .* — \d+\.\d+\.\d+\.\d+/m);

    const reqs = (await simRequests()).slice(before);
    const launch = reqs.findIndex((q) => q.method === 'POST' && /^\/scans\/\d+\/launch$/.test(q.path));
    expect(launch).toBeGreaterThanOrEqual(0);
    const polls = reqs.slice(launch + 1).filter((q) => q.method === 'GET' && q.path.endsWith('/latest-status'));
    const limited = polls.findIndex((q) => q.status === 429);
    expect(limited, JSON.stringify(polls)).toBeGreaterThanOrEqual(0);
    expect(polls.filter((q) => q.status === 429)).toHaveLength(1);
    expect(polls.length).toBeGreaterThanOrEqual(4);
    // The retry is the next status call, for the same scan, after retry-after (2 s)…
    const retry = polls[limited + 1]!;
    expect(retry).toMatchObject({ path: polls[limited]!.path, status: 200 });
    expect(retry.time - polls[limited]!.time).toBeGreaterThanOrEqual(1900);
    // …and otherwise the wait polls once per tick (1 s), never twice in one.
    for (let i = 1; i < polls.length; i++) expect(polls[i]!.time - polls[i - 1]!.time).toBeGreaterThanOrEqual(900);
    expect(polls.at(-1)!.status).toBe(200);
  });
});
