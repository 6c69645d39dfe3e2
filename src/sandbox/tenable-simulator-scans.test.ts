import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SCANNER_UUID, startTenableSimulator, type TenableSimulator } from './tenable-simulator.js';

const ACCESS = 'sim-access-key-0123456789abcdef';
const SECRET = 'sim-secret-key-0123456789abcdef';
const AUTH = { 'X-ApiKeys': `accessKey=${ACCESS}; secretKey=${SECRET}` };
const BASIC = '731a8e52-3ea6-a291-ec0a-d2ff0619c19d7bd788d6be818b65';
const CLOUD_AUDIT = '97f94b3b-f843-92d1-5e7a-df02f9dbfaaef40ae03bfdfa7239';
const CIS_150 = '72426_CIS_Amazon_Web_Services_Foundations_v1.5.0_L1.audit';

type Rec = Record<string, unknown>;
interface Answer {
  status: number;
  headers: Headers;
  text: string;
  bytes: Buffer;
  json: Rec;
}

let sim: TenableSimulator;

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = AUTH,
): Promise<Answer> {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const bytes = Buffer.from(await res.arrayBuffer());
  const text = bytes.toString('utf8');
  let json: Rec = {};
  try {
    json = text ? (JSON.parse(text) as Rec) : {};
  } catch {
    // not JSON (downloads, nginx pages)
  }
  return { status: res.status, headers: res.headers, text, bytes, json };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const control = (path: string, body?: unknown) => call(body === undefined ? 'GET' : 'POST', path, body, {});

async function createScan(settings: Rec = {}, extra: Rec = {}): Promise<Rec> {
  const r = await call('POST', '/scans', {
    uuid: BASIC,
    settings: { name: 'fleet demo', text_targets: '10.0.1.10,10.0.1.11', ...settings },
    ...extra,
  });
  expect(r.status, r.text).toBe(200);
  return r.json.scan as Rec;
}

/** Polls latest-status and returns the distinct statuses seen, in order, up to a final one. */
async function waitFinal(id: unknown): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < 200; i++) {
    const s = String((await call('GET', `/scans/${String(id)}/latest-status`)).json.status);
    if (seen[seen.length - 1] !== s) seen.push(s);
    if (['completed', 'aborted', 'canceled'].includes(s)) return seen;
    await sleep(20);
  }
  throw new Error(`scan ${String(id)} never finished: ${seen.join(' → ')}`);
}

async function launchAndWait(id: unknown, body: Rec = {}): Promise<Rec> {
  const r = await call('POST', `/scans/${String(id)}/launch`, body);
  expect(r.status, r.text).toBe(200);
  await waitFinal(id);
  return (await call('GET', `/scans/${String(id)}`)).json;
}

beforeAll(async () => {
  sim = await startTenableSimulator({
    accessKey: ACCESS,
    secretKey: SECRET,
    linkingKey: 'f00d'.repeat(16),
    pluginLoadDelayMs: 50,
  });
});
afterAll(() => sim.stop());
beforeEach(async () => {
  sim.reset();
  await control('/_sim/scans/config', { pendingMs: 120, runningMs: 240, exportMs: 120 });
});

