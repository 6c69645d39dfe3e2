import {
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  EC2Client,
  type Instance,
} from '@aws-sdk/client-ec2';
import { join } from 'node:path';
import { motoClientConfig } from './aws-env.js';
import { runBoot, type BootRecord } from './boot-runner.js';
import type { ImdsStandIn } from './imds.js';
import { sleep } from './net.js';
import { writeStandIns } from './stand-ins/index.js';

export type { BootRecord } from './boot-runner.js';

export interface BootWatcherOptions {
  /** moto's endpoint. */
  endpoint: string;
  regions: readonly string[];
  simulatorUrl: string;
  /** The IMDS stand-in; each instance is registered there before it boots. */
  imds: ImdsStandIn;
  stateDir: string;
  /** Extra variables for every boot. */
  env?: Record<string, string>;
  intervalMs?: number;
  /** Boots running at once. */
  concurrency?: number;
  bootTimeoutMs?: number;
  /** Progress for a log (boot started/finished, poll errors). */
  log?: (line: string) => void;
  /**
   * Extra moto accounts to watch besides the default one (moto's `x-moto-account-id`), e.g. the
   * member accounts a StackSet deploys to. Read on every poll, so accounts can be added later.
   */
  accounts?: () => readonly string[];
}

export interface BootWatcher {
  /** Every boot so far, oldest first; a running boot has `finishedAt` undefined. */
  readonly boots: readonly BootRecord[];
  /** The last poll error, if the last poll failed. */
  readonly lastError: unknown;
  /** Resolves once a poll that started after the call found nothing new and no boot is running. */
  waitForIdle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

interface Pending {
  instance: Instance;
  region: string;
  /** undefined: moto's default account. */
  account?: string | undefined;
}

/** Watches moto for running instances and boots each one once (see boot-runner.ts). */
export function startBootWatcher(opts: BootWatcherOptions): BootWatcher {
  const intervalMs = opts.intervalMs ?? 300;
  const concurrency = opts.concurrency ?? 8;
  const { binDir } = writeStandIns(join(opts.stateDir, 'bin'));
  const clients = new Map(opts.regions.map((r) => [r, new EC2Client(motoClientConfig(opts.endpoint, r))]));
  // One client per (account, region) beyond moto's default account; key `<account>/<region>`.
  const accountClients = new Map<string, EC2Client>();
  const clientFor = (account: string | undefined, region: string): EC2Client => {
    if (!account) return clients.get(region) as EC2Client;
    const key = `${account}/${region}`;
    let c = accountClients.get(key);
    if (!c) {
      c = new EC2Client(motoClientConfig(opts.endpoint, region));
      c.middlewareStack.add(
        (next) => async (args) => {
          (args.request as { headers: Record<string, string> }).headers['x-moto-account-id'] = account;
          return next(args);
        },
        { step: 'build', name: 'motoAccountId' },
      );
      accountClients.set(key, c);
    }
    return c;
  };
  const seen = new Set<string>();
  const queue: Pending[] = [];
  const active = new Set<Promise<void>>();
  const boots: BootRecord[] = [];
  const abort = new AbortController();
  /** Boots still running, by instance id: terminating the instance ends its boot, as on a real host. */
  const running = new Map<string, AbortController>();
  /** Instances seen not running: a boot that has not started yet must not start. */
  const gone = new Set<string>();
  const log = opts.log ?? (() => undefined);
  let lastError: unknown;
  let pollsCompleted = 0;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let polling: Promise<void> = Promise.resolve();

  async function pollRegion(region: string, ec2: EC2Client, account?: string): Promise<void> {
    let NextToken: string | undefined;
    do {
      const page = await ec2.send(
        new DescribeInstancesCommand({
          Filters: [{ Name: 'instance-state-name', Values: ['running', 'shutting-down', 'terminated', 'stopping', 'stopped'] }],
          NextToken,
        }),
      );
      for (const r of page.Reservations ?? []) {
        for (const instance of r.Instances ?? []) {
          if (!instance.InstanceId) continue;
          if (instance.State?.Name !== 'running') {
            // Terminated (or stopped): its boot ends now, and one still queued never starts, as a
            // real host that is gone runs nothing more.
            gone.add(instance.InstanceId);
            running.get(instance.InstanceId)?.abort(new Error('instance is no longer running'));
            const queued = queue.findIndex((q) => q.instance.InstanceId === instance.InstanceId);
            if (queued >= 0) queue.splice(queued, 1);
            continue;
          }
          if (seen.has(instance.InstanceId)) continue;
          seen.add(instance.InstanceId);
          queue.push({ instance, region, account });
        }
      }
      NextToken = page.NextToken;
    } while (NextToken);
  }

  async function poll(): Promise<void> {
    try {
      for (const [region, ec2] of clients) await pollRegion(region, ec2);
      for (const account of opts.accounts?.() ?? []) {
        for (const region of opts.regions) await pollRegion(region, clientFor(account, region), account);
      }
      lastError = undefined;
    } catch (e) {
      if (lastError === undefined) log(`poll failed: ${(e as Error).message}`);
      lastError = e;
    }
    pump();
    pollsCompleted++;
  }

  function pump(): void {
    while (!stopped && active.size < concurrency && queue.length > 0) {
      const next = queue.shift() as Pending;
      const p = boot(next).finally(() => {
        active.delete(p);
        pump();
      });
      active.add(p);
    }
  }

  async function boot({ instance, region, account }: Pending): Promise<void> {
    const instanceId = instance.InstanceId as string;
    const ec2 = clientFor(account, region);
    const record: BootRecord = {
      instanceId,
      region,
      kind: 'none',
      exitCode: undefined,
      timedOut: false,
      consoleLines: [],
      startedAt: new Date().toISOString(),
      finishedAt: undefined,
    };
    // Registered before the first await, so a termination seen meanwhile aborts this boot too.
    const own = new AbortController();
    running.set(instanceId, own);
    try {
      const attr = await ec2.send(
        new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute: 'userData' }),
      );
      if (gone.has(instanceId) || own.signal.aborted) {
        running.delete(instanceId);
        log(`boot ${instanceId} skipped: the instance is no longer running`);
        return;
      }
      opts.imds.register(instanceId, {
        region,
        availabilityZone: instance.Placement?.AvailabilityZone ?? `${region}a`,
        instanceProfileArn: instance.IamInstanceProfile?.Arn,
        instanceProfileId: instance.IamInstanceProfile?.Id,
      });
      boots.push(record);
      log(`boot ${instanceId} (${region}) started`);
      await runBoot(
        { instanceId, region, hostname: instance.PrivateDnsName, userDataBase64: attr.UserData?.Value },
        {
          stateDir: opts.stateDir,
          binDir,
          motoEndpoint: opts.endpoint,
          simulatorUrl: opts.simulatorUrl,
          imdsEndpoint: opts.imds.baseUrlFor(instanceId),
          env: opts.env,
          timeoutMs: opts.bootTimeoutMs ?? 120_000,
          signal: AbortSignal.any([abort.signal, own.signal]),
        },
        record,
      ).finally(() => running.delete(instanceId));
      log(`boot ${instanceId} finished: exit ${record.exitCode} (${record.kind})`);
    } catch (e) {
      running.delete(instanceId);
      if (!boots.includes(record)) {
        // Reading the user-data failed (moto restarting?): try this instance again on a later poll.
        seen.delete(instanceId);
      } else {
        record.exitCode = record.exitCode ?? 1;
        record.finishedAt = new Date().toISOString();
      }
      log(`boot ${instanceId} failed: ${(e as Error).message}`);
    }
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      polling = poll().finally(schedule);
    }, intervalMs);
  }
  polling = poll().finally(schedule);

  return {
    boots,
    get lastError() {
      return lastError;
    },
    async waitForIdle(timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        // Two completed polls guarantee one that started after this point.
        const target = pollsCompleted + 2;
        while (pollsCompleted < target) {
          if (stopped) return;
          if (Date.now() > deadline) throw new Error('boot watcher did not become idle in time');
          await sleep(Math.min(50, intervalMs));
        }
        if (queue.length === 0 && active.size === 0) return;
        await Promise.race([Promise.all([...active]), sleep(Math.max(0, deadline - Date.now()))]);
        if (Date.now() > deadline) throw new Error('boot watcher did not become idle in time');
      }
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      abort.abort();
      await polling.catch(() => undefined);
      await Promise.all([...active]);
      for (const c of clients.values()) c.destroy();
      for (const c of accountClients.values()) c.destroy();
    },
  };
}
