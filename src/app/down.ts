import { randomBytes } from 'node:crypto';
import type { TenableClient } from '../adapters/tenable/client.js';
import type { ResolvedConfig } from '../config/resolve.js';
import { DownIncompleteError, TenableError, UsageError } from '../core/errors.js';
import { TAG } from '../core/naming.js';
import { deleteOwned, sharedInventory, type LeftAlone, type OwnedResource } from './down-inventory.js';
import { acquireFleetLock } from './fleet-lock.js';
import type { AwsGateways } from './gateways.js';
import { taggedIdentity } from './status-join.js';
import {
  describeLeftover,
  leftoversParameter,
  mergeLeftovers,
  readLeftovers,
  sameRecord,
  tenableOutOfReach,
  writeLeftovers,
  type TenableLeftover,
} from './tenable-leftovers.js';

export interface DownEvents {
  step(id: string, title: string, status: 'running' | 'done' | 'skipped' | 'failed', detail?: string): void;
  log(level: 'info' | 'warn' | 'debug', message: string): void;
  /** Shows what will be removed and asks; false cancels before anything is touched. */
  confirm(plan: DownPlan): Promise<boolean>;
}

export interface DownDeps {
  config: ResolvedConfig;
  aws: AwsGateways;
  tenable: () => TenableClient;
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  events: DownEvents;
  owner: string;
}

export interface DownOptions {
  dryRun: boolean;
  keepShared: boolean;
  forceUnlock: boolean;
  /** Remove only the AWS side: Tenable is not asked and no record is deleted (e.g. no API keys at hand). */
  skipTenable: boolean;
}

/** A Tenable record of the fleet that `down` deletes by id (404 = already gone). */
export interface PlannedRecord {
  /** null when only the uuid is known and Tenable could not be asked for the id. */
  id: number | null;
  uuid: string | null;
  name: string;
  /** The instance it is tagged on; null for a record an earlier run left (the leftovers record). */
  instanceId: string | null;
  /** True when this run's `GET /scanners` showed it still exists; false when Tenable was not asked. */
  verified: boolean;
}

export interface DownPlan {
  fleet: string;
  region: string;
  instances: Array<{ instanceId: string; name: string; state: string }>;
  /** Tenable records to delete: by the id/uuid tagged on this fleet's instances, or recorded as left by an earlier run. */
  records: PlannedRecord[];
  /** Instances with no Tenable id/uuid tagged (never linked, or `up --no-wait` without `wait`). */
  untracked: Array<{ instanceId: string; name: string }>;
  shared: OwnedResource[];
  /** Shared resources kept because of --keep-shared. */
  keptShared: OwnedResource[];
  leftAlone: LeftAlone[];
  /** The fleet's record of Tenable records an earlier `down`/`rebuild` could not delete, when it exists. */
  leftovers: { parameter: string; records: TenableLeftover[] } | null;
  tenable: {
    /** `skipped`: --skip-tenable; `standalone`: the fleet does not link to Tenable. */
    mode: 'used' | 'skipped' | 'standalone';
    /** Why Tenable could not be asked which records still exist (the records are then deleted by id, unverified). */
    problem: string | null;
  };
  /** With --skip-tenable: the records tagged on the instances (or recorded), neither checked nor deleted. */
  notChecked: PlannedRecord[];
  empty: boolean;
}

export interface DownResult {
  cancelled: boolean;
  dryRun: boolean;
  plan: DownPlan;
  removed: Array<{ kind: string; id: string; outcome?: string }>;
}

const ALL_STATES = ['pending', 'running', 'stopping', 'stopped', 'shutting-down', 'terminated'];

/** The Tenable client, or exit 2 naming --skip-tenable when there are no API keys. */
function tenableOrSkipHint(deps: Pick<DownDeps, 'config' | 'tenable'>): TenableClient {
  try {
    return deps.tenable();
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    const why = "down needs them to delete the fleet's Tenable records.";
    const message = /; Tenable API keys are needed to [^.]*\.$/.test(e.message)
      ? e.message.replace(/; Tenable API keys are needed to [^.]*\.$/, `; ${why}`)
      : `${e.message} (${why})`;
    throw new UsageError(message, {
      hint: `export TIO_ACCESS_KEY and TIO_SECRET_KEY, or run \`nessus-byol down -f ${deps.config.file} --skip-tenable\` to remove only the AWS side (the fleet's Tenable records are then neither checked nor deleted)`,
      cause: e,
    });
  }
}