describe('templates and folders', () => {
  it('lists templates with the recorded fields, basic and cloud_audit among them', async () => {
    const r = await call('GET', '/editor/scan/templates');
    const templates = r.json.templates as Rec[];
    for (const t of templates) {
      expect(Object.keys(t).sort()).toEqual(
        [
          'cloud_only',
          'desc',
          'is_agent',
          'is_was',
          'manager_only',
          'name',
          'order',
          'subscription_only',
          'title',
          'unsupported',
          'uuid',
        ].sort(),
      );
    }
    expect(templates.find((t) => t.name === 'basic')).toMatchObject({ title: 'Basic Network Scan', uuid: BASIC });
    expect(templates.find((t) => t.name === 'cloud_audit')).toMatchObject({
      title: 'Audit Cloud Infrastructure',
      uuid: CLOUD_AUDIT,
    });
  });

  it('details offer the scanners (cloud ones first for cloud_audit) and the AWS audit files', async () => {
    const r = await call('GET', `/editor/scan/templates/${CLOUD_AUDIT}`);
    const inputs = ((r.json.settings as Rec).basic as Rec).inputs as Rec[];
    const scanner = inputs.find((i) => i.id === 'scanner_id') as { options: Rec[] };
    expect(scanner.options[0]).toMatchObject({
      id: DEFAULT_SCANNER_UUID,
      name: 'US Cloud Scanner',
      type: 'local',
      linked: true,
    });
    const aws = ((r.json.compliance as Rec).data as Rec[]).find((d) => d.name === 'Amazon AWS') as { audits: Rec[] };
    expect(aws.audits.map((a) => a.id)).toContain(CIS_150);
    expect((await call('GET', '/editor/scan/templates/nope')).status).toBe(404);
  });

  it('has My Scans and Trash, creates folders and refuses a duplicate name', async () => {
    const created = await call('POST', '/folders', { name: 'nessus-byol' });
    expect(created.json).toEqual({ id: expect.any(Number) });
    expect((await call('POST', '/folders', { name: 'nessus-byol' })).status).toBe(400);
    const folders = (await call('GET', '/folders')).json.folders as Rec[];
    expect(folders.map((f) => [f.name, f.type])).toEqual([
      ['Trash', 'trash'],
      ['My Scans', 'main'],
      ['nessus-byol', 'custom'],
    ]);
  });
});

