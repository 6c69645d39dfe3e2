import { describe, expect, it } from 'vitest';
import type { TenableScanner } from '../../adapters/tenable/scanner.js';
import type { ScanDetails } from '../../adapters/tenable/scans.js';
import { RuntimeError, UsageError } from '../../core/errors.js';
import { chooseAuditFile, cloudSensor, complianceSummary, regionSettings } from '../audit-scan/run.js';
import { reachability } from './egress.js';
import { findingsAtOrAbove, parseSeverity, severityCounts, topFindings } from './results.js';
import { chooseScanner, type FleetScanner } from './scanner-choice.js';
import { applyExclude, checkTargets, splitTargets, within } from './targets.js';

const rec = (id: number, over: Partial<TenableScanner> = {}): TenableScanner => ({
  id,
  uuid: `uuid-${id}`,
  name: `s-${id}`,
  type: 'managed',
  status: 'on',
  linked: true,
  lastConnectMs: 1,
  loadedPluginSet: '202601010000',
  ...over,
});
const fleetScanner = (id: number, over: Partial<TenableScanner> = {}, tagged = true): FleetScanner => ({ instanceId: `i-${id}`, name: `fleet-i-${id}`, record: rec(id, over), tagged });
const group = (id: number, name: string) => ({ id, uuid: `group-${id}`, name });
const base = { fleet: 'prod', file: 'fleet.yaml', groups: [], declaredGroups: [] as string[] };

