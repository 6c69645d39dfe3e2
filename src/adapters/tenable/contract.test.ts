import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Secret } from '../../core/secret.js';
import { createTenableClient } from './client.js';
import {
  contractProblems,
  errorShape,
  groupMembersShape,
  linkingKeyShape,
  managedScannerShape,
  scannerDetailsShape,
  scannerEditAnswerShape,
  scannerGroupCreatedShape,
  scannerGroupListShape,
  scannerListShape,
} from './contract.test-helper.js';
import { parseScannerGroup, parseScannerGroupList } from './scanner-group.js';
import { parseLinkingKey, parseScanner, parseScannerList } from './scanner.js';
import type { z } from 'zod';

/**
 * Contract: our fixtures have the shape of pyTenable's recorded TVM answers (the schemas in
 * contract.test-helper.ts, each naming its cassette), and our client's parsers read them — through
 * the parser functions and through the client itself, replaying the bodies over a fetch stand-in.
 * test/fixtures/tenable/README.md names the cassette and pyTenable commit each fixture follows.
 */

const raw = (name: string) => readFileSync(new URL(`../../../test/fixtures/tenable/${name}`, import.meta.url), 'utf8');
const fixture = (name: string): unknown => JSON.parse(raw(name));

const recorded: Array<[string, z.ZodType]> = [
  ['scanners-list.json', scannerListShape],
  ['scanners-empty.json', scannerListShape],
  ['scanner-details.json', scannerDetailsShape],
  ['scanner-key.json', linkingKeyShape],
  ['scanner-groups.json', scannerGroupListShape],
  ['scanner-group-created.json', scannerGroupCreatedShape],
  ['scanner-group-members.json', groupMembersShape],
  ['scanner-put-answer.json', scannerEditAnswerShape],
  ['error-403.json', errorShape],
  ['error-404.json', errorShape],
];

describe('fixtures have the recorded shapes', () => {
  it.each(recorded)('%s', (name, shape) => {
    expect(contractProblems(shape, fixture(name))).toEqual([]);
  });

  it('the schemas catch the drifts the fixtures once had (so they can fail)', () => {
    const good = (fixture('scanner-details.json') as Record<string, unknown>);
    const drifted = [
      { ...good, ui_build: 20 }, // a number where Tenable sends a string
      { ...good, linked: true }, // a boolean where Tenable sends 0|1
      { ...good, last_connect: 1767229200837 }, // milliseconds in a list answer
      { ...good, remote_uuid: '5b0c2f3e-0d7a-4f5e-9b1c-2a7d4e6f8a90c1d2e3f4a5b6' }, // 12 extra hex digits, not 16
      { ...good, aws: true }, // a field only the PUT answer has
      Object.fromEntries(Object.entries(good).filter(([k]) => k !== 'network_name')),
    ];
    for (const d of drifted) expect(contractProblems(managedScannerShape, d)).not.toEqual([]);
  });
});

describe('the parsers read the recorded shapes', () => {
  it('GET /scanners: every record, ids as numbers, seconds to milliseconds, 0|1 to booleans, no key kept', () => {
    const list = parseScannerList(fixture('scanners-list.json'));
    const wire = (fixture('scanners-list.json') as { scanners: Array<Record<string, unknown>> }).scanners;
    expect(list).toHaveLength(wire.length);
    const prod1 = list.find((s) => s.id === 412918)!;
    expect(prod1).toEqual({
      id: 412918,
      uuid: 'd1fde5c9-b5a8-4fdc-0000-cfb04348618e',
      name: 'nessus-byol-prod-1',
      type: 'managed',
      status: 'on',
      linked: true,
      lastConnectMs: 1767229200_000,
      loadedPluginSet: '202601010744',
      engineVersion: '10.8.3',
      uiVersion: '10.8.3',
      uiBuild: '20',
      group: false,
      hostname: 'ip-10-0-1-23.ec2.internal',
      ipAddresses: ['10.0.1.23'],
      remoteUuid: '5b0c2f3e-0d7a-4f5e-9b1c-2a7d4e6f8a90c1d2e3f4a5b67e8f',
    });
    expect(list.find((s) => s.type === 'local')).toMatchObject({ lastConnectMs: null, group: true, linked: true });
    expect(list.find((s) => s.id === 402001)).toMatchObject({ linked: false, status: 'off' });
    for (const s of list) expect(s).not.toHaveProperty('key');
  });

  it('GET /scanners/{id} and the PUT answer (milliseconds) read to the same times', () => {
    const details = parseScanner(fixture('scanner-details.json'));
    const put = parseScanner(fixture('scanner-put-answer.json'));
    expect(details.id).toBe(put.id);
    expect(details.lastConnectMs).toBe(1767229200_000);
    expect(put.lastConnectMs).toBe(1767229200837);
    expect(Math.abs(details.lastConnectMs! - put.lastConnectMs!)).toBeLessThan(1000);
  });

  it('a record without a name is listed under its hostname (the recorded unnamed scanner has name = hostname)', () => {
    const rec = { ...(fixture('scanner-details.json') as Record<string, unknown>) };
    delete rec.name;
    expect(parseScanner(rec).name).toBe('ip-10-0-1-23.ec2.internal');
  });

  it('the linking key is a Secret', () => {
    const key = parseLinkingKey(fixture('scanner-key.json'));
    expect(key).toBeInstanceOf(Secret);
    expect(key.reveal()).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify({ key })).not.toContain(key.reveal());
  });

  it('scanner groups: the list, a created group (fewer fields) and the members', () => {
    expect(parseScannerGroupList(fixture('scanner-groups.json'))).toEqual([
      { id: 101985, uuid: '42797c85-c8a1-4244-0000-e01f5fc8c113', name: 'nessus-byol-prod', type: 'load_balancing', scannerCount: 2 },
    ]);
    expect(parseScannerGroup(fixture('scanner-group-created.json'))).toEqual({
      id: 101990,
      uuid: '5e1f0a2b-3c4d-4e5f-0000-6a7b8c9d0e1f',
      name: 'nessus-byol-staging',
      type: 'load_balancing',
    });
    expect(parseScannerList(fixture('scanner-group-members.json')).map((s) => s.id)).toEqual([412918]);
  });
});