describe('create, launch, results', () => {
  it('answers POST /scans like Tenable and validates template, scanner and folder', async () => {
    const scan = await createScan();
    expect(scan).toMatchObject({
      name: 'fleet demo',
      scanner_id: null,
      scanner_uuid: DEFAULT_SCANNER_UUID,
      custom_targets: '10.0.1.10,10.0.1.11',
      type: 'public',
    });
    expect(String(scan.uuid)).toMatch(/^template-[0-9a-f-]{36}[0-9a-f]{12}$/);
    const bad = await call('POST', '/scans', { uuid: 'nope', settings: { name: 'x', text_targets: '10.0.0.1' } });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatch(/Invalid 'uuid' field/);
    expect(
      (
        await call('POST', '/scans', {
          uuid: BASIC,
          settings: { name: 'x', text_targets: '10.0.0.1', scanner_id: 'nope' },
        })
      ).json.error,
    ).toMatch(/scanner_id/);
    expect(
      (await call('POST', '/scans', { uuid: BASIC, settings: { name: 'x', text_targets: '10.0.0.1', folder_id: 1 } }))
        .status,
    ).toBe(400);
    expect((await call('POST', '/scans', { uuid: BASIC, settings: { name: 'x' } })).status).toBe(400);
  });

  it('goes empty → pending → running → completed on the clock', async () => {
    const scan = await createScan();
    expect((await call('GET', `/scans/${String(scan.id)}/latest-status`)).json).toEqual({ status: 'empty' });
    const launched = await call('POST', `/scans/${String(scan.id)}/launch`, {});
    expect(launched.json).toEqual({ scan_uuid: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(await waitFinal(scan.id)).toEqual(['pending', 'running', 'completed']);
  });

  it('details have info, hosts from the targets, simulated vulnerabilities and history', async () => {
    const scan = await createScan({ text_targets: '10.0.2.0/30, db.internal' });
    const d = await launchAndWait(scan.id);
    const info = d.info as Rec;
    expect(info).toMatchObject({
      status: 'completed',
      name: 'fleet demo',
      scanner_name: 'US Cloud Scanner',
      policy: 'Basic Network Scan',
      hostcount: 3,
    });
    expect(Number(info.scan_end)).toBeGreaterThanOrEqual(Number(info.scan_start));
    const hosts = d.hosts as Rec[];
    expect(hosts.map((h) => h.hostname)).toEqual(['10.0.2.1', '10.0.2.2', 'db.internal']);
    for (const h of hosts) {
      const items = (h.severitycount as { item: { count: number; severitylevel: number }[] }).item;
      expect(items.map((i) => i.severitylevel)).toEqual([0, 1, 2, 3, 4]);
      expect(h.severity).toBe(items.reduce((a, i) => a + i.count, 0));
      expect([h.info, h.low, h.medium, h.high, h.critical]).toEqual(items.map((i) => i.count));
    }
    const vulns = d.vulnerabilities as Rec[];
    expect(vulns.length).toBeGreaterThan(3);
    for (const v of vulns) {
      expect(Object.keys(v).sort()).toEqual([
        'count',
        'plugin_family',
        'plugin_id',
        'plugin_name',
        'severity',
        'vuln_index',
      ]);
      expect(String(v.plugin_name)).toMatch(/^\[simulated\] /);
    }
    expect(d.history as Rec[]).toHaveLength(1);
    // Deterministic per host: the same targets report the same findings again.
    const again = await launchAndWait(scan.id);
    expect(again.vulnerabilities).toEqual(vulns);
  });

  it('GET /scans/{id}/hosts/{host_id} answers one host with the recorded fields, agreeing with the details', async () => {
    const scan = await createScan({ text_targets: '10.0.2.0/30, db.internal' });
    // Before any run there is no host to read.
    expect(await call('GET', `/scans/${String(scan.id)}/hosts/2`)).toMatchObject({
      status: 404,
      json: { error: 'The requested file was not found' },
    });
    const d = await launchAndWait(scan.id);
    const hosts = d.hosts as Rec[];
    const perPlugin = new Map<number, number>();
    for (const h of hosts) {
      const r = await call('GET', `/scans/${String(scan.id)}/hosts/${String(h.host_id)}`);
      expect(r.status, r.text).toBe(200);
      expect(Object.keys(r.json).sort()).toEqual(['compliance', 'info', 'vulnerabilities']);
      const info = r.json.info as Rec;
      expect(Object.keys(info).sort()).toEqual(
        ['host-fqdn', 'host-ip', 'host_end', 'host_start', 'mac-address', 'operating-system'].sort(),
      );
      expect(String(info.host_start)).toMatch(/^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} \d{4}$/);
      if (h.hostname === 'db.internal') expect(info).toMatchObject({ 'host-fqdn': 'db.internal', 'host-ip': null });
      else expect(info).toMatchObject({ 'host-ip': h.hostname, 'host-fqdn': null });
      const vulns = r.json.vulnerabilities as Rec[];
      expect(vulns.length).toBeGreaterThan(0);
      for (const v of vulns) {
        expect(Object.keys(v).sort()).toEqual(
          [
            'count',
            'host_id',
            'hostname',
            'plugin_family',
            'plugin_id',
            'plugin_name',
            'severity',
            'severity_index',
            'vuln_index',
          ].sort(),
        );
        expect(v).toMatchObject({ host_id: h.host_id, hostname: h.hostname });
        expect(String(v.plugin_name)).toMatch(/^\[simulated\] /);
        perPlugin.set(Number(v.plugin_id), (perPlugin.get(Number(v.plugin_id)) ?? 0) + Number(v.count));
      }
      // The host's severity counts in the details are its findings here.
      const items = (h.severitycount as { item: { count: number; severitylevel: number }[] }).item;
      for (const { count, severitylevel } of items)
        expect(vulns.filter((v) => v.severity === severitylevel)).toHaveLength(count);
      expect(r.json.compliance).toEqual([]);
    }
    // Summed over the hosts, each plugin's count is the one the scan details report.
    for (const v of d.vulnerabilities as Rec[]) expect(perPlugin.get(Number(v.plugin_id))).toBe(v.count);
    expect((await call('GET', `/scans/${String(scan.id)}/hosts/999`)).status).toBe(404);
    expect(await call('GET', '/scans/424242/hosts/2')).toMatchObject({
      status: 404,
      json: { error: 'Scan not found' },
    });
    // history_id picks a run; an unknown one has no hosts.
    const historyId = ((d.history as Rec[])[0] as Rec).history_id;
    const hostPath = `/scans/${String(scan.id)}/hosts/${String((hosts[0] as Rec).host_id)}`;
    expect((await call('GET', `${hostPath}?history_id=${String(historyId)}`)).status).toBe(200);
    expect((await call('GET', `${hostPath}?history_id=1`)).status).toBe(404);
    expect((await call('GET', `/scans/${String(scan.id)}/hosts/2`, undefined, {})).status).toBe(401);
  });

  it('keeps one scan record over two launches, refuses a launch while running, honours alt_targets', async () => {
    const scan = await createScan();
    await launchAndWait(scan.id);
    expect((await call('POST', `/scans/${String(scan.id)}/launch`, { alt_targets: ['10.9.9.9'] })).status).toBe(200);
    const busy = await call('POST', `/scans/${String(scan.id)}/launch`, {});
    expect(busy).toMatchObject({ status: 409, json: { error: 'Scan is already running' } });
    await waitFinal(scan.id);
    const d = (await call('GET', `/scans/${String(scan.id)}`)).json;
    expect(d.info).toMatchObject({ targets: '10.9.9.9', alt_targets_used: true, hostcount: 1 });
    expect(d.history as Rec[]).toHaveLength(2);
    const list = (await call('GET', '/scans')).json;
    expect(Object.keys(list).sort()).toEqual(['folders', 'scans', 'timestamp']);
    expect((list.scans as Rec[]).filter((s) => s.name === 'fleet demo')).toHaveLength(1);
    expect((await control('/_sim/scans')).json.scans).toEqual([expect.objectContaining({ id: scan.id, launches: 2 })]);
  });

  it('PUT /scans/{id} reconfigures targets and scanner (a scanner group by uuid) and answers the record', async () => {
    const group = (await call('POST', '/scanner-groups', { name: 'Demo scanners', type: 'load_balancing' })).json;
    const [member] = sim.plantScanners([{ name: 'nessus-byol-demo-1' }]);
    await call('POST', `/scanner-groups/${String(group.id)}/scanners/${String(member?.id)}`);
    const scan = await createScan();
    const r = await call('PUT', `/scans/${String(scan.id)}`, {
      settings: { text_targets: '10.0.3.5', scanner_id: group.uuid },
    });
    expect(r.json).toMatchObject({ id: scan.id, custom_targets: '10.0.3.5', scanner_uuid: group.uuid });
    expect(r.json.scan).toBeUndefined();
    const d = await launchAndWait(scan.id);
    expect(d.info).toMatchObject({ status: 'completed', scanner_name: 'Demo scanners', targets: '10.0.3.5' });
    expect((await call('PUT', `/scans/${String(scan.id)}`, { settings: { scanner_id: 'gone' } })).status).toBe(400);
  });

  it('aborts with a scanner-route note when no scanner of the group is online', async () => {
    const group = (await call('POST', '/scanner-groups', { name: 'Empty group', type: 'load_balancing' })).json;
    const scan = await createScan({ scanner_id: group.uuid });
    const d = await launchAndWait(scan.id);
    expect(d.info).toMatchObject({ status: 'aborted' });
    expect(d.notes).toEqual([
      expect.objectContaining({ title: 'Scan aborted', message: expect.stringMatching(/matching scanner route/) }),
    ]);
  });

  it('stops a running scan: canceled', async () => {
    const scan = await createScan();
    await call('POST', `/scans/${String(scan.id)}/launch`, {});
    expect((await call('POST', `/scans/${String(scan.id)}/stop`)).status).toBe(200);
    expect((await call('GET', `/scans/${String(scan.id)}/latest-status`)).json).toEqual({ status: 'canceled' });
    expect((await call('POST', `/scans/${String(scan.id)}/stop`)).status).toBe(409);
  });

  it('checks X-ApiKeys, the scans permission, logs requests and forgets scans on reset', async () => {
    expect((await call('GET', '/scans', undefined, {})).status).toBe(401);
    sim.configure({ permissions: { deny: ['scans'] } });
    expect((await call('GET', '/scans')).json).toEqual({
      statusCode: 403,
      error: 'Forbidden',
      message: 'Insufficient scope',
    });
    sim.configure({ permissions: { deny: [] } });
    const scan = await createScan();
    expect(sim.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'GET /scans 401',
      'GET /scans 403',
      'POST /scans 200',
    ]);
    sim.reset();
    expect((await call('GET', `/scans/${String(scan.id)}`)).json).toEqual({ error: 'Scan not found' });
  });
});

