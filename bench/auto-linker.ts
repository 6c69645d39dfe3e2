import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { motoClientConfig } from '../src/sandbox/aws-env.js';

/**
 * Stands in for a booting scanner without running its user-data: watches moto (directly, not
 * through the proxy, so these calls are not counted) for instances the tool launched and, a fixed
 * delay after each is first seen, links it in the simulator under its scanner name through
 * `/_sim/link` — what the real `nessuscli managed link` in the bootstrap ends up doing.
 */
export interface AutoLinker {
  /** instance id → epoch ms the simulator answered the link. */
  readonly linkedAt: ReadonlyMap<string, number>;
  /** instance id → epoch ms the linker first saw it running. */
  readonly seenAt: ReadonlyMap<string, number>;
  /** Only instances of these fleets are linked (others stay unlinked); undefined = all. */
  setFleets(fleets: string[] | undefined): void;
  stop(): Promise<void>;
}

export function startAutoLinker(opts: { motoEndpoint: string; region: string; simulatorUrl: string; linkingKey: string; delayMs: number; pollMs?: number }): AutoLinker {
  const ec2 = new EC2Client(motoClientConfig(opts.motoEndpoint, opts.region));
  const seenAt = new Map<string, number>();
  const linkedAt = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  let fleets: string[] | undefined;
  let stopped = false;

  const link = async (instanceId: string, name: string) => {
    const res = await fetch(`${opts.simulatorUrl}/_sim/link`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key: opts.linkingKey, name, hostname: `ip-${instanceId}`, cloud: true }),
    });
    await res.arrayBuffer();
    if (res.ok) linkedAt.set(instanceId, Date.now());
  };

  // The bootstrap names a scanner at boot: the name template with its instance id from IMDS
  // (`{fleet}-{instanceId}` by default), or the name tagged at launch for per-instance names.
  const names = new Map<string, string>();
  const linkWhenNamed = (id: string) => {
    const name = names.get(id);
    const t = setTimeout(
      () => {
        timers.delete(t);
        if (name === undefined) linkWhenNamed(id);
        else void link(id, name).catch(() => undefined);
      },
      name === undefined ? 100 : 0,
    );
    timers.add(t);
  };

  const poll = async () => {
    const out = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:nessus-byol:managed', Values: ['true'] }, { Name: 'instance-state-name', Values: ['pending', 'running'] }] }));
    for (const i of (out.Reservations ?? []).flatMap((r) => r.Instances ?? [])) {
      const id = i.InstanceId;
      if (!id) continue;
      const tags = Object.fromEntries((i.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
      if (fleets && !fleets.includes(tags['nessus-byol:fleet'] ?? '')) continue;
      const name = tags['nessus-byol:scanner-name'] ?? (tags['nessus-byol:fleet'] ? `${tags['nessus-byol:fleet']}-${id}` : undefined);
      if (name !== undefined) names.set(id, name);
      if (seenAt.has(id)) continue;
      seenAt.set(id, Date.now());
      const t = setTimeout(() => {
        timers.delete(t);
        linkWhenNamed(id);
      }, opts.delayMs);
      timers.add(t);
    }
  };

  const loop = (async () => {
    while (!stopped) {
      await poll().catch(() => undefined);
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 200));
    }
  })();

  return {
    seenAt,
    linkedAt,
    setFleets(f) {
      fleets = f;
    },
    async stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      await loop;
      ec2.destroy();
    },
  };
}
