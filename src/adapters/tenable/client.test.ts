import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TenableError } from '../../core/errors.js';
import { Secret } from '../../core/secret.js';
import { startTenableSimulator, type TenableSimulator } from '../../sandbox/tenable-simulator.js';
import { createTenableClient, DEFAULT_CLOUD_SCANNER_UUID, type RetryInfo, type TenableClientOptions } from './client.js';

const ACCESS = 'a'.repeat(24) + 'access0123456789abcdef0123456789abcdef';
const SECRET = 's'.repeat(24) + 'secret0123456789abcdef0123456789abcdef';
const LINKING = 'l'.repeat(24) + 'linking0123456789abcdef0123456789abcde';

let sim: TenableSimulator;
let sleeps: number[];
let retries: RetryInfo[];

function client(overrides: Partial<TenableClientOptions> = {}) {
  return createTenableClient({
    baseUrl: sim.url,
    accessKey: new Secret(ACCESS, 'access key'),
    secretKey: new Secret(SECRET, 'secret key'),
    version: '1.2.3',
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    onRetry: (info) => retries.push(info),
    ...overrides,
  });
}

async function failure(p: Promise<unknown>): Promise<TenableError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof TenableError) return e;
    throw e;
  }
  throw new Error('expected a TenableError');
}

function expectNoKeys(e: TenableError, extra: string[] = []) {
  const text = `${e.message}\n${e.hint ?? ''}\n${JSON.stringify(e.data)}`;
  for (const k of [ACCESS, SECRET, LINKING, ...extra]) expect(text).not.toContain(k);
}

beforeAll(async () => {
  sim = await startTenableSimulator({
    accessKey: ACCESS,
    secretKey: SECRET,
    linkingKey: LINKING,
    pluginLoadDelayMs: 50,
  });
});
afterAll(() => sim.stop());
beforeEach(() => {
  sim.reset();
  sleeps = [];
  retries = [];
});

const gets = (path: string) => sim.requests.filter((r) => r.method === 'GET' && r.path === path);

describe('listScanners', () => {
  it('makes exactly one GET /scanners and parses the default cloud scanner', async () => {
    const scanners = await client().listScanners();
    expect(gets('/scanners')).toHaveLength(1);
    expect(sim.requests).toHaveLength(1);
    const cloud = scanners.find((s) => s.uuid === DEFAULT_CLOUD_SCANNER_UUID);
    expect(cloud).toMatchObject({ name: 'US Cloud Scanner', linked: true, status: 'on' });
    expect(JSON.stringify(scanners)).not.toContain(LINKING);
  });

  it('sends the integration User-Agent Tenable asks for', async () => {
    await client().listScanners();
    expect(sim.requests[0]?.userAgent).toBe('Integration/1.0 (nessus-byol; nessus-byol; Build/1.2.3)');
  });
});

describe('retries', () => {
  it('waits the retry-after seconds of a 429 (HTML body) and then succeeds', async () => {
    sim.setFaults([{ pathPrefix: '/scanners', status: 429, retryAfter: 2, times: 1 }]);
    const scanners = await client().listScanners();
    expect(scanners.length).toBeGreaterThan(0);
    expect(sleeps).toEqual([2000]);
    expect(retries).toEqual([{ attempt: 1, status: 429, reason: 'HTTP 429', delayMs: 2000 }]);
    expect(gets('/scanners').map((r) => r.status)).toEqual([429, 200]);
  });

  it('backs off with jitter after a 503 and then succeeds', async () => {
    sim.setFaults([{ pathPrefix: '/scanners', status: 503, times: 2 }]);
    await client().listScanners();
    // random 0.5 × 1 s, then 0.5 × 2 s
    expect(sleeps).toEqual([500, 1000]);
    expect(gets('/scanners').map((r) => r.status)).toEqual([503, 503, 200]);
  });

  it('retries a dropped connection', async () => {
    sim.setFaults([{ pathPrefix: '/scanners', action: 'drop', times: 1 }]);
    await client().listScanners();
    expect(retries).toHaveLength(1);
    expect(retries[0]?.status).toBeUndefined();
    expect(gets('/scanners')).toHaveLength(2);
  });

  it('retries a request that timed out', async () => {
    sim.setFaults([{ pathPrefix: '/scanners', delayMs: 400, times: 1 }]);
    await client({ timeoutMs: 100 }).listScanners();
    expect(retries.map((r) => r.reason)).toEqual(['timed out']);
  });

  it('gives up as UNREACHABLE after maxRetries dropped connections', async () => {
    sim.setFaults([{ pathPrefix: '/scanners', action: 'drop', times: 10 }]);
    const e = await failure(client({ maxRetries: 2 }).listScanners());
    expect(e.code).toBe('TENABLE_UNREACHABLE');
    expect(e.hint).toMatch(/TIO_URL/);
    expect(gets('/scanners')).toHaveLength(3);
    expectNoKeys(e);
  });

  it('is UNREACHABLE when nothing listens', async () => {
    const gone = await startTenableSimulator({ accessKey: ACCESS, secretKey: SECRET, linkingKey: LINKING });
    await gone.stop();
    const e = await failure(client({ baseUrl: gone.url, maxRetries: 1 }).listScanners());
    expect(e.code).toBe('TENABLE_UNREACHABLE');
    expect(e.message).toContain(gone.url);
    expect(e.message).toContain('ECONNREFUSED');
  });

  it('reports a persistent 429 without quoting the HTML page', async () => {
    sim.setFaults([{ pathPrefix: '/scanners', status: 429, retryAfter: 1, times: 10 }]);
    const e = await failure(client({ maxRetries: 2 }).listScanners());
    expect(e.code).toBe('TENABLE_HTTP_429');
    expect(e.message).not.toMatch(/<html|nginx/);
    expect(sleeps).toEqual([1000, 1000]);
  });
});

