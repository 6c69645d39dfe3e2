import type { FleetInstance } from '../adapters/aws/ec2.js';
import { isReady, type TenableScanner } from '../adapters/tenable/scanner.js';
import { TAG } from '../core/naming.js';
import type { OwnedResource } from './down-inventory.js';
import { matchRecords, taggedIdentity } from './status-join.js';
import { sameRecord, type TenableLeftover } from './tenable-leftovers.js';

interface RecordRef {
  recordId: number;
  uuid: string;
  name: string;
  status: string;
  lastConnectAgeMs: number | null;
}

/** What `reconcile` reports; each kind knows its fix. */
export type Finding =
  /** A record whose id/uuid is tagged on an instance of this fleet that no longer runs. Fix: delete the record. */
  | ({ kind: 'stale-record'; instanceId: string; instanceState: string } & RecordRef)
  /** A record whose name fits this fleet's name template but that no instance of the fleet claims. Fix (only when confirmed): delete it. */
  | ({ kind: 'name-candidate' } & RecordRef)
  /** A live instance with no Tenable record past the link timeout, or whose tagged record is gone. Fix: terminate it. */
  | {
      kind: 'unlinked-instance';
      instanceId: string;
      name: string;
      state: string;
      launchedAgoMs: number | null;
      reason: string;
    }
  /** A scanner whose record has been `off` longer than the threshold. Fix: terminate the instance and delete the record. */
  | ({ kind: 'off-scanner'; instanceId: string } & RecordRef)
  /** More live instances than the fleet declares. Fix: terminate the surplus (and delete its record). */
  | { kind: 'surplus-instance'; instanceId: string; name: string; recordId: number | null }
  /** A fleet-level resource this fleet created that the fleet file no longer declares. Fix: delete it. */
  | { kind: 'undeclared-resource'; resource: OwnedResource }
  /**
   * A record an earlier `down`/`rebuild` could not delete (Tenable unreachable or refusing), kept in the
   * fleet's leftovers parameter. Fix: delete it (when it still exists) and drop it from the parameter.
   */
  | {
      kind: 'leftover-record';
      recordId: number | null;
      uuid: string | null;
      name: string;
      /** False when Tenable no longer has it: only the parameter entry is left. */
      exists: boolean;
      parameter: string;
    };

export interface DriftInput {
  fleet: string;
  declared: number;
  /** Pattern of this fleet's scanner names (scannerNamePattern). */
  namePattern: RegExp;
  /** An instance this old without a record never linked (wait.timeout). */
  linkTimeoutMs: number;
  offThresholdMs: number;
  /** Every instance carrying the fleet tag, terminated ones included (they keep their tags for a while). */
  instances: FleetInstance[];
  records: TenableScanner[];
  /** Owned fleet-level resources, and which of them the fleet file still declares. */
  owned: OwnedResource[];
  declares: (r: OwnedResource) => boolean;
  now: number;
  /** The fleet's leftovers record (`/nessus-byol/<fleet>/tenable-leftovers`), when it exists. */
  leftovers?: { parameter: string; records: TenableLeftover[] } | undefined;
}

const LIVE = new Set(['pending', 'running', 'stopping', 'stopped']);