describe('the client replays the recorded bodies', () => {
  const routes: Record<string, { status: number; body: string; type?: string }> = {
    'GET /scanners': { status: 200, body: raw('scanners-list.json') },
    'GET /scanners/412918': { status: 200, body: raw('scanner-details.json') },
    // test_scanner_details_notfounderror.yaml: a 404 with an empty body.
    'GET /scanners/1': { status: 404, body: '' },
    'GET /scanners/00000000-0000-0000-0000-00000000000000000000000000001/key': { status: 200, body: raw('scanner-key.json') },
    'GET /scanner-groups': { status: 200, body: raw('scanner-groups.json') },
    'POST /scanner-groups': { status: 200, body: raw('scanner-group-created.json') },
    'GET /scanner-groups/101985/scanners': { status: 200, body: raw('scanner-group-members.json') },
    // test_list_scanners_in_scanner_group.yaml / test_link_state.yaml: 200 with an empty body.
    'POST /scanner-groups/101985/scanners/412918': { status: 200, body: '' },
    'PUT /scanners/412918/link': { status: 200, body: '' },
    // test_scanner_delete_notfound.yaml
    'DELETE /scanners/1': { status: 404, body: raw('error-404.json') },
    // test_delete_scanner_group.yaml: the second DELETE of a group
    'DELETE /scanner-groups/101990': { status: 404, body: '{"error": "ScannerGroup not found."}' },
  };
  const replay: typeof fetch = async (input, init) => {
    const url = new URL(String(input));
    const r = routes[`${init?.method ?? 'GET'} ${url.pathname}`];
    if (!r) return new Response('', { status: 599 });
    return new Response(r.body === '' ? null : r.body, {
      status: r.status,
      headers: r.body === '' ? { 'content-length': '0' } : { 'content-type': r.type ?? 'application/json; charset=utf-8' },
    });
  };
  const client = createTenableClient({
    baseUrl: 'https://cloud.tenable.com',
    accessKey: new Secret('a'.repeat(64), 'access key'),
    secretKey: new Secret('s'.repeat(64), 'secret key'),
    version: '0.0.0-test',
    fetchImpl: replay,
    maxRetries: 0,
  });

  it('reads every endpoint nessus-byol uses', async () => {
    expect((await client.listScanners()).map((s) => s.name)).toContain('nessus-byol-prod-1');
    expect((await client.getScanner(412918)).loadedPluginSet).toBe('202601010744');
    expect((await client.getLinkingKey()).reveal()).toMatch(/^[0-9a-f]{64}$/);
    expect((await client.listScannerGroups()).map((g) => g.name)).toEqual(['nessus-byol-prod']);
    expect((await client.createScannerGroup('nessus-byol-staging')).id).toBe(101990);
    expect((await client.listGroupScanners(101985)).map((s) => s.id)).toEqual([412918]);
    await expect(client.addScannerToGroup(101985, 412918)).resolves.toBeUndefined();
    await expect(client.setScannerLinked(412918, true)).resolves.toBeUndefined();
  });

  it('maps the recorded 404s: empty-body and JSON ones alike', async () => {
    await expect(client.getScanner(1)).rejects.toMatchObject({ code: 'TENABLE_NOT_FOUND', status: 404 });
    expect(await client.deleteScanner(1)).toBe('gone');
    expect(await client.deleteScannerGroup(101990)).toBe('gone');
  });
});