/**
 * Finds everything of the fleet by tags; read-only. AWS first: Tenable is asked (one `GET /scanners`)
 * only when the tags alone do not say what to delete — a uuid-only tag, or a terminated instance
 * whose record a previous run may have deleted already — and a Tenable that cannot be asked does
 * not stop the plan: the tagged records are then deleted by id, unverified.
 */
export async function planDown(
  deps: Pick<DownDeps, 'config' | 'aws' | 'tenable'>,
  opts: { keepShared: boolean; skipTenable?: boolean },
): Promise<DownPlan & { outOfReach: boolean }> {
  const { config, aws } = deps;
  const mode: DownPlan['tenable']['mode'] =
    config.link.method === 'standalone' ? 'standalone' : opts.skipTenable ? 'skipped' : 'used';
  const tenable = mode === 'used' ? tenableOrSkipHint(deps) : null; // exit 2 without TIO keys, before touching anything
  // Terminated instances keep their tags for a while: their records are still found (a second run finishes a failed first one).
  const [all, inventory, stored] = await Promise.all([
    aws.ec2.fleetInstances(config.fleet, ALL_STATES),
    sharedInventory(config, aws),
    mode === 'standalone' ? Promise.resolve(null) : readLeftovers(aws.ssm, config.fleet),
  ]);
  const recorded = stored ?? [];
  const live = all.filter((i) => i.state !== 'terminated');
  const name = (i: (typeof all)[number]) => i.tags[TAG.scannerName] ?? i.tags.Name ?? i.instanceId;

  let candidates: Array<PlannedRecord & { terminated: boolean }> = [];
  if (mode !== 'standalone') {
    for (const i of all) {
      const { id, uuid } = taggedIdentity(i);
      if (id === undefined && uuid === undefined) continue;
      const c = {
        id: id ?? null,
        uuid: uuid ?? null,
        name: name(i),
        instanceId: i.instanceId,
        verified: false,
        terminated: i.state === 'terminated',
      };
      const seen = candidates.find((x) => sameRecord(x, c));
      if (!seen) candidates.push(c);
      else if (!c.terminated) Object.assign(seen, { instanceId: c.instanceId, name: c.name, terminated: false });
    }
    for (const l of recorded)
      if (!candidates.some((x) => sameRecord(x, l)))
        candidates.push({ ...l, instanceId: null, verified: false, terminated: false });
  }

  let problem: string | null = null;
  let outOfReach = false;
  if (tenable && candidates.some((c) => c.terminated || c.id === null)) {
    try {
      const records = await tenable.listScanners();
      candidates = candidates.flatMap((c) => {
        const r = records.find((x) => sameRecord(c, x));
        return r ? [{ ...c, id: r.id, uuid: r.uuid, name: r.name, verified: true }] : []; // not listed: already gone
      });
    } catch (e) {
      // Tenable cannot be asked: the AWS side goes anyway; the tagged records are tried by id.
      problem = (e as Error).message;
      outOfReach = tenableOutOfReach(e);
    }
  }
  const records = candidates.map(({ terminated: _terminated, ...c }) => c);

  const untracked =
    mode === 'standalone'
      ? []
      : live
          .filter((i) => taggedIdentity(i).id === undefined && taggedIdentity(i).uuid === undefined)
          .map((i) => ({ instanceId: i.instanceId, name: name(i) }));
  const shared = opts.keepShared ? [] : inventory.owned;
  const plan: DownPlan & { outOfReach: boolean } = {
    fleet: config.fleet,
    region: config.region,
    instances: live.map((i) => ({ instanceId: i.instanceId, name: name(i), state: i.state })),
    records: mode === 'used' ? records : [],
    untracked,
    shared,
    keptShared: opts.keepShared ? inventory.owned : [],
    leftAlone: inventory.leftAlone,
    leftovers: stored !== null ? { parameter: leftoversParameter(config.fleet), records: recorded } : null,
    tenable: { mode, problem },
    notChecked: mode === 'skipped' ? records : [],
    empty: false,
    outOfReach,
  };
  plan.empty =
    plan.instances.length === 0 &&
    plan.records.length === 0 &&
    plan.shared.length === 0 &&
    !(mode === 'used' && plan.leftovers !== null);
  return plan;
}

const toLeftover = (r: PlannedRecord): TenableLeftover => ({ id: r.id, uuid: r.uuid, name: r.name });