/** A pure diff of what runs against what the fleet declares. */
export function findDrift(d: DriftInput): Finding[] {
  const findings: Finding[] = [];
  const ref = (r: TenableScanner): RecordRef => ({
    recordId: r.id,
    uuid: r.uuid,
    name: r.name,
    status: r.status,
    lastConnectAgeMs: r.lastConnectMs === null ? null : Math.max(0, d.now - r.lastConnectMs),
  });
  const live = d.instances.filter((i) => LIVE.has(i.state));
  const gone = d.instances.filter((i) => !LIVE.has(i.state));
  const matched = matchRecords(live, d.records);
  const claimed = new Set([...matched.values()].map((m) => m.record.id));

  const staleIds = new Set<number>();
  for (const i of gone) {
    const { id, uuid } = taggedIdentity(i);
    const r = d.records.find((x) => (id !== undefined && x.id === id) || (uuid !== undefined && x.uuid === uuid));
    if (!r || claimed.has(r.id) || staleIds.has(r.id)) continue;
    staleIds.add(r.id);
    findings.push({ kind: 'stale-record', instanceId: i.instanceId, instanceState: i.state, ...ref(r) });
  }
  for (const l of d.leftovers?.records ?? []) {
    const r = d.records.find((x) => sameRecord(l, x));
    // Claimed by a live instance of the fleet: it serves again and is not deleted. A stale record covers it too.
    if (r && (claimed.has(r.id) || staleIds.has(r.id))) continue;
    if (r) staleIds.add(r.id);
    findings.push({
      kind: 'leftover-record',
      recordId: r?.id ?? l.id,
      uuid: r?.uuid ?? l.uuid,
      name: r?.name ?? l.name,
      exists: r !== undefined,
      parameter: d.leftovers!.parameter,
    });
  }
  for (const r of d.records) {
    if (claimed.has(r.id) || staleIds.has(r.id)) continue;
    if (r.type !== undefined && r.type !== 'managed') continue;
    if (d.namePattern.test(r.name)) findings.push({ kind: 'name-candidate', ...ref(r) });
  }

  const flagged = new Set<string>();
  for (const i of live) {
    const name = i.tags[TAG.scannerName] ?? i.instanceId;
    const m = matched.get(i.instanceId);
    const launchedAgoMs = i.launchTime ? d.now - i.launchTime.getTime() : null;
    if (!m) {
      const tagged = taggedIdentity(i);
      if (tagged.id !== undefined || tagged.uuid !== undefined) {
        findings.push({
          kind: 'unlinked-instance',
          instanceId: i.instanceId,
          name,
          state: i.state,
          launchedAgoMs,
          reason: `its Tenable record (${tagged.id ?? tagged.uuid}) is gone`,
        });
        flagged.add(i.instanceId);
      } else if (launchedAgoMs === null || launchedAgoMs > d.linkTimeoutMs) {
        findings.push({
          kind: 'unlinked-instance',
          instanceId: i.instanceId,
          name,
          state: i.state,
          launchedAgoMs,
          reason: 'never linked to Tenable',
        });
        flagged.add(i.instanceId);
      }
      continue;
    }
    const r = m.record;
    const offFor = r.lastConnectMs === null ? launchedAgoMs : d.now - r.lastConnectMs;
    if (r.status === 'off' && offFor !== null && offFor > d.offThresholdMs) {
      findings.push({ kind: 'off-scanner', instanceId: i.instanceId, ...ref(r) });
      flagged.add(i.instanceId);
    }
  }

  const healthy = live.filter((i) => !flagged.has(i.instanceId));
  if (healthy.length > d.declared) {
    const score = (i: FleetInstance) =>
      matched.get(i.instanceId) && isReady(matched.get(i.instanceId)!.record) ? 0 : 1;
    const keep = [...healthy]
      .sort((a, b) => score(a) - score(b) || (a.launchTime?.getTime() ?? 0) - (b.launchTime?.getTime() ?? 0))
      .slice(0, d.declared);
    for (const i of healthy) {
      if (keep.includes(i)) continue;
      findings.push({
        kind: 'surplus-instance',
        instanceId: i.instanceId,
        name: i.tags[TAG.scannerName] ?? i.instanceId,
        recordId: matched.get(i.instanceId)?.record.id ?? null,
      });
    }
  }

  for (const r of d.owned) if (!d.declares(r)) findings.push({ kind: 'undeclared-resource', resource: r });
  return findings;
}

export function describeFinding(f: Finding): string {
  const age = (ms: number | null) =>
    ms === null
      ? 'never'
      : ms >= 172_800_000
        ? `${Math.round(ms / 86_400_000)}d ago`
        : `${Math.round(ms / 3_600_000)}h ago`;
  switch (f.kind) {
    case 'stale-record':
      return `Tenable record ${f.name} (${f.recordId}, ${f.status}) belongs to instance ${f.instanceId}, which is ${f.instanceState}`;
    case 'name-candidate':
      return `Tenable record ${f.name} (${f.recordId}, ${f.status}, last connect ${age(f.lastConnectAgeMs)}) matches the fleet's name template but no instance of the fleet claims it`;
    case 'unlinked-instance':
      return `instance ${f.instanceId} (${f.name}, ${f.state}): ${f.reason}`;
    case 'off-scanner':
      return `scanner ${f.name} (${f.recordId}) on ${f.instanceId} has been off since ${age(f.lastConnectAgeMs)}`;
    case 'surplus-instance':
      return `instance ${f.instanceId} (${f.name}) is beyond the declared scanner count`;
    case 'undeclared-resource':
      return `${f.resource.label} was created by this fleet but the fleet file no longer declares it`;
    case 'leftover-record':
      return f.exists
        ? `Tenable record ${f.name} (${f.recordId ?? f.uuid}) was left by a down/rebuild that could not reach Tenable (recorded in ${f.parameter})`
        : `${f.parameter} still lists Tenable record ${f.name} (${f.recordId ?? f.uuid}), which Tenable no longer has`;
  }
}