describe('exports', () => {
  async function exportFile(id: unknown, body: Rec): Promise<{ file: string; statuses: string[]; download: Answer }> {
    const r = await call('POST', `/scans/${String(id)}/export`, body);
    expect(r.status, r.text).toBe(200);
    const file = String(r.json.file);
    expect(r.json.temp_token).toEqual(expect.any(String));
    const statuses: string[] = [];
    for (let i = 0; i < 100 && statuses[statuses.length - 1] !== 'ready'; i++) {
      const s = await call('GET', `/scans/${String(id)}/export/${file}/status`);
      statuses.push(s.status === 200 ? String(s.json.status) : String(s.status));
      await sleep(20);
    }
    return { file, statuses, download: await call('GET', `/scans/${String(id)}/export/${file}/download`) };
  }

  it('exports csv: request, loading → ready, download of the simulated findings', async () => {
    const scan = await createScan();
    const d = await launchAndWait(scan.id);
    const { file, statuses, download } = await exportFile(scan.id, { format: 'csv' });
    expect(file).toBe(`SSE-${String((d.info as Rec).uuid)}-csv`);
    expect(statuses[0]).toBe('loading');
    expect(statuses[statuses.length - 1]).toBe('ready');
    expect(download.headers.get('content-type')).toBe('application/octet-stream');
    expect(download.headers.get('content-disposition')).toBe('attachment; filename=fleet_demo.csv');
    const lines = download.text.trim().split('\r\n');
    expect(lines[0]).toMatch(/^"Plugin ID","CVE","CVSS v2.0 Base Score","Risk","Host"/);
    const rows = lines.slice(1);
    const total = (d.hosts as Rec[]).reduce((n, h) => n + Number(h.severity), 0);
    expect(rows).toHaveLength(total);
    expect(rows.every((l) => l.includes('[simulated]') && l.includes('not real scan findings'))).toBe(true);
  });

  it('exports the Scan DB only with a password, and html/pdf only with chapters', async () => {
    const scan = await createScan({ enable_plugin_debugging: 'yes' });
    const d = await launchAndWait(scan.id);
    expect((d.vulnerabilities as Rec[]).map((v) => v.plugin_name)).toContain('[simulated] Debugging Log Report');
    const noPassword = await call('POST', `/scans/${String(scan.id)}/export`, { format: 'db' });
    expect(noPassword.status).toBe(400);
    expect(noPassword.json.error).toMatch(/password/);
    expect((await call('POST', `/scans/${String(scan.id)}/export`, { format: 'html' })).status).toBe(400);
    const { download } = await exportFile(scan.id, { format: 'db', password: 'correct horse battery' });
    expect(download.bytes.subarray(0, 26).toString()).toBe('NESSUS-BYOL-SIMULATED-DB-1');
    expect(download.bytes.includes('correct horse battery')).toBe(false);
    expect(download.bytes.includes('10.0.1.10')).toBe(false);
    const html = await exportFile(scan.id, { format: 'html', chapters: 'vuln_by_host' });
    expect(html.download.text).toMatch(/Simulated by the nessus-byol Tenable simulator/);
    const nessus = await exportFile(scan.id, { format: 'nessus' });
    expect(nessus.download.text).toMatch(/<NessusClientData_v2>.*<ReportHost name="10.0.1.10">/);
  });

  it('refuses to export a running scan and answers 404 for unknown files', async () => {
    const scan = await createScan();
    await call('POST', `/scans/${String(scan.id)}/launch`, {});
    expect((await call('POST', `/scans/${String(scan.id)}/export`, { format: 'csv' })).status).toBe(409);
    expect((await call('GET', `/scans/${String(scan.id)}/export/SSE-nope-csv/status`)).json).toEqual({
      error: 'The requested file was not found',
    });
  });
});