describe('error mapping', () => {
  it('401 names the env vars to check and never the keys', async () => {
    const e = await failure(client({ secretKey: new Secret(`${SECRET}x`) }).listScanners());
    expect(e.code).toBe('TENABLE_UNAUTHORIZED');
    expect(e.status).toBe(401);
    expect(e.message).toContain('Invalid Credentials');
    expect(e.hint).toMatch(/TIO_ACCESS_KEY.*TIO_SECRET_KEY/);
    expect(e.hint).toContain('TIO_URL');
    expectNoKeys(e, [`${SECRET}x`]);
    expect(retries).toEqual([]);
  });

  it('403 on the linking key names the permission and quotes Tenable', async () => {
    sim.configure({ permissions: { deny: ['linking-key'] } });
    const e = await failure(client().getLinkingKey());
    expect(e.code).toBe('TENABLE_FORBIDDEN');
    expect(e.message).toContain('Insufficient scope');
    expect(e.message).toContain('reading the linking key needs the Scan Manager role');
    expect(e.message).toContain("'linking key' read permission");
    expectNoKeys(e);
  });

  it("404 is NOT_FOUND with Tenable's message", async () => {
    const e = await failure(client().getScanner(1));
    expect(e.code).toBe('TENABLE_NOT_FOUND');
    expect(e.message).toContain('Scanner with id 1 not found.');
  });

  it('keeps secrets sent in a request body out of errors', async () => {
    sim.configure({ permissions: { deny: ['credentials'] } });
    const awsSecret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const e = await failure(
      client().createCredential({
        name: 'audit',
        type: 'Amazon AWS',
        settings: { access_key_id: 'AKIAEXAMPLE', secret_key: new Secret(awsSecret) },
      }),
    );
    expect(e.code).toBe('TENABLE_FORBIDDEN');
    expectNoKeys(e, [awsSecret]);
  });
});

describe('scanners', () => {
  it('reads the linking key as a Secret', async () => {
    const key = await client().getLinkingKey();
    expect(key).toBeInstanceOf(Secret);
    expect(key.reveal()).toBe(LINKING);
    expect(String(key)).not.toContain(LINKING);
    expect(gets(`/scanners/${DEFAULT_CLOUD_SCANNER_UUID}/key`)).toHaveLength(1);
  });

  it('gets one scanner by id or uuid', async () => {
    const [planted] = sim.plantScanners([{ name: 'nessus-byol-1' }]);
    const c = client();
    const byId = await c.getScanner(Number(planted?.id));
    const byUuid = await c.getScanner(String(planted?.uuid));
    expect(byId).toEqual(byUuid);
    expect(byId.name).toBe('nessus-byol-1');
  });

  it('deleteScanner answers deleted, then gone on 404', async () => {
    const [planted] = sim.plantScanners([{ name: 'stale', status: 'off', linked: 0 }]);
    const c = client();
    expect(await c.deleteScanner(Number(planted?.id))).toBe('deleted');
    expect(await c.deleteScanner(Number(planted?.id))).toBe('gone');
  });

  it('toggles the link', async () => {
    const [planted] = sim.plantScanners([{ name: 'x' }]);
    const c = client();
    await c.setScannerLinked(Number(planted?.id), false);
    expect((await c.getScanner(Number(planted?.id))).linked).toBe(false);
  });
});

describe('scanner groups', () => {
  it('creates a group, adds, lists and removes a scanner, deletes the group', async () => {
    const c = client();
    const [planted] = sim.plantScanners([{ name: 'nessus-byol-1' }]);
    const sid = Number(planted?.id);
    const group = await c.createScannerGroup('nessus-byol-prod');
    expect(group).toMatchObject({ name: 'nessus-byol-prod', type: 'load_balancing' });
    await c.addScannerToGroup(group.id, sid);
    expect((await c.listGroupScanners(group.id)).map((s) => s.id)).toEqual([sid]);
    expect(await c.listScannerGroups()).toEqual([{ ...group, scannerCount: 1 }]);
    expect(await c.removeScannerFromGroup(group.id, sid)).toBe('removed');
    expect(await c.removeScannerFromGroup(group.id, sid)).toBe('gone');
    expect(await c.deleteScannerGroup(group.id)).toBe('deleted');
    expect(await c.listScannerGroups()).toEqual([]);
  });
});

describe('credentials', () => {
  it('creates, reads (masked), lists, updates and deletes', async () => {
    const c = client();
    const awsSecret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const uuid = await c.createCredential({
      name: 'nessus-byol audit',
      type: 'Amazon AWS',
      settings: { access_key_id: 'AKIAEXAMPLE', secret_key: new Secret(awsSecret) },
    });
    expect(sim.state.credentials.get(uuid)?.settings.secret_key).toBe(awsSecret);

    const read = await c.getCredential(uuid);
    expect(read).toMatchObject({ name: 'nessus-byol audit', type: 'Amazon AWS' });
    expect(read.settings).toEqual({ access_key_id: '********', secret_key: '********' });

    expect(await c.listCredentials()).toEqual([expect.objectContaining({ uuid, name: 'nessus-byol audit', type: 'Amazon AWS' })]);

    expect(
      await c.updateCredential(uuid, {
        settings: { access_key_id: 'AKIANEW', secret_key: new Secret('rotated-secret-value') },
      }),
    ).toBe(true);
    expect(sim.state.credentials.get(uuid)?.settings).toEqual({
      access_key_id: 'AKIANEW',
      secret_key: 'rotated-secret-value',
    });

    expect(await c.deleteCredential(uuid)).toBe('deleted');
    expect(await c.deleteCredential(uuid)).toBe('gone');
  });
});
