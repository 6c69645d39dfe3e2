import type { FleetInstance } from '../adapters/aws/ec2.js';
import { isReady, type TenableScanner } from '../adapters/tenable/scanner.js';
import { TAG } from '../core/naming.js';

/** How an instance found its Tenable record: the id/uuid tagged on it, or its unique scanner name. */
export type MatchedBy = 'tag' | 'name';

export interface InstanceRecord {
  record: TenableScanner;
  by: MatchedBy;
}

/** The Tenable id/uuid tagged on an instance once it linked (waitPhase writes them). */
export function taggedIdentity(i: FleetInstance): { id?: number; uuid?: string } {
  const id = Number(i.tags[TAG.scannerId]);
  const uuid = i.tags[TAG.scannerUuid];
  return { ...(Number.isInteger(id) && id > 0 ? { id } : {}), ...(uuid ? { uuid } : {}) };
}

/**
 * Joins instances to records from one `GET /scanners`: the tagged id/uuid first; an untagged
 * instance (e.g. after `up --no-wait`) by its exact unique scanner name, seen after its launch —
 * the same rule waitPhase uses. Never by name prefix. A record is given to one instance at most.
 */
export function matchRecords(instances: FleetInstance[], records: TenableScanner[]): Map<string, InstanceRecord> {
  const out = new Map<string, InstanceRecord>();
  const taken = new Set<number>();
  for (const i of instances) {
    const { id, uuid } = taggedIdentity(i);
    const r = records.find((x) => (id !== undefined && x.id === id) || (uuid !== undefined && x.uuid === uuid));
    if (r && !taken.has(r.id)) {
      out.set(i.instanceId, { record: r, by: 'tag' });
      taken.add(r.id);
    }
  }
  for (const i of instances) {
    const { id, uuid } = taggedIdentity(i);
    if (out.has(i.instanceId) || id !== undefined || uuid !== undefined) continue;
    const name = i.tags[TAG.scannerName];
    if (!name) continue;
    const launched = i.launchTime?.getTime() ?? 0;
    const r = records
      .filter(
        (x) =>
          x.name === name &&
          (x.type === undefined || x.type === 'managed') &&
          !taken.has(x.id) &&
          (x.lastConnectMs === null || x.lastConnectMs >= launched - 5 * 60_000),
      )
      .sort((a, b) => b.id - a.id)[0];
    if (r) {
      out.set(i.instanceId, { record: r, by: 'name' });
      taken.add(r.id);
    }
  }
  return out;
}

export interface StatusRow {
  name: string;
  instanceId: string;
  state: string;
  availabilityZone: string | null;
  instanceType: string;
  ami: string;
  /** False when the instance runs another AMI than the fleet's (pinned or newest): `rebuild` replaces it. */
  amiCurrent: boolean;
  tenableId: number | null;
  tenableUuid: string | null;
  matchedBy: MatchedBy | null;
  linked: boolean | null;
  status: string | null;
  pluginSet: string | null;
  ready: boolean;
  lastConnectAgeMs: number | null;
  uptimeMs: number | null;
}

/** One row per instance, joining EC2 and Tenable. */
export function statusRows(
  instances: FleetInstance[],
  records: TenableScanner[] | null,
  targetAmi: string,
  now: number,
): StatusRow[] {
  const matched = records ? matchRecords(instances, records) : new Map<string, InstanceRecord>();
  return [...instances]
    .sort((a, b) => (a.tags[TAG.scannerName] ?? a.instanceId).localeCompare(b.tags[TAG.scannerName] ?? b.instanceId))
    .map((i) => {
      const m = matched.get(i.instanceId);
      const r = m?.record;
      const running = i.state === 'running' || i.state === 'pending';
      return {
        name: i.tags[TAG.scannerName] ?? i.tags.Name ?? i.instanceId,
        instanceId: i.instanceId,
        state: i.state,
        availabilityZone: i.availabilityZone ?? null,
        instanceType: i.instanceType,
        ami: i.imageId,
        amiCurrent: i.imageId === targetAmi,
        tenableId: r?.id ?? null,
        tenableUuid: r?.uuid ?? null,
        matchedBy: m?.by ?? null,
        linked: r ? r.linked : records ? false : null,
        status: r?.status ?? null,
        pluginSet: r?.loadedPluginSet ?? null,
        ready: r ? isReady(r) : false,
        lastConnectAgeMs: r?.lastConnectMs != null ? Math.max(0, now - r.lastConnectMs) : null,
        uptimeMs: running && i.launchTime ? Math.max(0, now - i.launchTime.getTime()) : null,
      };
    });
}
