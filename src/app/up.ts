import { randomBytes } from 'node:crypto';
import type { TenableClient } from '../adapters/tenable/client.js';
import type { ResolvedConfig } from '../config/resolve.js';
import { InterruptedError, RuntimeError, NessusByolError } from '../core/errors.js';
import { TAG, scannerName } from '../core/naming.js';
import { buildPlan, type Plan } from '../core/plan.js';
import type { Secret } from '../core/secret.js';
import { perInstanceScannerName, renderUserData, userDataPerInstance } from '../core/user-data.js';
import type { ConsoleReader } from './console-reader.js';
import { acquireFleetLock } from './fleet-lock.js';
import type { AwsGateways } from './gateways.js';
import { Journal } from './journal.js';
import { launchWithFallback } from './launch.js';
import { checkStoredKeyExists, needsKeyValue, preflightLinkingKey, readLinkingKey } from './linking-key.js';
import { observeFleet, type ObservedFleet } from './observe.js';
import { ensureInstanceRole, ensureKeyPair, ensureSecurityGroup, preflightAccess, storeLinkingKey } from './provision-shared.js';
import { parseDuration } from './time.js';
import { MIN_TICK_SHARE, type ExpectedScanner, type ScannerListing } from './wait-for-link.js';
import { waitPhase, type ScannerOutcome, type WaitEvents } from './wait-phase.js';

export interface UpEvents extends WaitEvents {
  step(id: string, title: string, status: 'running' | 'done' | 'skipped' | 'failed', detail?: string): void;
  /** Shows the plan and asks; false cancels before anything is created. */
  confirm(plan: Plan): Promise<boolean>;
  /** The provisioning is over; waiting starts (a renderer switches views here). */
  waiting?(scanners: Array<{ instanceId: string; name: string; isNew: boolean }>): void;
}

export interface UpDeps {
  config: ResolvedConfig;
  aws: AwsGateways;
  tenable: () => TenableClient;
  readConsole: ConsoleReader;
  env: NodeJS.ProcessEnv;
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  signal: AbortSignal;
  events: UpEvents;
  owner: string;
}

export interface UpOptions {
  wait: boolean;
  timeoutMs?: number;
  rollbackOnTimeout: boolean;
  keepOnFail: boolean;
  forceUnlock: boolean;
  command?: string;
}

export interface UpResult {
  cancelled: boolean;
  fleet: string;
  region: string;
  ami: { id: string; name?: string };
  created: Array<{ kind: string; id: string }>;
  kept: string[];
  drift: string[];
  scanners: Array<ScannerOutcome & { isNew: boolean; subnetId?: string; instanceType?: string }>;
  timings: { provisionMs: number; waitMs: number; totalMs: number };
}

