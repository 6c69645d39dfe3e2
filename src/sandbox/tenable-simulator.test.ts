import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SCANNER_UUID, startTenableSimulator, type TenableSimulator } from './tenable-simulator.js';

const ACCESS = 'sim-access-key-0123456789abcdef';
const SECRET = 'sim-secret-key-0123456789abcdef';
const LINKING = 'f00d'.repeat(16);
const AUTH = { 'X-ApiKeys': `accessKey=${ACCESS}; secretKey=${SECRET}` };

let sim: TenableSimulator;

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = AUTH): Promise<Answer> {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

type Rec = Record<string, unknown>;
const scanners = async () => ((await call('GET', '/scanners')).json as { scanners: Rec[] }).scanners;
const byName = async (name: string) => (await scanners()).filter((s) => s.name === name);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  sim = await startTenableSimulator({
    accessKey: ACCESS,
    secretKey: SECRET,
    linkingKey: LINKING,
    pluginLoadDelayMs: 150,
  });
});
afterAll(() => sim.stop());
beforeEach(() => sim.reset());

describe('auth and errors', () => {
  it('answers 401 JSON without or with wrong X-ApiKeys', async () => {
    const expected = { statusCode: 401, error: 'Unauthorized', message: 'Invalid Credentials' };
    expect((await call('GET', '/scanners', undefined, {})).json).toEqual(expected);
    const wrong = await call('GET', '/scanners', undefined, { 'X-ApiKeys': `accessKey=${ACCESS}; secretKey=nope` });
    expect(wrong.status).toBe(401);
    expect(wrong.json).toEqual(expected);
  });

  it('accepts the header with other spacing', async () => {
    const r = await call('GET', '/scanners', undefined, { 'x-apikeys': `accessKey=${ACCESS};secretKey=${SECRET}` });
    expect(r.status).toBe(200);
  });

  it("answers 404 in Tenable's error shape", async () => {
    const r = await call('GET', '/scanners/1');
    expect(r.status).toBe(404);
    expect(r.json).toEqual({ statusCode: 404, error: 'Not Found', message: 'Scanner with id 1 not found.' });
    expect(r.headers.get('content-type')).toContain('application/json');
  });

  it('answers 403 Insufficient scope for a denied permission', async () => {
    sim.configure({ permissions: { deny: ['linking-key'] } });
    const r = await call('GET', `/scanners/${DEFAULT_SCANNER_UUID}/key`);
    expect(r.json).toEqual({ statusCode: 403, error: 'Forbidden', message: 'Insufficient scope' });
    expect((await call('GET', '/scanners')).status).toBe(200);
  });
});

describe('scanners', () => {
  it('lists the default cloud scanner the way TVM does, and serves the linking key', async () => {
    const cloud = (await scanners()).find((s) => s.uuid === DEFAULT_SCANNER_UUID);
    expect(cloud).toMatchObject({
      name: 'US Cloud Scanner',
      type: 'local',
      linked: 1,
      status: 'on',
      last_connect: null,
      pool: true,
    });
    expect((await call('GET', `/scanners/${DEFAULT_SCANNER_UUID}/key`)).json).toEqual({ key: LINKING });
  });

  it('answers PUT /scanners/{id} with last_connect in milliseconds', async () => {
    const [planted] = sim.plantScanners([{ name: 'x' }]);
    const r = await call('PUT', `/scanners/${String(planted?.id)}`, { force_plugin_update: 1 });
    const answer = r.json as Rec;
    expect(answer.last_connect).toBe(Number(planted?.last_connect) * 1000);
    expect(answer.force_plugin_update).toBe(1);
  });

  it('deletes with 200 {} then 404', async () => {
    const [planted] = sim.plantScanners([{ name: 'stale', status: 'off', linked: 0 }]);
    const path = `/scanners/${String(planted?.id)}`;
    expect(await call('DELETE', path)).toMatchObject({ status: 200, json: {} });
    expect((await call('DELETE', path)).status).toBe(404);
  });

  it('toggles the link with an empty 200', async () => {
    const [planted] = sim.plantScanners([{ name: 'x' }]);
    const r = await call('PUT', `/scanners/${String(planted?.id)}/link`, { link: 0 });
    expect(r).toMatchObject({ status: 200, text: '' });
    expect((await byName('x'))[0]).toMatchObject({ linked: 0, status: 'off' });
  });

  it('records every API request but not /_sim ones', async () => {
    await call('GET', '/scanners');
    await call('GET', '/nope');
    await call('GET', '/_sim/requests');
    expect(sim.requests.map((r) => [r.method, r.path, r.status])).toEqual([
      ['GET', '/scanners', 200],
      ['GET', '/nope', 404],
    ]);
    expect((await call('GET', '/_sim/requests')).json).toHaveLength(2);
  });
});

