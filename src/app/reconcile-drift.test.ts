import { describe, expect, it } from 'vitest';
import type { FleetInstance } from '../adapters/aws/ec2.js';
import type { TenableScanner } from '../adapters/tenable/scanner.js';
import { scannerNamePattern } from '../core/naming.js';
import { findDrift, type DriftInput } from './reconcile-drift.js';

const NOW = Date.parse('2026-01-10T00:00:00Z');
const H = 3_600_000;

const inst = (id: string, state: string, tags: Record<string, string> = {}, launchedHoursAgo = 48): FleetInstance => ({
  instanceId: id,
  state,
  instanceType: 'm5.xlarge',
  imageId: 'ami-1',
  launchTime: new Date(NOW - launchedHoursAgo * H),
  tags: { 'nessus-byol:fleet': 'prod', ...tags },
});
const rec = (id: number, name: string, over: Partial<TenableScanner> = {}): TenableScanner => ({
  id,
  uuid: `uuid-${id}`,
  name,
  type: 'managed',
  status: 'on',
  linked: true,
  lastConnectMs: NOW - 60_000,
  loadedPluginSet: '202601010000',
  ...over,
});
const input = (over: Partial<DriftInput>): DriftInput => ({
  fleet: 'prod',
  declared: 1,
  namePattern: scannerNamePattern('{fleet}-{instanceId}', { fleet: 'prod', region: 'us-east-1' }),
  linkTimeoutMs: 20 * 60_000,
  offThresholdMs: 24 * H,
  instances: [],
  records: [],
  owned: [],
  declares: () => true,
  now: NOW,
  ...over,
});

describe('scannerNamePattern', () => {
  it('matches only names the template renders for this fleet', () => {
    const p = scannerNamePattern('{fleet}-{instanceId}', { fleet: 'prod', region: 'us-east-1' });
    expect(p.test('prod-i-0123456789abcdef0')).toBe(true);
    expect(p.test('prod-eu-i-0123456789abcdef0')).toBe(false);
    expect(p.test('prod-i-0123456789abcdef0-x')).toBe(false);
    const idx = scannerNamePattern('scan.{region}.{fleet}-{index}', { fleet: 'prod', region: 'us-east-1' });
    expect(idx.test('scan.us-east-1.prod-3')).toBe(true);
    expect(idx.test('scanXus-east-1.prod-3')).toBe(false);
  });
});

describe('findDrift', () => {
  it('reports nothing for a healthy fleet', () => {
    const i = inst('i-0aaaaaaaaaaaaaaa1', 'running', {
      'nessus-byol:scanner-id': '1',
      'nessus-byol:scanner-name': 'prod-i-0aaaaaaaaaaaaaaa1',
    });
    expect(findDrift(input({ instances: [i], records: [rec(1, 'prod-i-0aaaaaaaaaaaaaaa1')] }))).toEqual([]);
  });

  it('tells tagged stale records from name-prefix candidates, and ignores other fleets', () => {
    const live = inst('i-0aaaaaaaaaaaaaaa1', 'running', { 'nessus-byol:scanner-id': '1' });
    const dead = inst('i-0bbbbbbbbbbbbbbb2', 'terminated', { 'nessus-byol:scanner-uuid': 'uuid-2' });
    const records = [
      rec(1, 'prod-i-0aaaaaaaaaaaaaaa1'),
      rec(2, 'prod-i-0bbbbbbbbbbbbbbb2', { status: 'off' }),
      rec(3, 'prod-i-0ccccccccccccccc3'),
      rec(4, 'prod-eu-i-0ddddddddddddddd4'),
      rec(5, 'prod-pool', { type: 'pool' }),
    ];
    const kinds = findDrift(input({ instances: [live, dead], records })).map((f) => [
      f.kind,
      'recordId' in f ? f.recordId : null,
    ]);
    expect(kinds).toEqual([
      ['stale-record', 2],
      ['name-candidate', 3],
    ]);
  });

  it('flags instances that never linked only after the link timeout, and ones whose record is gone at once', () => {
    const young = inst('i-01', 'running', { 'nessus-byol:scanner-name': 'prod-i-01' }, 0.1);
    const old = inst('i-02', 'running', { 'nessus-byol:scanner-name': 'prod-i-02' }, 2);
    const lost = inst('i-03', 'running', { 'nessus-byol:scanner-id': '77' }, 0.1);
    const f = findDrift(input({ declared: 3, instances: [young, old, lost] }));
    expect(f.map((x) => [x.kind, 'instanceId' in x ? x.instanceId : null])).toEqual([
      ['unlinked-instance', 'i-02'],
      ['unlinked-instance', 'i-03'],
    ]);
  });

  it('flags scanners off longer than the threshold, surplus instances and undeclared resources', () => {
    const a = inst('i-0a', 'running', { 'nessus-byol:scanner-id': '1' }, 100);
    const b = inst('i-0b', 'running', { 'nessus-byol:scanner-id': '2' }, 50);
    const c = inst('i-0c', 'running', { 'nessus-byol:scanner-id': '3' }, 10);
    const records = [
      rec(1, 'x', { status: 'off', lastConnectMs: NOW - 30 * H }),
      rec(2, 'y'),
      rec(3, 'z', { status: 'off', lastConnectMs: NOW - 2 * H }),
    ];
    const owned = [{ kind: 'key-pair' as const, id: 'nessus-byol-prod', label: 'key pair nessus-byol-prod' }];
    const f = findDrift(input({ declared: 1, instances: [a, b, c], records, owned, declares: () => false }));
    expect(f.map((x) => x.kind)).toEqual(['off-scanner', 'surplus-instance', 'undeclared-resource']);
    expect(f[1]).toMatchObject({ instanceId: 'i-0c', recordId: 3 });
  });
});

describe('findDrift: the Tenable leftovers record', () => {
  const leftovers = {
    parameter: '/nessus-byol/prod/tenable-leftovers',
    records: [
      { id: 7, uuid: 'uuid-7', name: 'prod-i-0000000000000000a' },
      { id: 8, uuid: null, name: 'prod-i-0000000000000000b' },
    ],
  };

  it('reports each recorded record, marks the ones Tenable no longer has, and does not also list them as name candidates', () => {
    const f = findDrift(input({ records: [rec(7, 'prod-i-0000000000000000a')], leftovers }));
    expect(f).toEqual([
      expect.objectContaining({ kind: 'leftover-record', recordId: 7, exists: true }),
      expect.objectContaining({ kind: 'leftover-record', recordId: 8, exists: false }),
    ]);
  });

  it('a recorded record claimed again by a live instance is left alone', () => {
    const live = inst('i-0000000000000000a', 'running', { 'nessus-byol:scanner-id': '7' });
    const f = findDrift(
      input({
        instances: [live],
        records: [rec(7, 'prod-i-0000000000000000a')],
        leftovers: { ...leftovers, records: [leftovers.records[0]!] },
      }),
    );
    expect(f.filter((x) => x.kind === 'leftover-record')).toEqual([]);
  });
});