describe('cloud audit', () => {
  const awsCredential = async () =>
    String(
      (
        await call('POST', '/credentials', {
          name: 'nessus-byol-audit',
          type: 'Amazon AWS',
          settings: { access_key_id: 'AKIAEXAMPLE', secret_key: 'hush' },
        })
      ).json.uuid,
    );

  it('reports compliance results with the failed 1.14 access key rotation check', async () => {
    const uuid = await awsCredential();
    const r = await call('POST', '/scans', {
      uuid: CLOUD_AUDIT,
      settings: { name: 'aws audit', scanner_id: DEFAULT_SCANNER_UUID },
      credentials: { add: { 'Cloud Services': { 'Amazon AWS': [{ id: uuid }] } } },
      audits: { feed: { add: [{ id: CIS_150, variables: {} }] } },
    });
    expect(r.status, r.text).toBe(200);
    const d = await launchAndWait((r.json.scan as Rec).id);
    expect(d.info).toMatchObject({
      status: 'completed',
      policy: 'Audit Cloud Infrastructure',
      scanner_name: 'US Cloud Scanner',
    });
    expect((d.hosts as Rec[]).map((h) => h.hostname)).toEqual(['127.0.0.1']);
    const compliance = d.compliance as Rec[];
    const bySeverity = (s: number) => compliance.filter((c) => c.severity === s);
    expect(bySeverity(3).map((c) => c.plugin_name)).toContain(
      '1.14 Ensure access keys are rotated every 90 days or less [simulated]',
    );
    expect(bySeverity(0).length).toBeGreaterThan(0);
    expect(bySeverity(2).length).toBeGreaterThan(0);
    expect(compliance.every((c) => c.plugin_family === 'Amazon AWS Compliance Checks')).toBe(true);
    expect(d.comphosts as Rec[]).toEqual([
      expect.objectContaining({ hostname: '127.0.0.1', high: bySeverity(3).length }),
    ]);
    // The AWS account asset's host details carry the same checks under `compliance`.
    const asset = (d.hosts as Rec[])[0] as Rec;
    const hd = (await call('GET', `/scans/${String((r.json.scan as Rec).id)}/hosts/${String(asset.host_id)}`)).json;
    expect(hd.info).toMatchObject({ 'host-ip': '127.0.0.1' });
    expect((hd.compliance as Rec[]).map((c) => [c.plugin_id, c.plugin_name, c.severity]).sort()).toEqual(
      compliance.map((c) => [c.plugin_id, c.plugin_name, c.severity]).sort(),
    );
  });

  it('refuses unknown credentials and audits, allows only one AWS credential, aborts without one', async () => {
    const uuid = await awsCredential();
    const base = { uuid: CLOUD_AUDIT, settings: { name: 'aws audit' } };
    expect(
      (
        await call('POST', '/scans', {
          ...base,
          credentials: { add: { 'Cloud Services': { 'Amazon AWS': [{ id: 'nope' }] } } },
        })
      ).status,
    ).toBe(400);
    expect((await call('POST', '/scans', { ...base, audits: { feed: { add: [{ id: 'nope.audit' }] } } })).status).toBe(
      400,
    );
    const created = (
      await call('POST', '/scans', {
        ...base,
        credentials: { add: { 'Cloud Services': { 'Amazon AWS': [{ id: uuid }] } } },
      })
    ).json.scan as Rec;
    const second = await awsCredential();
    const edit = await call('PUT', `/scans/${String(created.id)}`, {
      credentials: { add: { 'Cloud Services': { 'Amazon AWS': [{ id: second }] } } },
    });
    expect(edit.json.error).toMatch(/at most 1 Amazon AWS credential/);
    expect((await call('PUT', `/scans/${String(created.id)}`, { credentials: { edit: { [uuid]: {} } } })).status).toBe(
      200,
    );
    const bare = (await call('POST', '/scans', base)).json.scan as Rec;
    const d = await launchAndWait(bare.id);
    expect(d.info).toMatchObject({ status: 'aborted' });
    expect(JSON.stringify(d.notes)).toMatch(/No Amazon AWS credentials/);
  });
});