/**
 * `down`: terminates the fleet's instances and waits for termination, deletes their Tenable
 * records by the tagged id (404 = done), then the fleet-level resources this fleet created.
 * Tenable being unreachable or refusing stops none of the AWS side: the records it could not delete
 * stay in one SSM parameter of the fleet (written before terminating, so a killed run leaves them
 * findable too) and the run ends with DOWN_INCOMPLETE; a later `down` or `reconcile --fix` deletes
 * them and the parameter. Holds the fleet lock; running it twice is harmless.
 */
export async function down(deps: DownDeps, opts: DownOptions): Promise<DownResult> {
  const { config, aws, events } = deps;
  events.step('find', `Finding everything of fleet ${config.fleet} by tags`, 'running');
  const { outOfReach: unreachableAtPlan, ...plan } = await planDown(deps, opts);
  events.step(
    'find',
    'Found the fleet resources',
    'done',
    `${plan.instances.length} instance(s), ${plan.records.length} Tenable record(s), ${plan.shared.length} shared resource(s)`,
  );
  if (plan.tenable.problem)
    events.log('warn', `Tenable could not be asked which records still exist: ${plan.tenable.problem}`);
  if (opts.dryRun || plan.empty) return { cancelled: false, dryRun: opts.dryRun, plan, removed: [] };
  if (!(await events.confirm(plan))) return { cancelled: true, dryRun: false, plan, removed: [] };

  const lock = await acquireFleetLock(aws.ssm, {
    fleet: config.fleet,
    owner: deps.owner,
    runId: randomBytes(6).toString('hex'),
    command: 'down',
    ttlMs: 60 * 60_000,
    now: deps.now,
    forceUnlock: opts.forceUnlock,
  });
  const removed: DownResult['removed'] = [];
  const failures: Array<{ kind: string; id: string; error: string }> = [];
  const attempt = async (kind: string, id: string, run: () => Promise<string | void>) => {
    try {
      const outcome = await run();
      removed.push({ kind, id, ...(outcome ? { outcome } : {}) });
      return true;
    } catch (e) {
      failures.push({ kind, id, error: (e as Error).message });
      events.log('warn', `could not remove ${kind} ${id}: ${(e as Error).message}`);
      return false;
    }
  };
  const parameter = leftoversParameter(config.fleet);
  const left: PlannedRecord[] = [];
  let tenableError: Error | null = null;
  let recorded = plan.leftovers !== null;
  let unrecorded = false;
  try {
    if (plan.tenable.mode === 'used' && plan.records.length > 0) {
      // Write-ahead: once the instances are gone their tags are the only trace of these records.
      const ahead = mergeLeftovers(plan.leftovers?.records ?? [], plan.records.map(toLeftover));
      if (ahead.length !== (plan.leftovers?.records.length ?? -1)) {
        try {
          await writeLeftovers(aws.ssm, config.fleet, ahead);
          recorded = true;
        } catch (e) {
          events.log('warn', `could not record the Tenable records to delete in ${parameter}: ${(e as Error).message}`);
        }
      }
    }

    const ids = plan.instances.map((i) => i.instanceId);
    let terminated = true;
    if (ids.length > 0) {
      events.step('terminate', `Terminating ${ids.length} instance(s)`, 'running');
      terminated = await attempt('instances', ids.join(','), async () => {
        await aws.ec2.terminate(ids);
        await aws.ec2.waitTerminated(ids);
      });
      events.step('terminate', `Terminated ${ids.length} instance(s)`, terminated ? 'done' : 'failed', ids.join(', '));
    }

    if (plan.records.length > 0) {
      events.step('records', `Deleting ${plan.records.length} Tenable record(s)`, 'running');
      let outOfReach = unreachableAtPlan;
      if (outOfReach) tenableError = new Error(plan.tenable.problem ?? 'Tenable could not be reached');
      for (const r of plan.records) {
        if (outOfReach || r.id === null) {
          left.push(r);
          continue;
        }
        try {
          const outcome = await deps.tenable().deleteScanner(r.id);
          removed.push({ kind: 'tenable-record', id: String(r.id), outcome });
        } catch (e) {
          left.push(r);
          tenableError = e as Error;
          events.log('warn', `could not delete Tenable record ${r.id} (${r.name}): ${(e as Error).message}`);
          // Unreachable or refusing: every other call would fail the same way (after its own retries).
          outOfReach = tenableOutOfReach(e);
        }
      }
      events.step(
        'records',
        left.length
          ? `Could not delete ${left.length} of ${plan.records.length} Tenable record(s)`
          : 'Deleted the Tenable records',
        left.length ? 'failed' : 'done',
        plan.records.map((r) => `${r.name} (${r.id ?? r.uuid})`).join(', '),
      );
    }

    if (!terminated && plan.shared.length > 0) {
      events.log('warn', 'instances may still be running: shared resources are kept; run `down` again');
    } else {
      for (const r of plan.shared) {
        events.step(`shared-${r.kind}`, `Deleting ${r.label}`, 'running');
        const ok = await attempt(r.kind, r.id, () => deleteOwned(r, config, aws, (ms) => deps.sleep(ms)));
        events.step(`shared-${r.kind}`, `${ok ? 'Deleted' : 'Could not delete'} ${r.label}`, ok ? 'done' : 'failed');
      }
    }

    // Every recorded record was planned (or seen gone in Tenable): what is left now is the whole record.
    if (plan.tenable.mode === 'used' && (recorded || left.length > 0)) {
      try {
        await writeLeftovers(aws.ssm, config.fleet, left.map(toLeftover));
        if (left.length === 0 && plan.leftovers !== null) removed.push({ kind: 'ssm-parameter', id: parameter });
      } catch (e) {
        unrecorded = left.length > 0;
        failures.push({ kind: 'ssm-parameter', id: parameter, error: (e as Error).message });
      }
    }
  } finally {
    await lock.release().catch(() => undefined);
  }
  if (left.length > 0 || failures.length > 0)
    throw incomplete(config.file, parameter, { removed, failures, left, tenableError, unrecorded });
  return { cancelled: false, dryRun: false, plan, removed };
}