describe('targets', () => {
  it('splits lists and files, drops comments and duplicates, and rejects non-targets all at once', () => {
    expect(checkTargets(splitTargets('10.0.0.1, 10.0.1.0/24\nhost.internal # db\n10.0.0.1'), 't')).toEqual(['10.0.0.1', '10.0.1.0/24', 'host.internal']);
    const e = (() => {
      try {
        checkTargets(['10.0.0.300', 'ok.host', 'bad_host!', '1.2.3.4/33'], '--targets');
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(UsageError);
    expect((e as UsageError).data?.invalid).toEqual(['10.0.0.300', 'bad_host!', '1.2.3.4/33']);
  });

  it('--exclude removes exact targets and addresses inside excluded CIDRs, naming CIDRs it cannot split', () => {
    expect(applyExclude(['10.0.0.1', '10.0.0.9', '10.0.2.0/24', '10.0.3.0/24'], ['10.0.0.9', '10.0.3.0/25', '10.0.2.7'])).toEqual({
      kept: ['10.0.0.1', '10.0.2.0/24', '10.0.3.0/24'],
      removed: ['10.0.0.9'],
      overlapping: ['10.0.2.0/24', '10.0.3.0/24'],
    });
    expect(within('10.0.3.0/26', '10.0.3.0/25')).toBe(true);
    expect(within('10.0.3.0/24', '10.0.3.0/25')).toBe(false);
  });
});

describe('chooseScanner', () => {
  it('uses a link.groups group only when every member is one of the fleet\'s tagged scanners', () => {
    const scanners = [fleetScanner(1), fleetScanner(2)];
    const mixed = { group: group(10, 'mixed'), members: [rec(1), rec(99)] };
    const ours = { group: group(11, 'ours'), members: [rec(1), rec(2)] };
    const r = chooseScanner({ ...base, scanners, groups: [mixed, ours], declaredGroups: ['mixed', 'ours'] });
    expect(r.choice).toMatchObject({ kind: 'group', uuid: 'group-11', name: 'ours' });
    expect(r.notes[0]).toMatch(/not fleet prod's/);
  });

  it('falls back to one of the fleet\'s ready scanners by uuid, never a foreign one', () => {
    const scanners = [fleetScanner(3, { status: 'off' }), fleetScanner(2)];
    const r = chooseScanner({ ...base, scanners, groups: [{ group: group(10, 'g'), members: [rec(99)] }], declaredGroups: ['g'] });
    expect(r.choice).toMatchObject({ kind: 'scanner', uuid: 'uuid-2' });
  });

  it('a group of untagged (name-matched) scanners is not used', () => {
    const scanners = [fleetScanner(1, {}, false)];
    const r = chooseScanner({ ...base, scanners, groups: [{ group: group(10, 'g'), members: [rec(1)] }], declaredGroups: ['g'] });
    expect(r.choice.kind).toBe('scanner');
  });

  it('no ready scanner → exit 1 naming `nessus-byol status`; --scanner not the fleet\'s → exit 2', () => {
    const none = () => chooseScanner({ ...base, scanners: [fleetScanner(1, { loadedPluginSet: undefined })] });
    expect(none).toThrow(RuntimeError);
    expect(none).toThrow(/No scanner of fleet prod/);
    try {
      none();
    } catch (e) {
      expect((e as RuntimeError).hint).toMatch(/nessus-byol status -f fleet.yaml/);
    }
    expect(() => chooseScanner({ ...base, scanners: [fleetScanner(1)], requested: 's-99' })).toThrow(UsageError);
    expect(chooseScanner({ ...base, scanners: [fleetScanner(1)], requested: 'fleet-i-1' }).choice.uuid).toBe('uuid-1');
  });
});

const details = (vulns: ScanDetails['vulnerabilities'], hosts: ScanDetails['hosts']): ScanDetails => ({ info: { status: 'completed' }, hosts, vulnerabilities: vulns, compliance: [], notes: [] });
const host = (hostId: number, c: Partial<Record<'critical' | 'high' | 'medium' | 'low' | 'info', number>>) => ({ hostId, hostname: `h${hostId}`, critical: 0, high: 0, medium: 0, low: 0, info: 0, ...c });

describe('results and --fail-on', () => {
  const d = details(
    [
      { pluginId: 1, pluginName: 'syn', severity: 'info', count: 50 },
      { pluginId: 2, pluginName: 'tls', severity: 'medium', count: 9 },
      { pluginId: 3, pluginName: 'rce', severity: 'critical', count: 1 },
      { pluginId: 4, pluginName: 'old ssh', severity: 'medium', count: 12 },
    ],
    [host(1, { critical: 1, medium: 10, info: 30 }), host(2, { medium: 11, info: 20 })],
  );

  it('sums severities over hosts and orders top findings by severity then count, without info noise', () => {
    expect(severityCounts(d.hosts)).toEqual({ critical: 1, high: 0, medium: 21, low: 0, info: 50 });
    expect(topFindings(d, 2, new Map([[3, ['h1']]])).map((f) => [f.pluginId, f.hosts])).toEqual([
      [3, ['h1']],
      [4, []],
    ]);
  });

  it('counts findings at or above the threshold', () => {
    const c = severityCounts(d.hosts);
    expect(findingsAtOrAbove(c, 'critical')).toBe(1);
    expect(findingsAtOrAbove(c, 'high')).toBe(1);
    expect(findingsAtOrAbove(c, 'medium')).toBe(22);
    expect(findingsAtOrAbove({ critical: 0, high: 0, medium: 0, low: 3, info: 9 }, 'medium')).toBe(0);
    expect(parseSeverity('HIGH')).toBe('high');
    expect(parseSeverity('severe')).toBeNull();
  });
});

describe('reachability', () => {
  it('names targets scan.egress does not cover and target groups that do not admit the scanners', () => {
    const r = reachability({
      targets: ['10.0.1.5', '10.0.2.5', '10.9.0.1', 'db.internal'],
      egress: ['10.0.1.0/24', 'sg-0000000000000000b'],
      instances: [
        { instanceId: 'i-a', privateIp: '10.0.1.5', securityGroupIds: ['sg-a'] },
        { instanceId: 'i-b', privateIp: '10.0.2.5', securityGroupIds: ['sg-0000000000000000b'] },
      ],
      targetGroups: [
        { id: 'sg-a', ingress: [{ protocol: '-1', cidrs: [], groupIds: ['sg-fleet'] }], egress: [] },
        { id: 'sg-0000000000000000b', ingress: [{ protocol: 'tcp', fromPort: 443, toPort: 443, cidrs: ['192.168.0.0/16'], groupIds: [] }], egress: [] },
      ],
      fleetGroupId: 'sg-fleet',
      scannerIps: ['10.0.0.10'],
    });
    expect(r.uncovered).toEqual(['10.9.0.1']);
    expect(r.unknown).toEqual(['db.internal']);
    expect(r.notAdmitted.map((i) => i.instanceId)).toEqual(['i-b']);
  });
});

describe('audit scan pieces', () => {
  it('counts compliance results and lists failed checks in CIS order', () => {
    const s = complianceSummary([
      { pluginId: 1, name: '1.14 Ensure access keys are rotated every 90 days or less', status: 'FAILED', count: 1 },
      { pluginId: 2, name: '1.2 Ensure MFA is enabled', status: 'FAILED', count: 1 },
      { pluginId: 3, name: '1.3 Ensure credentials unused for 90 days are disabled', status: 'PASSED', count: 2 },
      { pluginId: 4, name: '2.1 CloudTrail', status: 'WARNING', count: 1 },
      { pluginId: 5, name: 'x', status: 'ERROR', count: 1 },
    ]);
    expect([s.passed, s.warning, s.failed, s.other]).toEqual([2, 1, 2, 1]);
    expect(s.failedChecks.map((c) => c.name.split(' ')[0])).toEqual(['1.2', '1.14']);
  });

  it('regions become the credential region settings; mixing partitions is refused', () => {
    expect(regionSettings(['us-east-1', 'eu-west-2'])).toEqual({ aws_ui_region_type: 'Rest of the World', aws_us_east_1: 'yes', aws_eu_west_2: 'yes' });
    expect(regionSettings(['us-gov-west-1']).aws_ui_region_type).toBe('GovCloud');
    expect(() => regionSettings(['us-east-1', 'us-gov-west-1'])).toThrow(UsageError);
  });

  it('picks the newest CIS Foundations L1 file by default, --audit by title or id, and a cloud sensor', () => {
    const audits = [
      { id: 'a13L1', name: 'CIS Amazon Web Services Foundations L1 1.3.0', category: 'Amazon AWS' },
      { id: 'a15L1', name: 'CIS Amazon Web Services Foundations L1 1.5.0', category: 'Amazon AWS' },
      { id: 'a15L2', name: 'CIS Amazon Web Services Foundations L2 1.5.0', category: 'Amazon AWS' },
    ];
    expect(chooseAuditFile(audits, undefined).id).toBe('a15L1');
    expect(chooseAuditFile(audits, 'cis amazon web services foundations l2 1.5.0').id).toBe('a15L2');
    expect(() => chooseAuditFile(audits, 'nope')).toThrow(UsageError);
    expect(cloudSensor({ scannerOptions: [{ id: 'AUTO-ROUTED', name: 'Auto', type: 'local' }, { id: 'm', name: 'mine', type: 'managed' }, { id: 'c', name: 'US Cloud Scanner', type: 'local' }], audits: [] }).id).toBe('c');
  });
});
