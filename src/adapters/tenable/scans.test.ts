import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Secret } from '../../core/secret.js';
import { createRequest } from './request.js';
import { parseScanDetails, parseTemplateDetails, parseTemplates } from './scans-parse.js';
import { tenableScans } from './scans.js';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../../test/fixtures/tenable/${name}`, import.meta.url), 'utf8'));

interface Call {
  method: string;
  path: string;
  body: unknown;
}

/** A fetch that answers from a queue and records what was sent. */
function fakeApi(answers: Array<{ status?: number; body?: unknown; raw?: Uint8Array; headers?: Record<string, string> }>) {
  const calls: Call[] = [];
  const fetchImpl = (async (url: string | URL, init?: RequestInit) => {
    const u = new URL(String(url));
    calls.push({ method: init?.method ?? 'GET', path: u.pathname + u.search, body: init?.body ? JSON.parse(String(init.body)) : undefined });
    const a = answers.shift() ?? { body: {} };
    const payload = a.raw ?? (a.body === undefined ? '' : JSON.stringify(a.body));
    return new Response(payload, { status: a.status ?? 200, headers: { 'content-type': a.raw ? 'application/octet-stream' : 'application/json', ...a.headers } });
  }) as typeof fetch;
  const request = createRequest({
    baseUrl: 'https://tenable.example',
    accessKey: new Secret('access-key-value', 'access'),
    secretKey: new Secret('secret-key-value', 'secret'),
    version: '0.0.0',
    fetchImpl,
    sleep: async () => undefined,
    random: () => 0,
  });
  return { scans: tenableScans({ request }), calls };
}

describe('scan parsers (shapes of pyTenable cassettes)', () => {
  it('reads templates, skipping entries without a uuid', () => {
    const t = parseTemplates(fixture('scan-templates.json'));
    expect(t.map((x) => [x.name, x.title])).toEqual([
      ['discovery', 'Host Discovery'],
      ['basic', 'Basic Network Scan'],
      ['cloud_audit', 'Audit Cloud Infrastructure'],
    ]);
  });

  it('reads scan details leniently: string counts, null counts, bad severities and id-less hosts', () => {
    const d = parseScanDetails(fixture('scan-details.json'));
    expect(d.info).toMatchObject({ status: 'completed', hostCount: 3, scannerName: 'nessus-byol-prod-1', scanStartMs: 1666343947000 });
    expect(d.hosts.map((h) => [h.hostId, h.hostname, h.critical, h.info])).toEqual([
      [1, '10.0.1.16', 0, 40],
      [2, '10.0.1.69', 6, 97],
      [3, '10.0.1.31', 0, 10],
    ]);
    expect(d.vulnerabilities.map((v) => [v.pluginId, v.severity])).toEqual([
      [11219, 'info'],
      [156164, 'critical'],
      [57582, 'medium'],
      [42873, 'high'],
    ]);
    expect(d.compliance).toEqual([]);
    expect(d.notes).toEqual([]);
  });

  it('reads the scanner options and feed audit files of a template', () => {
    const t = parseTemplateDetails(fixture('scan-template-details.json'));
    expect(t.defaultScannerId).toBe('00000000-0000-0000-0000-00000000000000000000000000001');
    expect(t.scannerOptions.map((o) => [o.name, o.type])).toEqual([
      ['Auto-Select', 'local'],
      ['US Cloud Scanner', 'local'],
      ['nessus-byol-prod-1', 'managed'],
    ]);
    expect(t.audits.map((a) => a.id)).toEqual([
      '72426_CIS_Amazon_Web_Services_Foundations_v1.3.0_L1.audit',
      '72426_CIS_Amazon_Web_Services_Foundations_v1.3.0_L2.audit',
      '72426_CIS_Amazon_Web_Services_Foundations_v1.5.0_L1.audit',
    ]);
  });
});

describe('tenableScans', () => {
  it('creates, reconfigures and launches with the documented bodies', async () => {
    const { scans, calls } = fakeApi([
      { body: { scan: { id: 262, uuid: 'template-5c57', name: 'n', scanner_uuid: 'x' } } },
      { body: { updated: true } },
      { body: { scan_uuid: 'run-1' } },
      { body: { scan_uuid: 'run-2' } },
    ]);
    const doc = { uuid: 'tmpl', settings: { name: 'n', text_targets: '10.0.0.1', scanner_id: 'sc-uuid', folder_id: 7 } };
    expect(await scans.create(doc)).toEqual({ id: 262, uuid: 'template-5c57', name: 'n' });
    await scans.update(262, doc);
    expect(await scans.launch(262)).toBe('run-1');
    expect(await scans.launch(262, ['10.0.0.9'])).toBe('run-2');
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual(['POST /scans', 'PUT /scans/262', 'POST /scans/262/launch', 'POST /scans/262/launch']);
    expect(calls[0]!.body).toEqual(doc);
    expect(calls[2]!.body).toEqual({});
    expect(calls[3]!.body).toEqual({ alt_targets: ['10.0.0.9'] });
  });

  it('waits out a 429 on latest-status (Retry-After) in the request layer', async () => {
    const { scans, calls } = fakeApi([{ status: 429, body: undefined, headers: { 'retry-after': '1', 'content-type': 'text/html' } }, { body: { status: 'RUNNING' } }]);
    expect(await scans.latestStatus(5)).toBe('running');
    expect(calls).toHaveLength(2);
  });

  it('sends chapters only for html/pdf and a password only for db; downloads raw bytes', async () => {
    const bytes = new Uint8Array([0, 159, 146, 150, 255]);
    const { scans, calls } = fakeApi([
      { body: { file: 'SSE-1-pdf' } },
      { body: { file: 'SSE-2-csv' } },
      { body: { file: 'SSE-3-db' } },
      { body: { status: 'ready' } },
      { raw: bytes },
    ]);
    await scans.requestExport(9, { format: 'pdf' });
    await scans.requestExport(9, { format: 'csv', chapters: ['ignored'] });
    await scans.requestExport(9, { format: 'db', password: new Secret('pw-value-123', 'db password') });
    expect(await scans.exportStatus(9, 'SSE-3-db')).toBe('ready');
    expect(await scans.download(9, 'SSE-3-db')).toEqual(bytes);
    expect(calls.map((c) => c.body)).toEqual([{ format: 'pdf', chapters: 'vuln_by_host' }, { format: 'csv' }, { format: 'db', password: 'pw-value-123' }, undefined, undefined]);
    expect(calls.map((c) => c.path).slice(3)).toEqual(['/scans/9/export/SSE-3-db/status', '/scans/9/export/SSE-3-db/download']);
  });
});