function incomplete(
  file: string,
  parameter: string,
  r: {
    removed: DownResult['removed'];
    failures: Array<{ kind: string; id: string; error: string }>;
    left: PlannedRecord[];
    tenableError: Error | null;
    unrecorded: boolean;
  },
): DownIncompleteError {
  const lines: string[] = [];
  const instances = r.removed.find((x) => x.kind === 'instances');
  const done = [
    instances ? `terminated ${instances.id.split(',').length} instance(s)` : null,
    r.removed.some((x) => x.kind !== 'instances' && x.kind !== 'tenable-record')
      ? `removed ${r.removed.filter((x) => x.kind !== 'instances' && x.kind !== 'tenable-record').length} fleet resource(s)`
      : null,
    r.removed.some((x) => x.kind === 'tenable-record')
      ? `deleted ${r.removed.filter((x) => x.kind === 'tenable-record').length} Tenable record(s)`
      : null,
  ].filter(Boolean);
  lines.push(
    `down ${done.length ? done.join(', ') : 'removed nothing'}, but left ${r.left.length + r.failures.length} item(s) behind.`,
  );
  if (r.left.length > 0) {
    lines.push(
      `${r.left.length} Tenable record(s) could not be deleted${r.tenableError ? ` (${r.tenableError.message.replace(/\.$/, '')})` : ''}; ` +
        (r.unrecorded
          ? 'they could NOT be recorded — note them now:'
          : `they are recorded in the SSM parameter ${parameter}:`),
    );
    for (const x of r.left) lines.push(`  Tenable record ${describeLeftover(toLeftover(x))}`);
  }
  for (const f of r.failures) lines.push(`  ${f.kind} ${f.id}: ${f.error}`);
  const next = `nessus-byol down -f ${file}`;
  const hint =
    r.left.length > 0
      ? `once Tenable answers again, run \`${next}\` again (or \`nessus-byol reconcile -f ${file} --fix\`) to delete them${r.unrecorded ? '' : ` and ${parameter}`}` +
        (r.tenableError instanceof TenableError && r.tenableError.hint
          ? `; ${r.tenableError.hint.charAt(0).toLowerCase()}${r.tenableError.hint.slice(1)}`
          : '')
      : `fix the cause and run \`${next}\` again (it is safe to repeat)`;
  return new DownIncompleteError(lines.join('\n'), {
    hint,
    data: {
      removed: r.removed,
      failures: r.failures,
      leftovers: r.left.map(toLeftover),
      leftoversParameter: r.left.length > 0 && !r.unrecorded ? parameter : null,
      next: [next, `nessus-byol reconcile -f ${file} --fix`],
    },
  });
}
