import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isLinked, isReady, parseScanner, parseScannerList } from './scanner.js';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../../test/fixtures/tenable/${name}`, import.meta.url), 'utf8'));

describe('parseScannerList', () => {
  const scanners = parseScannerList(fixture('scanners-list.json'));

  it('keeps every entry, including the cloud pools and scanner-group pools TVM lists alongside', () => {
    expect(scanners.map((s) => [s.id, s.type])).toEqual([
      [314908, 'local'],
      [314909, 'local'],
      [409890, 'pool'],
      [412918, 'managed'],
      [412919, 'managed'],
      [402001, 'managed'],
    ]);
  });

  it('normalises a ready managed scanner', () => {
    expect(scanners.find((s) => s.id === 412918)).toEqual({
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
  });

  it('never keeps the key field (on the default cloud scanner it is the linking key)', () => {
    const raw = JSON.stringify(fixture('scanners-list.json'));
    const keys = (JSON.parse(raw) as { scanners: { key: string }[] }).scanners.map((s) => s.key);
    const parsed = JSON.stringify(scanners);
    for (const key of keys) expect(parsed).not.toContain(key);
    for (const s of scanners) expect(s).not.toHaveProperty('key');
  });

  it('reads last_connect null as null', () => {
    expect(scanners.find((s) => s.id === 314909)?.lastConnectMs).toBeNull();
  });

  it('tolerates a null, empty or missing list', () => {
    expect(parseScannerList(fixture('scanners-null.json'))).toEqual([]);
    expect(parseScannerList(fixture('scanners-empty.json'))).toEqual([]);
    expect(parseScannerList({})).toEqual([]);
    expect(parseScannerList(undefined)).toEqual([]);
  });

  it('skips entries without a usable id or uuid instead of failing the whole list', () => {
    const list = parseScannerList({
      scanners: [{ name: 'no id' }, { id: 'abc', uuid: 'u' }, { id: 7, uuid: 'u7' }, null],
    });
    expect(list.map((s) => s.id)).toEqual([7]);
  });

  it('rejects a body that is not a scanner list', () => {
    expect(() => parseScannerList({ scanners: 'nope' })).toThrow();
  });
});

describe('parseScanner', () => {
  it('reads milliseconds in last_connect (the PUT /scanners/{id} answer) as milliseconds', () => {
    const s = parseScanner(fixture('scanner-put-answer.json'));
    expect(s.lastConnectMs).toBe(1767229200837);
    expect(s.loadedPluginSet).toBe('202601010744');
    expect(s).not.toHaveProperty('key');
  });

  it('copes with drifted types and ignores unknown fields', () => {
    const s = parseScanner(fixture('scanner-drift.json'));
    expect(s).toEqual({
      id: 412920,
      uuid: 'b2c3d4e5-f6a7-4b8c-0000-0d1e2f3a4b5c',
      name: 'nessus-byol-drift',
      type: 'managed',
      status: 'on',
      linked: true,
      lastConnectMs: 1767229200_000,
      loadedPluginSet: '202601020744',
      engineVersion: '10.9.0',
      uiVersion: '10.9.0',
      uiBuild: '21',
      group: false,
      hostname: 'ip-10-0-3-9.ec2.internal',
    });
  });

  it('names an unnamed scanner after its hostname; an empty plugin set counts as absent', () => {
    const s = parseScanner(fixture('scanner-unnamed.json'));
    expect(s.name).toBe('localhost.localdomain');
    expect(s.loadedPluginSet).toBeUndefined();
    expect(s.lastConnectMs).toBeNull();
  });

  it.each([
    [1767229200, 1767229200_000],
    [1767229200123, 1767229200123],
    ['1767229200', 1767229200_000],
    [null, null],
    [undefined, null],
    [0, null],
    ['soon', null],
  ])('last_connect %j → %j ms', (input, expected) => {
    expect(parseScanner({ id: 1, uuid: 'u', last_connect: input }).lastConnectMs).toBe(expected);
  });

  it('reports unknown status as such and unlinked when linked is missing', () => {
    const s = parseScanner({ id: 1, uuid: 'u', name: 'x' });
    expect(s.status).toBe('unknown');
    expect(s.linked).toBe(false);
  });

  it('throws when id or uuid is missing', () => {
    expect(() => parseScanner({ uuid: 'u' })).toThrow();
    expect(() => parseScanner({ id: 1 })).toThrow();
  });
});

describe('readiness', () => {
  const byId = new Map(parseScannerList(fixture('scanners-list.json')).map((s) => [s.id, s]));
  const get = (id: number) => {
    const s = byId.get(id);
    if (!s) throw new Error(`fixture lacks scanner ${id}`);
    return s;
  };

  it('is ready when linked, on and plugins are loaded', () => {
    expect(isLinked(get(412918))).toBe(true);
    expect(isReady(get(412918))).toBe(true);
  });

  it('is linked but not ready before loaded_plugin_set appears', () => {
    expect(isLinked(get(412919))).toBe(true);
    expect(isReady(get(412919))).toBe(false);
  });

  it('is neither for a stale unlinked record, even with plugins loaded', () => {
    expect(isLinked(get(402001))).toBe(false);
    expect(isReady(get(402001))).toBe(false);
  });
});