describe('linking (the nessuscli stand-in)', () => {
  const link = (body: Rec) => call('POST', '/_sim/link', body, {});

  it('refuses a wrong key like nessuscli would fail', async () => {
    const r = await link({ key: 'wrong', name: 'nessus-byol-1', cloud: true });
    expect(r).toMatchObject({ status: 401, json: { error: 'Invalid linking key' } });
    expect(await byName('nessus-byol-1')).toEqual([]);
    expect(sim.state.linkCalls.at(-1)?.outcome).toBe('bad-key');
  });

  it('links with the right key: linked 1, on, and plugins appear after the delay', async () => {
    const r = await link({
      key: LINKING,
      name: 'nessus-byol-1',
      cloud: true,
      argv: ['managed', 'link', `--key=${LINKING}`, '--cloud'],
    });
    expect(r.status).toBe(200);
    const { scanner_id, uuid } = r.json as { scanner_id: number; uuid: string };

    const [fresh] = await byName('nessus-byol-1');
    expect(fresh).toMatchObject({ id: scanner_id, uuid, type: 'managed', linked: 1, status: 'on', ui_build: '20' });
    expect(typeof fresh?.last_connect).toBe('number');
    expect(Number(fresh?.last_connect)).toBeLessThan(1e11);
    expect(fresh).not.toHaveProperty('loaded_plugin_set');

    await sleep(300);
    const [loaded] = await byName('nessus-byol-1');
    expect(loaded?.loaded_plugin_set).toMatch(/^\d{12}$/);

    expect(sim.state.linkCalls.at(-1)).toMatchObject({ outcome: 'linked', cloud: true, scannerId: scanner_id });
    expect(JSON.stringify(sim.state.linkCalls)).not.toContain(LINKING);
  });

  it('answers the same record while the name is linked, and a new one after it was removed', async () => {
    const first = (await link({ key: LINKING, name: 'n1' })).json as Rec;
    const again = (await link({ key: LINKING, name: 'n1' })).json as Rec;
    expect(again.scanner_id).toBe(first.scanner_id);
    await call('DELETE', `/scanners/${String(first.scanner_id)}`);
    const relinked = (await link({ key: LINKING, name: 'n1' })).json as Rec;
    expect(relinked.scanner_id).not.toBe(first.scanner_id);
    expect(await byName('n1')).toHaveLength(1);
  });

  it('names an unnamed scanner after its hostname', async () => {
    await link({ key: LINKING, name: '', cloud: true });
    expect(await byName('localhost.localdomain')).toHaveLength(1);
  });

  it('can refuse linking, or never load plugins', async () => {
    await call('POST', '/_sim/config', { refuseLinking: true }, {});
    expect((await link({ key: LINKING, name: 'r' })).status).toBe(403);
    await call('POST', '/_sim/config', { refuseLinking: false, neverLoadPlugins: true, pluginLoadDelayMs: 10 }, {});
    expect((await link({ key: LINKING, name: 'r' })).status).toBe(200);
    await sleep(100);
    expect((await byName('r'))[0]).not.toHaveProperty('loaded_plugin_set');
  });

  it('plants stale records through /_sim/scanners', async () => {
    const r = await call('POST', '/_sim/scanners', { scanners: [{ name: 'old', status: 'off', linked: 0, last_connect: 1700000000 }] }, {});
    expect(r.status).toBe(200);
    expect((await byName('old'))[0]).toMatchObject({
      status: 'off',
      linked: 0,
      last_connect: 1700000000,
      type: 'managed',
    });
  });
});