/** `up`: observe, plan, confirm, create what is missing under the fleet lock, then wait until ready. */
export async function up(deps: UpDeps, opts: UpOptions): Promise<UpResult> {
  const { config, aws, events, signal } = deps;
  const started = deps.now();
  preflightLinkingKey(config, deps.env);
  if (config.link.method !== 'standalone' && (opts.wait || config.link.key.from === 'tenable-api')) deps.tenable(); // fails fast without TIO keys

  events.step('observe', 'Looking up AMI, network and existing resources', 'running');
  const observed = await observeFleet(config, aws);
  const plan = buildPlan(config, observed);
  if (!observed.path.ok) {
    throw new RuntimeError('NETWORK_PATH', `The scanners could not reach Tenable or SSM: ${observed.path.problems.join('; ')}`, {
      hint: 'fix the network path first; `nessus-byol plan` shows the check',
    });
  }
  await preflightAccess(plan);
  if (plan.ami.id === null) throw new RuntimeError('AMI_NOT_FOUND', 'The AMI could not be resolved.');
  events.step('observe', 'Looked up AMI, network and existing resources', 'done', `${plan.ami.id}; ${observed.path.summary}`);

  if (!(await events.confirm(plan))) {
    return { cancelled: true, fleet: config.fleet, region: config.region, ami: { id: plan.ami.id }, created: [], kept: [], drift: plan.drift, scanners: [], timings: { provisionMs: 0, waitMs: 0, totalMs: deps.now() - started } };
  }
  signal.throwIfAborted();

  const runId = randomBytes(6).toString('hex');
  // A run that creates nothing only waits: it needs no lock (and costs no SSM calls).
  const lock = nothingToCreate(plan) ? { release: async () => undefined } : await acquireFleetLock(aws.ssm, {
    fleet: config.fleet,
    owner: deps.owner,
    runId,
    command: opts.command ?? 'up',
    ttlMs: parseDuration(config.wait.timeout) + 30 * 60_000,
    now: deps.now,
    forceUnlock: opts.forceUnlock,
  });
  const journal = new Journal();
  let phase: 'provision' | 'wait' = 'provision';
  try {
    const launched = await provision(deps, plan, observed, journal, runId);
    const provisionMs = deps.now() - started;
    const kept = describeKept(plan);
    const expected: Array<ExpectedScanner & { isNew: boolean }> = [...launched.expected, ...(await existingExpected(config, aws, observed))];
    let outcomes: ScannerOutcome[] = expected.map((e) => ({ instanceId: e.instanceId, name: e.name, phase: 'waiting' }));
    const waitStarted = deps.now();
    if (opts.wait && expected.length > 0) {
      phase = 'wait';
      events.waiting?.(expected.map((e) => ({ instanceId: e.instanceId, name: e.name, isNew: e.isNew })));
      outcomes = await waitPhase(
        {
          ...deps,
          onRecord: (instanceId, record) => {
            if (!launched.expected.some((e) => e.instanceId === instanceId)) return;
            journal.record({ kind: 'tenable-record', id: String(record.id), undo: async () => void (await deps.tenable().deleteScanner(record.id)) });
          },
        },
        expected,
        {
          timeoutMs: opts.timeoutMs ?? parseDuration(config.wait.timeout),
          intervalMs: parseDuration(config.wait.interval),
          preexistingIds: launched.preexistingIds,
          ...(launched.listing ? { firstListing: launched.listing } : {}),
        },
      );
    }
    const waitMs = deps.now() - waitStarted;
    return {
      cancelled: false,
      fleet: config.fleet,
      region: config.region,
      ami: { id: plan.ami.id, ...(plan.ami.name ? { name: plan.ami.name } : {}) },
      created: journal.created().filter((c) => c.kind !== 'tenable-record'),
      kept,
      drift: plan.drift,
      scanners: outcomes.map((o) => {
        const e = expected.find((x) => x.instanceId === o.instanceId);
        const l = launched.details.get(o.instanceId);
        return { ...o, isNew: e?.isNew ?? false, ...(l ? { subnetId: l.subnetId, instanceType: l.instanceType } : {}) };
      }),
      timings: { provisionMs, waitMs, totalMs: deps.now() - started },
    };
  } catch (error) {
    const interrupted = signal.aborted;
    // Once launched, a scanner that fails to link or times out is kept for diagnosis (ssh logs,
    // console output) unless --rollback-on-timeout; provisioning failures and Ctrl-C always clean up.
    const timedOut = phase === 'wait' && error instanceof NessusByolError && (error.exitCode === 3 || error.exitCode === 4 || error.code === 'LINK_FAILED');
    const keep = opts.keepOnFail || (timedOut && !opts.rollbackOnTimeout && !interrupted);
    if (!keep && journal.entries.length > 0) {
      events.step('rollback', 'Removing what this run created', 'running');
      const failures = await journal.rollback((entry, err) => events.log(err ? 'warn' : 'info', `${err ? 'could not remove' : 'removed'} ${entry.kind} ${entry.id}${err ? `: ${(err as Error).message}` : ''}`));
      events.step('rollback', 'Removed what this run created', failures.length ? 'failed' : 'done', failures.length ? `${failures.length} left behind: ${failures.map((f) => `${f.entry.kind} ${f.entry.id}`).join(', ')}` : undefined);
    } else if (journal.entries.length > 0) {
      events.log('warn', `kept what this run created${timedOut ? ' for diagnosis' : ''}: ${journal.created().map((c) => `${c.kind} ${c.id}`).join(', ')}`);
    }
    if (interrupted) throw new InterruptedError(`Interrupted during ${phase}; ${keep ? 'what this run created was kept' : 'what this run created was removed'}.`);
    throw error;
  } finally {
    await lock.release().catch(() => undefined);
  }
}

/** What `provision` launched: the scanners to wait for and the Tenable ids that existed before. */
export interface Provisioned {
  expected: Array<ExpectedScanner & { isNew: true }>;
  preexistingIds: Set<number>;
  details: Map<string, { subnetId: string; instanceType: string }>;
  /** The `GET /scanners` taken before launch, to be reused as the wait's first tick. */
  listing?: ScannerListing;
}

/**
 * Creates what the plan says is missing (linking key, security group, key pair, role) and launches
 * `plan.instances.launches`, recording every step in the journal. Shared by `up` and `rebuild`.
 */
