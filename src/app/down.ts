import { randomBytes } from 'node:crypto';
import type { TenableClient } from '../adapters/tenable/client.js';
import type { ResolvedConfig } from '../config/resolve.js';
import { RuntimeError } from '../core/errors.js';
import { TAG } from '../core/naming.js';
import { deleteOwned, sharedInventory, type LeftAlone, type OwnedResource } from './down-inventory.js';
import { acquireFleetLock } from './fleet-lock.js';
import type { AwsGateways } from './gateways.js';
import { taggedIdentity } from './status-join.js';

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
}

export interface DownPlan {
  fleet: string;
  region: string;
  instances: Array<{ instanceId: string; name: string; state: string }>;
  /** Tenable records to delete: only by the id/uuid tagged on this fleet's instances, and only those that still exist. */
  records: Array<{ id: number; uuid: string; name: string; instanceId: string }>;
  /** Instances with no Tenable id/uuid tagged (never linked, or `up --no-wait` without `wait`). */
  untracked: Array<{ instanceId: string; name: string }>;
  shared: OwnedResource[];
  /** Shared resources kept because of --keep-shared. */
  keptShared: OwnedResource[];
  leftAlone: LeftAlone[];
  empty: boolean;
}

export interface DownResult {
  cancelled: boolean;
  dryRun: boolean;
  plan: DownPlan;
  removed: Array<{ kind: string; id: string; outcome?: string }>;
}

/** Finds everything of the fleet by tags; read-only. */
export async function planDown(
  deps: Pick<DownDeps, 'config' | 'aws' | 'tenable'>,
  opts: { keepShared: boolean },
): Promise<DownPlan> {
  const { config, aws } = deps;
  const usesTenable = config.link.method !== 'standalone';
  const tenable = usesTenable ? deps.tenable() : null; // exit 2 without TIO keys, before touching anything
  // Terminated instances keep their tags for a while: their records are still found (a second run finishes a failed first one).
  const [all, inventory, records] = await Promise.all([
    aws.ec2.fleetInstances(config.fleet, ['pending', 'running', 'stopping', 'stopped', 'shutting-down', 'terminated']),
    sharedInventory(config, aws),
    tenable ? tenable.listScanners() : Promise.resolve([]),
  ]);
  const live = all.filter((i) => i.state !== 'terminated');
  const planned: DownPlan['records'] = [];
  for (const i of all) {
    const { id, uuid } = taggedIdentity(i);
    const r = records.find((x) => (id !== undefined && x.id === id) || (uuid !== undefined && x.uuid === uuid));
    if (r && !planned.some((p) => p.id === r.id))
      planned.push({ id: r.id, uuid: r.uuid, name: r.name, instanceId: i.instanceId });
  }
  const name = (i: (typeof all)[number]) => i.tags[TAG.scannerName] ?? i.tags.Name ?? i.instanceId;
  const untracked = usesTenable
    ? live
        .filter((i) => taggedIdentity(i).id === undefined && taggedIdentity(i).uuid === undefined)
        .map((i) => ({ instanceId: i.instanceId, name: name(i) }))
    : [];
  const shared = opts.keepShared ? [] : inventory.owned;
  const plan: DownPlan = {
    fleet: config.fleet,
    region: config.region,
    instances: live.map((i) => ({ instanceId: i.instanceId, name: name(i), state: i.state })),
    records: planned,
    untracked,
    shared,
    keptShared: opts.keepShared ? inventory.owned : [],
    leftAlone: inventory.leftAlone,
    empty: false,
  };
  plan.empty = plan.instances.length === 0 && plan.records.length === 0 && plan.shared.length === 0;
  return plan;
}

/**
 * `down`: terminates the fleet's instances and waits for termination, deletes their Tenable
 * records by the tagged id/uuid (404 = done), then the fleet-level resources this fleet created.
 * Holds the fleet lock; running it twice is harmless (the second run finds nothing).
 */
export async function down(deps: DownDeps, opts: DownOptions): Promise<DownResult> {
  const { config, aws, events } = deps;
  events.step('find', `Finding everything of fleet ${config.fleet} by tags`, 'running');
  const plan = await planDown(deps, opts);
  events.step(
    'find',
    'Found the fleet resources',
    'done',
    `${plan.instances.length} instance(s), ${plan.records.length} Tenable record(s), ${plan.shared.length} shared resource(s)`,
  );
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
  try {
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
      for (const r of plan.records)
        await attempt('tenable-record', String(r.id), () => deps.tenable().deleteScanner(r.id));
      events.step(
        'records',
        'Deleted the Tenable records',
        'done',
        plan.records.map((r) => `${r.name} (${r.id})`).join(', '),
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
  } finally {
    await lock.release().catch(() => undefined);
  }
  if (failures.length > 0) {
    throw new RuntimeError(
      'DOWN_INCOMPLETE',
      `down removed ${removed.length} item(s) but left ${failures.length} behind:\n${failures.map((f) => `  ${f.kind} ${f.id}: ${f.error}`).join('\n')}`,
      {
        hint: `fix the cause and run \`nessus-byol down -f ${config.file}\` again (it is safe to repeat)`,
        data: { removed, failures },
      },
    );
  }
  return { cancelled: false, dryRun: false, plan, removed };
}