describe('faults', () => {
  it('injects a 429 with retry-after and the nginx HTML page, once', async () => {
    await call('POST', '/_sim/faults', { rules: [{ pathPrefix: '/scanners', status: 429, retryAfter: 3, times: 1 }] }, {});
    const limited = await call('GET', '/scanners');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    expect(limited.headers.get('content-type')).toBe('text/html');
    expect(limited.text).toContain('<center>nginx</center>');
    expect((await call('GET', '/scanners')).status).toBe(200);
  });

  it('matches the method and injects 503s', async () => {
    sim.setFaults([{ method: 'DELETE', pathPrefix: '/scanners', status: 503, times: 5 }]);
    expect((await call('GET', '/scanners')).status).toBe(200);
    expect((await call('DELETE', '/scanners/1')).status).toBe(503);
  });

  it('drops the connection', async () => {
    sim.setFaults([{ pathPrefix: '/scanners', action: 'drop' }]);
    await expect(call('GET', '/scanners')).rejects.toThrow(TypeError);
    expect(sim.requests.at(-1)?.status).toBe(0);
  });

  it('slows an answer down', async () => {
    sim.setFaults([{ pathPrefix: '/scanners', delayMs: 200 }]);
    const t0 = Date.now();
    expect((await call('GET', '/scanners')).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
  });
});

describe('scanner groups', () => {
  it('creates a group that also shows up as a pool scanner, with members', async () => {
    const created = (await call('POST', '/scanner-groups', { type: 'load_balancing', name: 'g1' })).json as Rec;
    expect(created).toMatchObject({ name: 'g1', type: 'load_balancing' });
    expect((await byName('g1'))[0]).toMatchObject({ type: 'pool', group: true });
    const [s] = sim.plantScanners([{ name: 'm' }]);
    expect((await call('POST', `/scanner-groups/${String(created.id)}/scanners/${String(s?.id)}`)).text).toBe('');
    const members = (await call('GET', `/scanner-groups/${String(created.id)}/scanners`)).json as { scanners: Rec[] };
    expect(members.scanners.map((m) => m.name)).toEqual(['m']);
    expect((await call('POST', '/scanner-groups/1/scanners/1')).json).toMatchObject({
      message: 'ScannerGroup with id 1 not found.',
    });
  });
});

describe('credentials', () => {
  it('stores settings but answers the secret masked; the mask on PUT keeps the stored value', async () => {
    const settings = { access_key_id: 'AKIAEXAMPLE', secret_key: 'very-secret-value' };
    const { uuid } = (await call('POST', '/credentials', { name: 'c', type: 'Amazon AWS', description: '', settings })).json as {
      uuid: string;
    };
    const read = (await call('GET', `/credentials/${uuid}`)).json as Rec;
    expect(read).toMatchObject({ name: 'c', type: { id: 'Amazon AWS', name: 'Amazon AWS' } });
    // Both are `password` fields of "Amazon AWS": masked on read, like TVM.
    expect(read.settings).toEqual({ access_key_id: '********', secret_key: '********' });
    expect(read).not.toHaveProperty('uuid');
    expect((await call('PUT', `/credentials/${uuid}`, { settings: { secret_key: '********', access_key_id: 'AKIA2' } })).json).toEqual({
      updated: true,
    });
    expect(sim.state.credentials.get(uuid)?.settings).toEqual({
      access_key_id: 'AKIA2',
      secret_key: 'very-secret-value',
    });
    const list = (await call('GET', '/credentials?limit=50&offset=0')).json as Rec;
    expect(list).toMatchObject({ pagination: { total: 1, limit: 50, offset: 0 } });
    expect((await call('DELETE', `/credentials/${uuid}`)).json).toEqual({ deleted: true });
  });

  it('lists credential types with their password fields, and masks exactly those', async () => {
    const types = (await call('GET', '/credentials/types')).json as {
      credentials: Array<{ id: string; category: string; types: Array<{ id: string; configuration: Array<{ id: string; type: string }> }> }>;
    };
    const aws = types.credentials.flatMap((c) => c.types).find((t) => t.id === 'Amazon AWS');
    expect(aws?.configuration.map((f) => [f.id, f.type])).toEqual([
      ['access_key_id', 'password'],
      ['secret_key', 'password'],
    ]);
    const settings = { auth_method: 'password', username: 'root', password: 'hunter2', custom_password_prompt: '' };
    const { uuid } = (await call('POST', '/credentials', { name: 's', type: 'SSH', settings })).json as { uuid: string };
    expect(((await call('GET', `/credentials/${uuid}`)).json as Rec).settings).toEqual({ ...settings, password: '********' });
  });
});

describe('exports', () => {
  it('exports the planted findings in chunks, honouring severity and state filters', async () => {
    const finding = (n: number, severity: string, state: string) => ({
      asset: { uuid: `asset-${n}` },
      plugin: { id: 10000 + n, name: `p${n}` },
      severity,
      state,
      first_found: '2026-01-01T00:00:00Z',
      last_found: '2026-01-02T00:00:00Z',
    });
    await call(
      'POST',
      '/_sim/findings',
      { vulns: [finding(1, 'high', 'OPEN'), finding(2, 'info', 'OPEN'), finding(3, 'critical', 'FIXED')] },
      {},
    );
    const { export_uuid } = (
      await call('POST', '/vulns/export', {
        num_assets: 50,
        filters: { severity: ['high', 'critical'], state: ['open'] },
      })
    ).json as { export_uuid: string };
    const status = (await call('GET', `/vulns/export/${export_uuid}/status`)).json as Rec;
    expect(status).toMatchObject({ status: 'FINISHED', chunks_available: [1] });
    const chunk = (await call('GET', `/vulns/export/${export_uuid}/chunks/1`)).json as Rec[];
    expect(chunk.map((f) => (f.plugin as Rec).id)).toEqual([10001]);
    expect((await call('GET', `/vulns/export/${export_uuid}/chunks/2`)).status).toBe(404);
  });

  it('exports assets the same way', async () => {
    sim.setFindings([], [{ id: 'a1', aws_ec2_instance_id: 'i-0123' }]);
    const { export_uuid } = (await call('POST', '/assets/export', { chunk_size: 100, filters: {} })).json as {
      export_uuid: string;
    };
    expect((await call('GET', `/assets/export/${export_uuid}/status`)).json).toEqual({
      status: 'FINISHED',
      chunks_available: [1],
    });
    expect((await call('GET', `/assets/export/${export_uuid}/chunks/1`)).json).toEqual([{ id: 'a1', aws_ec2_instance_id: 'i-0123' }]);
  });
});

describe('tenable-simulator-main', () => {
  it('runs as a process, prints {"url"} and stops on SIGTERM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tenable-sim-'));
    try {
      const outfile = join(dir, 'sim.mjs');
      await build({
        entryPoints: [fileURLToPath(new URL('./tenable-simulator-main.ts', import.meta.url))],
        outfile,
        bundle: true,
        format: 'esm',
        platform: 'node',
        target: 'node20.19',
        logLevel: 'silent',
      });
      const child = spawn(process.execPath, [outfile], {
        env: {
          ...process.env,
          SIM_PORT: '0',
          SIM_ACCESS_KEY: ACCESS,
          SIM_SECRET_KEY: SECRET,
          SIM_LINKING_KEY: LINKING,
          SIM_PLUGIN_DELAY_MS: '10',
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      const first = await new Promise<string>((resolve) => createInterface({ input: child.stdout }).once('line', resolve));
      const { url } = JSON.parse(first) as { url: string };
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const r = await fetch(`${url}/scanners/${DEFAULT_SCANNER_UUID}/key`, { headers: AUTH });
      expect(await r.json()).toEqual({ key: LINKING });
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
