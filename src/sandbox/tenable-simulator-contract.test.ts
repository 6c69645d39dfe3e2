import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  contractProblems,
  errorShape,
  groupMembersShape,
  linkingKeyShape,
  scannerDetailsShape,
  scannerEditAnswerShape,
  scannerGroupCreatedShape,
  scannerGroupListShape,
  scannerListShape,
} from '../adapters/tenable/contract.test-helper.js';
import { DEFAULT_SCANNER_UUID, startTenableSimulator, type TenableSimulator } from './tenable-simulator.js';

/**
 * The simulator's answers, read over HTTP as a client sees them, pass the same recorded-shape
 * contract as test/fixtures/tenable (src/adapters/tenable/contract.test.ts): simulator and fixtures
 * cannot drift apart, and neither can drift from pyTenable's recordings.
 */
const ACCESS = 'sim-access-key-0123456789abcdef';
const SECRET = 'sim-secret-key-0123456789abcdef';
const LINKING = 'f00d'.repeat(16);
const AUTH = { 'X-ApiKeys': `accessKey=${ACCESS}; secretKey=${SECRET}` };

let sim: TenableSimulator;

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; text: string; json: unknown }> {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: { ...AUTH, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, text, json: text ? (JSON.parse(text) as unknown) : undefined };
}

const expectShape = (shape: Parameters<typeof contractProblems>[0], body: unknown) => expect(contractProblems(shape, body)).toEqual([]);

let scannerId: number;
let groupId: number;

beforeAll(async () => {
  sim = await startTenableSimulator({ accessKey: ACCESS, secretKey: SECRET, linkingKey: LINKING, pluginLoadDelayMs: 50 });
  // A scanner links the way the sandbox's nessuscli does, with --aws-scanner, and loads its plugins.
  const linked = await fetch(`${sim.url}/_sim/link`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ key: LINKING, name: 'prod-i-0abc', hostname: 'ip-10-0-1-23.ec2.internal', cloud: true, awsScanner: true }),
  });
  scannerId = ((await linked.json()) as { scanner_id: number }).scanner_id;
  // One not linked yet (a stale record planted as tests do).
  sim.plantScanners([{ name: 'stale', linked: 0, status: 'off' }]);
  const created = await call('POST', '/scanner-groups', { type: 'load_balancing', name: 'nessus-byol-prod' });
  groupId = (created.json as { id: number }).id;
  expectShape(scannerGroupCreatedShape, created.json);
  expect((await call('POST', `/scanner-groups/${groupId}/scanners/${scannerId}`)).text).toBe('');
  await new Promise((r) => setTimeout(r, 120)); // plugins loaded
});
afterAll(() => sim.stop());

describe('the simulator answers in the recorded shapes', () => {
  it('GET /scanners: cloud scanners (local), the group pool and managed scanners, before and after plugins load', async () => {
    const r = await call('GET', '/scanners');
    expectShape(scannerListShape, r.json);
    const types = (r.json as { scanners: Array<{ type: string }> }).scanners.map((s) => s.type);
    expect(new Set(types)).toEqual(new Set(['local', 'pool', 'managed']));
  });

  it('GET /scanners/{id} and GET /scanners/{uuid}', async () => {
    const byId = await call('GET', `/scanners/${scannerId}`);
    expectShape(scannerDetailsShape, byId.json);
    expect((byId.json as { loaded_plugin_set?: string }).loaded_plugin_set).toMatch(/^\d{12}$/);
    const uuid = (byId.json as { uuid: string }).uuid;
    expectShape(scannerDetailsShape, (await call('GET', `/scanners/${uuid}`)).json);
  });

  it('the linking key', async () => {
    const r = await call('GET', `/scanners/${DEFAULT_SCANNER_UUID}/key`);
    expectShape(linkingKeyShape, r.json);
  });

  it('scanner groups and their members', async () => {
    expectShape(scannerGroupListShape, (await call('GET', '/scanner-groups')).json);
    const members = await call('GET', `/scanner-groups/${groupId}/scanners`);
    expectShape(groupMembersShape, members.json);
    expect((members.json as { scanners: unknown[] }).scanners).toHaveLength(1);
  });

  it('PUT /scanners/{id} (milliseconds) and PUT /scanners/{id}/link (empty body)', async () => {
    expectShape(scannerEditAnswerShape, (await call('PUT', `/scanners/${scannerId}`, { force_plugin_update: 1 })).json);
    const link = await call('PUT', `/scanners/${scannerId}/link`, { link: 1 });
    expect(link).toMatchObject({ status: 200, text: '' });
  });

  it('errors', async () => {
    const missing = await call('DELETE', '/scanners/1');
    expect(missing.status).toBe(404);
    expectShape(errorShape, missing.json);
    sim.configure({ permissions: { deny: ['scanners:read'] } });
    try {
      const denied = await call('GET', '/scanners');
      expect(denied.status).toBe(403);
      expectShape(errorShape, denied.json);
    } finally {
      sim.configure({ permissions: { deny: [] } });
    }
  });
});
