import { randomBytes } from 'node:crypto';
import type { FleetInstance } from '../adapters/aws/ec2.js';
import type { TenableClient } from '../adapters/tenable/client.js';
import { InterruptedError, RuntimeError } from '../core/errors.js';
import { TAG } from '../core/naming.js';
import { buildPlan, type Plan } from '../core/plan.js';
import { acquireFleetLock } from './fleet-lock.js';
import { Journal } from './journal.js';
import { preflightLinkingKey } from './linking-key.js';
import { observeFleet } from './observe.js';
import { preflightAccess } from './provision-shared.js';
import { matchRecords, taggedIdentity } from './status-join.js';
import {
  describeLeftover,
  leftoversParameter,
  mergeLeftovers,
  readLeftovers,
  tenableOutOfReach,
  writeLeftovers,
  type TenableLeftover,
} from './tenable-leftovers.js';
import { parseDuration } from './time.js';
import { provision, type UpDeps, type UpEvents } from './up.js';
import type { ScannerListing } from './wait-for-link.js';
import { waitPhase, type ScannerOutcome } from './wait-phase.js';

export interface RebuildEvents extends Omit<UpEvents, 'confirm'> {
  /** Shows what will be replaced and asks; false cancels before anything is created. */
  confirm(plan: RebuildPlan): Promise<boolean>;
}

export interface RebuildDeps extends Omit<UpDeps, 'events'> {
  events: RebuildEvents;
}

export interface RebuildOptions {
  dryRun: boolean;
  force: boolean;
  timeoutMs?: number;
  forceUnlock: boolean;
}

export interface OldScanner {
  instanceId: string;
  name: string;
  state: string;
  imageId: string;
  instanceType: string;
  /** The Tenable record tagged on the instance (deleted after the switch); null when none was tagged. */
  scannerId: number | null;
  scannerUuid: string | null;
}

export interface RebuildPlan {
  fleet: string;
  region: string;
  ami: { from: string[]; to: string; name?: string };
  /** Why a rebuild is needed (empty: nothing changed; --force rebuilds anyway). */
  reasons: string[];
  needed: boolean;
  old: OldScanner[];
  launch: number;
  /** Scanner groups the old scanners are in (beyond link.groups); the replacements join them before the switch. */
  groups: Array<{ id: number; name: string }>;
}

export interface RebuildResult {
  rebuilt: boolean;
  dryRun: boolean;
  cancelled: boolean;
  plan: RebuildPlan;
  mapping: Array<{ old: OldScanner | null; new: (ScannerOutcome & { imageId: string }) | null }>;
  removed: { instances: string[]; records: number[] };
  timings: { totalMs: number; waitMs: number };
}

const LIVE = ['pending', 'running', 'stopping', 'stopped'];

/**
 * `rebuild` (blue/green): replacements are launched from the fleet's AMI (newest or pinned), waited
 * on until ready and added to the old scanners' groups; only then are the old instances terminated
 * and their Tenable records deleted (by the tagged id). A failure before that switch removes the
 * replacements and leaves the old fleet serving. Holds the fleet lock throughout.
 */
