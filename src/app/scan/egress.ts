import type { SgRules, TargetInstance } from '../../adapters/aws/ec2-scan.js';
import { targetKind, within } from './targets.js';

/**
 * Can the scanners reach the targets? The fleet's security group allows only 443 out unless
 * `scan.egress` opens more, and each target's own groups must admit the scanners. Pure: gives the
 * warnings `scan` prints (naming the key) and `doctor` reports.
 */
export interface Reachability {
  /** Targets no `scan.egress` entry covers. */
  uncovered: string[];
  /** Host-name targets (not checkable). */
  unknown: string[];
  /** Target instances none of whose security groups admits the scanners. */
  notAdmitted: Array<{ instanceId: string; privateIp: string; securityGroupIds: string[] }>;
}

export function reachability(input: {
  targets: string[];
  egress: readonly string[];
  instances: TargetInstance[];
  targetGroups: SgRules[];
  fleetGroupId: string | undefined;
  scannerIps: string[];
}): Reachability {
  const cidrs = input.egress.filter((e) => !e.startsWith('sg-'));
  const groups = new Set(input.egress.filter((e) => e.startsWith('sg-')));
  const byIp = new Map(input.instances.map((i) => [i.privateIp, i]));
  const uncovered: string[] = [];
  const unknown: string[] = [];
  for (const t of input.targets) {
    if (targetKind(t) === 'host') {
      unknown.push(t);
      continue;
    }
    const inCidr = cidrs.some((c) => within(t, c));
    const inGroup = byIp.get(t)?.securityGroupIds.some((g) => groups.has(g)) ?? false;
    if (!inCidr && !inGroup) uncovered.push(t);
  }
  const rules = new Map(input.targetGroups.map((g) => [g.id, g]));
  const admits = (groupId: string) =>
    (rules.get(groupId)?.ingress ?? []).some(
      (p) =>
        (input.fleetGroupId !== undefined && p.groupIds.includes(input.fleetGroupId)) ||
        p.cidrs.some((c) => c === '0.0.0.0/0' || input.scannerIps.some((ip) => within(ip, c))),
    );
  const notAdmitted = input.instances
    .filter((i) => input.targets.includes(i.privateIp))
    // Groups we could not read are not reported (no false alarms).
    .filter((i) => i.securityGroupIds.length > 0 && i.securityGroupIds.every((g) => rules.has(g)))
    .filter((i) => !i.securityGroupIds.some(admits))
    .map((i) => ({ instanceId: i.instanceId, privateIp: i.privateIp, securityGroupIds: i.securityGroupIds }));
  return { uncovered, unknown, notAdmitted };
}

const list = (xs: string[]) => `${xs.slice(0, 5).join(', ')}${xs.length > 5 ? `, … (${xs.length})` : ''}`;

export function reachabilityWarnings(r: Reachability, total: number, file: string, fleetGroup: string): string[] {
  const out: string[] = [];
  if (r.uncovered.length) {
    out.push(
      `${r.uncovered.length} of ${total} target(s) are not covered by scan.egress in ${file} (the fleet security group ${fleetGroup} allows only 443 out): ${list(r.uncovered)} — add their CIDR or security group to scan.egress and run \`nessus-byol up -f ${file}\``,
    );
  }
  if (r.notAdmitted.length) {
    out.push(
      `${r.notAdmitted.length} target instance(s) have security groups that do not admit the scanners: ${list(r.notAdmitted.map((i) => `${i.instanceId} (${i.securityGroupIds.join(', ')})`))} — allow inbound from security group ${fleetGroup} on them (scan.egress opens only the scanners' side)`,
    );
  }
  return out;
}