describe('fault rows', () => {
  it('scan-aborted: the run ends aborted with the reason in its notes', async () => {
    await control('/_sim/faults', { rules: [{ row: 'scan-aborted', reason: 'Scanner lost its connection.' }] });
    const scan = await createScan();
    await call('POST', `/scans/${String(scan.id)}/launch`, {});
    expect(await waitFinal(scan.id)).toEqual(['pending', 'running', 'aborted']);
    const d = (await call('GET', `/scans/${String(scan.id)}`)).json;
    expect(d.info).toMatchObject({ status: 'aborted' });
    expect(d.notes).toEqual([{ title: 'Scan aborted', message: 'Scanner lost its connection.', severity: 2 }]);
    expect(d.hosts).toEqual([]);
    // One launch only: the next run completes.
    expect(((await launchAndWait(scan.id)).info as Rec).status).toBe('completed');
  });

  it('scan-aborted also through setFaults in-process', async () => {
    sim.setFaults([{ row: 'scan-aborted' }]);
    const scan = await createScan();
    expect(((await launchAndWait(scan.id)).info as Rec).status).toBe('aborted');
  });

  it('scan-export-404: the export status answers 404 N times, then loading/ready', async () => {
    const scan = await createScan();
    await launchAndWait(scan.id);
    await control('/_sim/faults', { rules: [{ row: 'scan-export-404', times: 2 }] });
    const file = String((await call('POST', `/scans/${String(scan.id)}/export`, { format: 'nessus' })).json.file);
    const first = await call('GET', `/scans/${String(scan.id)}/export/${file}/status`);
    expect(first).toMatchObject({ status: 404, json: { error: 'The requested file was not found' } });
    expect((await call('GET', `/scans/${String(scan.id)}/export/${file}/status`)).status).toBe(404);
    await sleep(150);
    expect((await call('GET', `/scans/${String(scan.id)}/export/${file}/status`)).json).toEqual({ status: 'ready' });
  });

  it('scan-status-429: latest-status answers 429 with retry-after and an HTML body N times', async () => {
    const scan = await createScan();
    await control('/_sim/faults', { rules: [{ row: 'scan-status-429', times: 2, retryAfter: 3, scanId: scan.id }] });
    for (let i = 0; i < 2; i++) {
      const r = await call('GET', `/scans/${String(scan.id)}/latest-status`);
      expect(r.status).toBe(429);
      expect(r.headers.get('retry-after')).toBe('3');
      expect(r.text).toMatch(/<title>429 Too Many Requests<\/title>/);
    }
    expect((await call('GET', `/scans/${String(scan.id)}/latest-status`)).json).toEqual({ status: 'empty' });
    expect(sim.requests.filter((r) => r.path.endsWith('/latest-status')).map((r) => r.status)).toEqual([429, 429, 200]);
  });
});