export async function rebuild(deps: RebuildDeps, opts: RebuildOptions): Promise<RebuildResult> {
  const { config, aws, events, signal } = deps;
  const started = deps.now();
  const usesTenable = config.link.method !== 'standalone';
  preflightLinkingKey(config, deps.env);
  const tenable: TenableClient | null = usesTenable ? deps.tenable() : null; // exit 2 without TIO keys

  events.step('observe', 'Looking up AMI, network and the running fleet', 'running');
  const observed = await observeFleet(config, aws, { network: 'always' });
  if (!observed.path.ok) {
    throw new RuntimeError(
      'NETWORK_PATH',
      `The scanners could not reach Tenable or SSM: ${observed.path.problems.join('; ')}`,
      {
        hint: 'fix the network path first; `nessus-byol plan` shows the check',
      },
    );
  }
  // Plan the replacements as if no scanner ran: the whole declared count, spread over the subnets.
  const plan = buildPlan(config, { ...observed, existing: { ...observed.existing, instances: [] } });
  await preflightAccess(plan);
  if (plan.ami.id === null) throw new RuntimeError('AMI_NOT_FOUND', 'The AMI could not be resolved.');
  // The plan's GET /scanners, reused before launch when still fresh: never two listings within an interval.
  const planListing: { value?: ScannerListing } = {};
  const rplan = await planRebuild(deps, plan, tenable, opts.force, planListing);
  events.step(
    'observe',
    'Looked up AMI, network and the running fleet',
    'done',
    `${rplan.old.length} running, target ${rplan.ami.to}`,
  );
  const result = (over: Partial<RebuildResult>): RebuildResult => ({
    rebuilt: false,
    dryRun: opts.dryRun,
    cancelled: false,
    plan: rplan,
    mapping: [],
    removed: { instances: [], records: [] },
    timings: { totalMs: deps.now() - started, waitMs: 0 },
    ...over,
  });
  if (!rplan.needed || opts.dryRun) return result({});
  if (!(await events.confirm(rplan))) return result({ cancelled: true });
  signal.throwIfAborted();

  const runId = randomBytes(6).toString('hex');
  const timeoutMs = opts.timeoutMs ?? parseDuration(config.wait.timeout);
  const lock = await acquireFleetLock(aws.ssm, {
    fleet: config.fleet,
    owner: deps.owner,
    runId,
    command: 'rebuild',
    ttlMs: timeoutMs + 30 * 60_000,
    now: deps.now,
    forceUnlock: opts.forceUnlock,
  });
  try {
    const journal = new Journal();
    let outcomes: ScannerOutcome[];
    const waitStarted = deps.now();
    let waitMs = 0;
    try {
      const upDeps: UpDeps = { ...deps, events: { ...events, confirm: async () => true } };
      const launched = await provision(upDeps, plan, observed, journal, runId, planListing.value ? { recentListing: planListing.value } : {});
      events.waiting?.(launched.expected.map((e) => ({ instanceId: e.instanceId, name: e.name, isNew: true })));
      outcomes = await waitPhase(
        {
          ...deps,
          onRecord: (_instanceId, record) =>
            journal.record({
              kind: 'tenable-record',
              id: String(record.id),
              undo: async () => void (await deps.tenable().deleteScanner(record.id)),
            }),
        },
        launched.expected,
        {
          timeoutMs,
          intervalMs: parseDuration(config.wait.interval),
          preexistingIds: launched.preexistingIds,
          ...(launched.listing ? { firstListing: launched.listing } : {}),
        },
      );
      waitMs = deps.now() - waitStarted;
      signal.throwIfAborted();
      if (tenable && rplan.groups.length > 0) {
        events.step('groups', `Adding the replacements to ${rplan.groups.map((g) => g.name).join(', ')}`, 'running');
        for (const o of outcomes)
          for (const g of rplan.groups)
            if (o.scannerId !== undefined) await tenable.addScannerToGroup(g.id, o.scannerId);
        events.step(
          'groups',
          'Replacements joined the scanner groups',
          'done',
          rplan.groups.map((g) => g.name).join(', '),
        );
      }
    } catch (error) {
      events.step('rollback', 'Removing the replacements; the old fleet keeps serving', 'running');
      const failures = await journal.rollback((entry, err) =>
        events.log(
          err ? 'warn' : 'info',
          `${err ? 'could not remove' : 'removed'} ${entry.kind} ${entry.id}${err ? `: ${(err as Error).message}` : ''}`,
        ),
      );
      events.step(
        'rollback',
        'Removed the replacements; the old fleet keeps serving',
        failures.length ? 'failed' : 'done',
        failures.length
          ? `${failures.length} left behind: ${failures.map((f) => `${f.entry.kind} ${f.entry.id}`).join(', ')}`
          : undefined,
      );
      if (signal.aborted)
        throw new InterruptedError(
          'Interrupted before the switch; the replacements were removed and the old fleet keeps serving.',
        );
      throw error;
    }

    // The switch: the replacements serve; retire the old scanners. Not interruptible from here.
    events.step('retire', `Terminating ${rplan.old.length} old instance(s)`, 'running');
    const removed: RebuildResult['removed'] = { instances: [], records: [] };
    const failures: string[] = [];
    const oldIds = rplan.old.map((o) => o.instanceId);
    try {
      await aws.ec2.terminate(oldIds);
      await aws.ec2.waitTerminated(oldIds);
      removed.instances.push(...oldIds);
    } catch (e) {
      failures.push(`terminating ${oldIds.join(', ')}: ${(e as Error).message}`);
    }
    events.step(
      'retire',
      `Terminated ${removed.instances.length} old instance(s)`,
      removed.instances.length === oldIds.length ? 'done' : 'failed',
      oldIds.join(', '),
    );
    // The old instances are gone whatever Tenable says; a record it would not delete is recorded for
    // `reconcile --fix` (or `down`) instead of keeping an old scanner running.
    const left: TenableLeftover[] = [];
    let tenableError: Error | null = null;
    for (const o of rplan.old) {
      if (o.scannerId === null || !tenable) continue;
      if (tenableError && tenableOutOfReach(tenableError)) {
        left.push({ id: o.scannerId, uuid: o.scannerUuid, name: o.name });
        continue;
      }
      try {
        await tenable.deleteScanner(o.scannerId);
        removed.records.push(o.scannerId);
      } catch (e) {
        tenableError = e as Error;
        left.push({ id: o.scannerId, uuid: o.scannerUuid, name: o.name });
      }
    }
    if (removed.records.length || left.length)
      events.step(
        'records',
        left.length
          ? `Could not delete ${left.length} old Tenable record(s)`
          : `Deleted ${removed.records.length} old Tenable record(s)`,
        left.length ? 'failed' : 'done',
        [...removed.records, ...left.map((l) => l.id)].join(', '),
      );
    let recorded = false;
    if (left.length > 0) {
      const parameter = leftoversParameter(config.fleet);
      try {
        const before = (await readLeftovers(aws.ssm, config.fleet)) ?? [];
        await writeLeftovers(aws.ssm, config.fleet, mergeLeftovers(before, left));
        recorded = true;
      } catch (e) {
        failures.push(`recording the Tenable records left in ${parameter}: ${(e as Error).message}`);
      }
      failures.push(
        `${left.length} old Tenable record(s) could not be deleted${tenableError ? ` (${tenableError.message.replace(/\.$/, '')})` : ''}; ` +
          `${recorded ? `they are recorded in the SSM parameter ${parameter}` : 'they could NOT be recorded — note them now'}:\n` +
          left.map((l) => `    Tenable record ${describeLeftover(l)}`).join('\n'),
      );
    }
    const newIds = new Map(
      (await aws.ec2.fleetInstances(config.fleet).catch(() => [] as FleetInstance[])).map((i) => [
        i.instanceId,
        i.imageId,
      ]),
    );
    const mapping = pair(
      rplan.old,
      outcomes.map((o) => ({ ...o, imageId: newIds.get(o.instanceId) ?? rplan.ami.to })),
    );
    if (failures.length > 0) {
      throw new RuntimeError(
        'REBUILD_CLEANUP',
        `The replacements are ready and serving, but retiring the old scanners failed:\n${failures.map((f) => `  ${f}`).join('\n')}`,
        {
          hint:
            `run \`nessus-byol reconcile -f ${config.file} --fix\` to remove what is left` +
            (left.length ? ' once Tenable answers again' : ''),
          data: {
            mapping,
            removed,
            leftovers: left,
            leftoversParameter: left.length && recorded ? leftoversParameter(config.fleet) : null,
            next: [`nessus-byol reconcile -f ${config.file} --fix`],
          },
        },
      );
    }
    return result({ rebuilt: true, mapping, removed, timings: { totalMs: deps.now() - started, waitMs } });
  } finally {
    await lock.release().catch(() => undefined);
  }
}

