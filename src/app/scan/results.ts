import type { ScanDetails, ScanHost, Severity } from '../../adapters/tenable/scans.js';

/** Results as `scan` reports them: severity counts, top findings, and the `--fail-on` gate. Pure. */

export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
const RANK: Record<Severity, number> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

export type SeverityCounts = Record<Severity, number>;

export interface TopFinding {
  pluginId: number;
  name: string;
  family?: string;
  severity: Severity;
  count: number;
  /** Host names with it, when read (bounded: see `hostsRead`). */
  hosts: string[];
}

export interface ScanResults {
  hostsScanned: number;
  /** Findings per severity, summed over hosts (what Tenable's donut shows). */
  severities: SeverityCounts;
  top: TopFinding[];
  /** How many hosts' details were read to fill `top[].hosts` (of `hostsScanned`). */
  hostsRead: number;
}

export function parseSeverity(value: string): Severity | null {
  const v = value.trim().toLowerCase();
  return (SEVERITIES as readonly string[]).includes(v) ? (v as Severity) : null;
}

export function severityCounts(hosts: ScanHost[]): SeverityCounts {
  const c: SeverityCounts = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const h of hosts) for (const s of SEVERITIES) c[s] += h[s];
  return c;
}

/**
 * The most severe findings first, then the most frequent; info findings only when nothing else was
 * found. `hostsByPlugin` comes from the bounded per-host reads.
 */
export function topFindings(details: ScanDetails, limit: number, hostsByPlugin: Map<number, string[]> = new Map()): TopFinding[] {
  const vulns = details.vulnerabilities;
  const worthShowing = vulns.some((v) => v.severity !== 'info') ? vulns.filter((v) => v.severity !== 'info') : vulns;
  return [...worthShowing]
    .sort((a, b) => RANK[b.severity] - RANK[a.severity] || b.count - a.count || a.pluginId - b.pluginId)
    .slice(0, limit)
    .map((v) => ({
      pluginId: v.pluginId,
      name: v.pluginName,
      ...(v.pluginFamily ? { family: v.pluginFamily } : {}),
      severity: v.severity,
      count: v.count,
      hosts: hostsByPlugin.get(v.pluginId) ?? [],
    }));
}

/** The hosts worth reading for `top[].hosts`: those with the most severe findings first, at most `max`. */
export function hostsToRead(hosts: ScanHost[], max: number): ScanHost[] {
  const weight = (h: ScanHost) => [h.critical, h.high, h.medium, h.low, h.info];
  return [...hosts]
    .sort((a, b) => {
      const wa = weight(a);
      const wb = weight(b);
      for (let i = 0; i < wa.length; i++) if (wa[i] !== wb[i]) return wb[i]! - wa[i]!;
      return a.hostId - b.hostId;
    })
    .slice(0, max);
}

/** Findings at or above `threshold` (what `--fail-on` counts). */
export function findingsAtOrAbove(counts: SeverityCounts, threshold: Severity): number {
  return SEVERITIES.filter((s) => RANK[s] >= RANK[threshold]).reduce((n, s) => n + counts[s], 0);
}