export async function provision(
  deps: UpDeps,
  plan: Plan,
  observed: ObservedFleet,
  journal: Journal,
  runId: string,
  opts: { recentListing?: ScannerListing } = {},
): Promise<Provisioned> {
  const { config, aws, events, signal } = deps;
  let linkingKey: Secret | undefined;
  if (plan.instances.toLaunch === 0) {
    events.step('key', 'Linking key', 'skipped', 'no scanner to launch');
  } else if (needsKeyValue(config)) {
    events.step('key', 'Reading the linking key', 'running');
    linkingKey = await readLinkingKey(config, deps);
    const stored = await storeLinkingKey(config, aws, linkingKey, journal);
    events.step('key', 'Linking key ready', 'done', stored === 'not-needed' ? `embedded in user-data (${linkingKey.masked()})` : `${stored} ${plan.linkingKey?.store} (${linkingKey.masked()})`);
  } else if (config.link.method !== 'standalone') {
    await checkStoredKeyExists(config, aws);
    events.step('key', 'Linking key', 'skipped', `instances read ${plan.linkingKey?.store} at boot`);
  }
  signal.throwIfAborted();

  const sg = await stepped(events, 'security-group', `Security group ${plan.securityGroup.name}`, () => ensureSecurityGroup(plan, aws, observed.vpcId, journal), (r) => r.id);
  signal.throwIfAborted();
  const kp = await stepped(events, 'key-pair', 'Key pair', () => ensureKeyPair(plan, aws, journal), (r) => r.name ?? 'none');
  signal.throwIfAborted();
  const role = await stepped(events, 'iam', 'Instance role and profile', () => ensureInstanceRole(plan, aws, journal, { role: observed.existing?.role ?? false, instanceProfile: observed.existing?.instanceProfile ?? false }), (r) => r.profile);
  signal.throwIfAborted();

  const preexistingIds = new Set<number>();
  let listing: ScannerListing | undefined;
  if (config.link.method !== 'standalone' && plan.instances.toLaunch > 0) {
    listing = await preLaunchListing(deps, opts.recentListing);
    for (const s of listing.records ?? []) preexistingIds.add(s.id);
  }

  const expected: Provisioned['expected'] = [];
  const details = new Map<string, { subnetId: string; instanceType: string }>();
  const subnets = observed.path.usable.map((p) => ({ id: p.subnet.id, publicIp: p.publicIp }));
  const baseTags = { ...plan.instances.tags, [TAG.runId]: runId };
  const perInstance = userDataPerInstance(config);
  for (const [i, launch] of plan.instances.launches.entries()) {
    signal.throwIfAborted();
    const index = plan.instances.existing + i;
    const suffix = randomBytes(2).toString('hex');
    const names = perInstance ? [perInstanceScannerName(config, index, suffix)] : [];
    const userData = renderUserData(config, { ...(linkingKey ? { linkingKey } : {}), ...(perInstance ? { index, suffix } : {}) });
    const ordered = [subnets.find((s) => s.id === launch.subnetId) ?? { id: launch.subnetId!, publicIp: launch.associatePublicIp === true }, ...subnets.filter((s) => s.id !== launch.subnetId)];
    events.step('launch', `Launching ${launch.count} scanner(s) in ${launch.subnetId}`, 'running');
    const outcome = await launchWithFallback(
      aws.ec2,
      {
        imageId: plan.ami.id!,
        instanceTypes: launch.instanceTypes,
        count: launch.count,
        subnets: ordered,
        securityGroupId: sg.id,
        instanceProfileName: role.profile,
        ...(kp.name ? { keyName: kp.name } : {}),
        userData,
        rootDeviceName: plan.instances.rootVolume.deviceName,
        volumeSizeGiB: plan.instances.rootVolume.sizeGiB,
        kmsKeyId: plan.instances.rootVolume.kmsKeyId,
        // Names with {instanceId} are only known after launch: the instance is tagged with its own
        // name when it links (one CreateTags per scanner, together with its Tenable id).
        tags: names[0] ? { ...baseTags, Name: names[0], [TAG.scannerName]: names[0] } : { ...baseTags, Name: `${config.fleet} (linking)` },
      },
      { sleep: (ms) => deps.sleep(ms, signal), onRetry: (m) => events.log('warn', m) },
    );
    const ids = outcome.instanceIds;
    const instanceNames = ids.map((id) => names[0] ?? scannerName(config.scanners.name, { fleet: config.fleet, region: config.region, instanceId: id }));
    journal.record({
      kind: 'instances',
      id: ids.join(','),
      undo: async () => {
        await aws.ec2.terminate(ids);
        await aws.ec2.waitTerminated(ids);
        // A scanner can link between the last poll and its termination: remove such records too,
        // by the exact names of the instances this run launched (never a prefix).
        if (config.link.method !== 'standalone') await deleteRecordsNamed(deps.tenable(), instanceNames, preexistingIds);
      },
    });
    const launchedAt = deps.now();
    ids.forEach((id, k) => {
      expected.push({ instanceId: id, name: instanceNames[k]!, launchedAt, isNew: true, launchedNow: true });
      details.set(id, { subnetId: outcome.subnetId, instanceType: outcome.instanceType });
      events.scanner({ instanceId: id, name: instanceNames[k]!, phase: 'launched', detail: `${outcome.instanceType} in ${outcome.subnetId}` });
    });
    events.step('launch', `Launched ${ids.length} scanner(s)`, 'done', ids.join(', '));
  }
  if (plan.instances.launches.length === 0) events.step('launch', 'Scanners', 'skipped', `all ${plan.instances.desired} already exist`);
  return { expected, preexistingIds, details, ...(listing ? { listing } : {}) };
}