/** What runs, why it needs replacing, and the groups the old scanners are in. Read-only. */
async function planRebuild(
  deps: RebuildDeps,
  plan: Plan,
  tenable: TenableClient | null,
  force: boolean,
  listed: { value?: ScannerListing } = {},
): Promise<RebuildPlan> {
  const { config, aws } = deps;
  const target = plan.ami.id!;
  const instances = (await aws.ec2.fleetInstances(config.fleet, LIVE)).sort((a, b) =>
    (a.tags[TAG.scannerName] ?? a.instanceId).localeCompare(b.tags[TAG.scannerName] ?? b.instanceId),
  );
  if (instances.length === 0) {
    throw new RuntimeError(
      'NOTHING_TO_REBUILD',
      `Fleet "${config.fleet}" has no scanner running in ${config.region}; there is nothing to rebuild.`,
      {
        hint: `create the fleet with \`nessus-byol up -f ${config.file}\``,
      },
    );
  }
  const records = tenable ? await tenable.listScanners() : [];
  if (tenable) listed.value = { records, at: deps.now() };
  const matched = matchRecords(instances, records);
  const old: OldScanner[] = instances.map((i) => {
    const tagged = taggedIdentity(i);
    // Deletion goes by the tagged identity only; a uuid-only tag is resolved through the listing.
    const m = matched.get(i.instanceId);
    const byTag = m?.by === 'tag' ? m.record : undefined;
    return {
      instanceId: i.instanceId,
      name: i.tags[TAG.scannerName] ?? i.instanceId,
      state: i.state,
      imageId: i.imageId,
      instanceType: i.instanceType,
      scannerId: byTag?.id ?? tagged.id ?? null,
      scannerUuid: byTag?.uuid ?? tagged.uuid ?? null,
    };
  });
  const types = plan.instances.launches[0]?.instanceTypes ?? [];
  const reasons: string[] = [];
  for (const o of old) {
    if (o.imageId !== target)
      reasons.push(`${o.name} (${o.instanceId}) runs ${o.imageId}; the fleet's AMI is ${target}`);
    else if (types.length && !types.includes(o.instanceType))
      reasons.push(`${o.name} (${o.instanceId}) is ${o.instanceType}; the fleet declares ${types.join(' or ')}`);
  }
  const groups: RebuildPlan['groups'] = [];
  const oldIds = new Set([...matched.values()].map((m) => m.record.id));
  if (tenable && oldIds.size > 0) {
    for (const g of await tenable.listScannerGroups()) {
      const members = await tenable.listGroupScanners(g.id);
      // Groups named in the fleet file are joined by waitPhase already.
      if (members.some((m) => oldIds.has(m.id)) && !config.link.groups.includes(g.name))
        groups.push({ id: g.id, name: g.name });
    }
  }
  return {
    fleet: config.fleet,
    region: config.region,
    ami: {
      from: [...new Set(old.map((o) => o.imageId))],
      to: target,
      ...(plan.ami.name ? { name: plan.ami.name } : {}),
    },
    reasons,
    needed: reasons.length > 0 || force,
    old,
    launch: plan.instances.toLaunch,
    groups,
  };
}

/** Old → new, in name order; uneven counts leave nulls. */
function pair<T>(old: OldScanner[], replacements: T[]): Array<{ old: OldScanner | null; new: T | null }> {
  return Array.from({ length: Math.max(old.length, replacements.length) }, (_, k) => ({
    old: old[k] ?? null,
    new: replacements[k] ?? null,
  }));
}
