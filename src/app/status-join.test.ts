import { describe, expect, it } from 'vitest';
import type { FleetInstance } from '../adapters/aws/ec2.js';
import type { TenableScanner } from '../adapters/tenable/scanner.js';
import { matchRecords, statusRows } from './status-join.js';

const NOW = Date.parse('2026-01-10T00:00:00Z');
const inst = (id: string, tags: Record<string, string>, launched = NOW - 3_600_000): FleetInstance => ({
  instanceId: id,
  state: 'running',
  instanceType: 'm5.xlarge',
  imageId: 'ami-old',
  availabilityZone: 'us-east-1a',
  launchTime: new Date(launched),
  tags,
});
const rec = (id: number, name: string, over: Partial<TenableScanner> = {}): TenableScanner => ({
  id,
  uuid: `u-${id}`,
  name,
  type: 'managed',
  status: 'on',
  linked: true,
  lastConnectMs: NOW - 1000,
  ...over,
});

describe('matchRecords', () => {
  it('prefers the tagged id/uuid, falls back to the exact name seen after launch, never a prefix', () => {
    const byId = inst('i-1', { 'nessus-byol:scanner-id': '10', 'nessus-byol:scanner-name': 'prod-i-1' });
    const byUuid = inst('i-2', { 'nessus-byol:scanner-uuid': 'u-20' });
    const byName = inst('i-3', { 'nessus-byol:scanner-name': 'prod-i-3' });
    const none = inst('i-4', { 'nessus-byol:scanner-name': 'prod-i-4' });
    const records = [
      rec(10, 'renamed'),
      rec(20, 'x'),
      rec(29, 'prod-i-3', { lastConnectMs: NOW - 86_400_000 }),
      rec(30, 'prod-i-3'),
      rec(40, 'prod-i-4-other'),
    ];
    const m = matchRecords([byId, byUuid, byName, none], records);
    expect([...m.entries()].map(([k, v]) => [k, v.record.id, v.by])).toEqual([
      ['i-1', 10, 'tag'],
      ['i-2', 20, 'tag'],
      ['i-3', 30, 'name'],
    ]);
  });
});

describe('statusRows', () => {
  it('joins EC2 and Tenable with ages and the AMI check', () => {
    const [row] = statusRows(
      [inst('i-1', { 'nessus-byol:scanner-id': '10', 'nessus-byol:scanner-name': 'prod-i-1' })],
      [rec(10, 'prod-i-1', { loadedPluginSet: '2026' })],
      'ami-new',
      NOW,
    );
    expect(row).toMatchObject({
      name: 'prod-i-1',
      tenableId: 10,
      linked: true,
      status: 'on',
      ready: true,
      amiCurrent: false,
      lastConnectAgeMs: 1000,
      uptimeMs: 3_600_000,
      availabilityZone: 'us-east-1a',
    });
    const [unknown] = statusRows([inst('i-2', {})], null, 'ami-old', NOW);
    expect(unknown).toMatchObject({ linked: null, tenableId: null, amiCurrent: true });
  });
});