/**
 * The `GET /scanners` taken before launch (which ids already exist). It is the wait's first tick,
 * so it is bounded like one: at most a poll interval (5 s at least, 30 s at most); a
 * listing this run took less than 0.8 interval ago (rebuild's plan) is reused instead of asking again.
 */
async function preLaunchListing(deps: UpDeps, recent: ScannerListing | undefined): Promise<ScannerListing> {
  const intervalMs = parseDuration(deps.config.wait.interval);
  if (recent?.records && deps.now() - recent.at < intervalMs * MIN_TICK_SHARE) return recent;
  const budget = Math.min(Math.max(intervalMs, 5_000), 30_000);
  const signal = AbortSignal.any([deps.signal, AbortSignal.timeout(budget)]);
  const records = await deps.tenable().listScanners({ signal }).catch(() => null);
  deps.signal.throwIfAborted();
  return { records, at: deps.now() };
}

/** The live (pending/running) instances of the fleet as scanners to wait for, by their tags. */
async function deleteRecordsNamed(tenable: TenableClient, names: string[], preexisting: ReadonlySet<number>): Promise<void> {
  const wanted = new Set(names);
  for (const r of await tenable.listScanners()) {
    if (wanted.has(r.name) && !preexisting.has(r.id)) await tenable.deleteScanner(r.id);
  }
}

/**
 * Running scanners from earlier runs. One not tagged yet (it never linked, or its run was killed)
 * gets its name from the template again, so a re-run converges instead of waiting on a wrong name.
 */
export async function existingExpected(config: ResolvedConfig, _aws: AwsGateways, observed: ObservedFleet): Promise<Array<ExpectedScanner & { isNew: false }>> {
  const live = (observed.existing?.instances ?? []).filter((i) => i.state === 'pending' || i.state === 'running');
  const out: Array<ExpectedScanner & { isNew: false }> = [];
  for (const i of live) {
    let name = i.scannerName;
    if (!name && config.scanners.name.includes('{instanceId}') && !userDataPerInstance(config)) {
      // Tagged with its name once it links (one CreateTags with the scanner id).
      name = scannerName(config.scanners.name, { fleet: config.fleet, region: config.region, instanceId: i.instanceId });
    }
    out.push({
      instanceId: i.instanceId,
      name: name ?? i.instanceId,
      launchedAt: i.launchedAt ?? 0,
      ...(i.scannerId !== undefined && Number.isFinite(i.scannerId) ? { scannerId: i.scannerId } : {}),
      isNew: false as const,
    });
  }
  return out;
}

/** True when the plan only keeps what exists: such a run just waits (no lock, no confirmation). */
export function nothingToCreate(plan: Plan): boolean {
  return (
    plan.instances.toLaunch === 0 &&
    plan.securityGroup.action === 'keep' &&
    (plan.iam.mode === 'existing' || plan.iam.action === 'keep') &&
    (!plan.keyPair || plan.keyPair.action !== 'create')
  );
}

function describeKept(plan: Plan): string[] {
  const kept: string[] = [];
  if (plan.securityGroup.action === 'keep') kept.push(`security group ${plan.securityGroup.id}`);
  if (plan.keyPair?.action === 'keep') kept.push(`key pair ${plan.keyPair.name}`);
  if (plan.iam.action === 'keep' && plan.iam.mode === 'create') kept.push(`role ${plan.iam.roleName}`);
  if (plan.instances.existing > 0) kept.push(`${plan.instances.existing} running scanner(s)`);
  return kept;
}

async function stepped<T>(events: UpEvents, id: string, title: string, run: () => Promise<T & { created: boolean }>, describe: (r: T) => string): Promise<T> {
  events.step(id, title, 'running');
  const r = await run();
  events.step(id, title, r.created ? 'done' : 'skipped', r.created ? `created ${describe(r)}` : `kept ${describe(r)}`);
  return r;
}
