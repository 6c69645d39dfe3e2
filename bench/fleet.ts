import type { RecordedRequest } from '../src/sandbox/tenable-simulator.js';
import { cli, countActions, failIfNot, fleetDir, type Timed } from './cli.js';
import { fmt, ratio, type BenchRow } from './row.js';
import type { BenchWorld } from './world.js';

/**
 * P1 fleet scaling, P2 Tenable requests per poll tick, P3 AWS API calls — all from two `up` runs
 * (1 scanner, then N) and a re-run of the first, through the latency proxy.
 */

export interface FleetBenchOptions {
  bigFleet: number;
  intervalSec: number;
}

interface UpRun {
  fleet: string;
  count: number;
  run: Timed;
  instanceIds: string[];
  calls: BenchWorld['proxy']['calls'];
  requests: RecordedRequest[];
}

export const fleetYaml = (fleet: string, count: number, intervalSec: number, extra = ''): string =>
  `version: 1\nfleet: ${fleet}\nregion: us-east-1\nscanners:\n  count: ${count}\nwait: { until: ready, timeout: 5m, interval: ${intervalSec}s }\n${extra}`;

async function up(world: BenchWorld, root: string, fleet: string, count: number, intervalSec: number, label: string): Promise<UpRun> {
  const cwd = fleetDir(root, label, fleetYaml(fleet, count, intervalSec));
  const c0 = world.proxy.calls.length;
  const r0 = world.simulator.requests.length;
  const run = await cli(['up', '-f', 'fleet.yaml', '--yes', '--json'], world.env, cwd);
  failIfNot(run, `up (${fleet}, ${count} scanners)`);
  const doc = JSON.parse(run.stdout) as { scanners?: Array<{ instanceId: string }> };
  return {
    fleet,
    count,
    run,
    instanceIds: (doc.scanners ?? []).map((s) => s.instanceId),
    calls: world.proxy.calls.slice(c0),
    requests: world.simulator.requests.slice(r0),
  };
}

/** Calls before the first RunInstances (shared resources, observation) and from it on (launch, naming, wait). */
function split(u: UpRun) {
  const launch = u.calls.find((c) => c.action === 'RunInstances')?.at ?? Number.POSITIVE_INFINITY;
  return { provision: u.calls.filter((c) => c.at < launch), wait: u.calls.filter((c) => c.at >= launch) };
}

/** Where the time of one `up` went, in ms from its start: the lead's first question on a MISS. */
function timelineOf(world: BenchWorld, u: UpRun) {
  const rel = (t: number | undefined) => (t === undefined || !Number.isFinite(t) ? null : t - u.run.startedAt);
  const runs = u.calls.filter((c) => c.action === 'RunInstances');
  const links = u.instanceIds.map((id) => world.linker.linkedAt.get(id)).filter((t): t is number => t !== undefined);
  const firstLink = Math.min(...links);
  const tags = u.calls.filter((c) => c.action === 'CreateTags');
  return {
    firstAwsCall: rel(u.calls[0]?.at),
    firstRunInstances: rel(runs[0]?.at),
    lastRunInstances: rel(runs[runs.length - 1]?.at),
    lastNameTagBeforeFirstLink: rel(tags.filter((c) => c.at < firstLink).pop()?.at),
    firstLink: rel(firstLink),
    lastLink: rel(Math.max(...links)),
    lastCreateTags: rel(tags[tags.length - 1]?.at),
    lastAwsCall: rel(u.calls[u.calls.length - 1]?.at),
    exit: rel(u.run.endedAt),
  };
}

/** P2: polling requests per tick, and how many ticks it took to see the last link. */
function pollingOf(world: BenchWorld, u: UpRun) {
  const polls = u.requests.filter((q) => q.method === 'GET' && q.path === '/scanners');
  const first = polls[0]?.time ?? 0;
  const last = polls[polls.length - 1]?.time ?? 0;
  // Everything the tool asked Tenable about scanners while it was polling (group calls aside).
  const inWindow = u.requests.filter((q) => q.time >= first && q.time <= last && q.path.startsWith('/scanners'));
  const perTick = ratio(inWindow.length, polls.length);
  const linkTimes = u.instanceIds.map((id) => world.linker.linkedAt.get(id)).filter((t): t is number => t !== undefined);
  const lastLink = Math.max(...linkTimes);
  // The tool tags each instance with its Tenable id when it first matches it (CreateTags): the
  // last such call after the last link marks detection; count the polls in between.
  const tagCalls = u.calls.filter((c) => c.action === 'CreateTags' && c.at >= lastLink);
  const detectedAt = tagCalls.length ? tagCalls[tagCalls.length - 1]!.at : undefined;
  const ticksToDetect = detectedAt === undefined ? null : polls.filter((p) => p.time > lastLink && p.time <= detectedAt).length;
  const otherScannerCalls = countActions(inWindow.filter((q) => q.path !== '/scanners').map((q) => ({ action: `${q.method} ${q.path}` })));
  return { ticks: polls.length, requestsInWindow: inWindow.length, perTick, ticksToDetect, linked: linkTimes.length, otherScannerCalls };
}

export async function fleetBench(world: BenchWorld, root: string, opts: FleetBenchOptions): Promise<BenchRow[]> {
  const { bigFleet, intervalSec } = opts;
  const one = await up(world, root, 'bench-one', 1, intervalSec, 'p1-one');
  const many = await up(world, root, `bench-${bigFleet}`, bigFleet, intervalSec, 'p1-many');
  const rerunCwd = fleetDir(root, 'p3-rerun', fleetYaml('bench-one', 1, intervalSec));
  const c0 = world.proxy.calls.length;
  const rerun = await cli(['up', '-f', 'fleet.yaml', '--yes', '--json'], world.env, rerunCwd);
  failIfNot(rerun, 'up re-run (bench-one)');
  const rerunCalls = world.proxy.calls.slice(c0);

  const rows: BenchRow[] = [];
  const p1 = ratio(many.run.ms, one.run.ms);
  rows.push({
    id: 'P1',
    name: `fleet scaling: up ${bigFleet} vs 1 scanner`,
    measured: `${fmt(p1)}× (${fmt(many.run.ms / 1000, 1)} s vs ${fmt(one.run.ms / 1000, 1)} s)`,
    target: '≤ 1.5×',
    value: p1,
    pass: p1 <= 1.5,
    detail: { oneMs: Math.round(one.run.ms), manyMs: Math.round(many.run.ms), bigFleet, timelineOne: timelineOf(world, one), timelineMany: timelineOf(world, many) },
  });

  const p2one = pollingOf(world, one);
  const p2many = pollingOf(world, many);
  const p2pass = p2many.perTick === 1 && p2one.perTick === 1;
  rows.push({
    id: 'P2',
    name: `Tenable requests per poll tick (fleet of ${bigFleet})`,
    measured: `${fmt(p2many.perTick)} (${p2many.requestsInWindow} requests / ${p2many.ticks} ticks; fleet of 1: ${fmt(p2one.perTick)})`,
    target: 'exactly 1',
    value: p2many.perTick,
    pass: p2pass,
    detail: { one: p2one, many: p2many },
  });
  const detect = Math.max(p2one.ticksToDetect ?? Number.POSITIVE_INFINITY, p2many.ticksToDetect ?? Number.POSITIVE_INFINITY);
  rows.push({
    id: 'P2b',
    name: 'link detected within one tick',
    measured: `${p2one.ticksToDetect ?? 'n/a'} tick(s) (1 scanner), ${p2many.ticksToDetect ?? 'n/a'} tick(s) (${bigFleet} scanners)`,
    target: '≤ 1 tick',
    value: Number.isFinite(detect) ? detect : null,
    pass: detect <= 1,
  });

  const oneSplit = split(one);
  const manySplit = split(many);
  rows.push({
    id: 'P3a',
    name: 'AWS calls: first up of 1 scanner (shared resources included)',
    measured: `${one.calls.length} (${oneSplit.provision.length} before RunInstances + ${oneSplit.wait.length} from it on)`,
    target: '≤ 20',
    value: one.calls.length,
    pass: one.calls.length <= 20,
    detail: { beforeRunInstances: countActions(oneSplit.provision), fromRunInstances: countActions(oneSplit.wait) },
  });
  const extra = (many.calls.length - one.calls.length) / (bigFleet - 1);
  const extraProvision = (manySplit.provision.length - oneSplit.provision.length) / (bigFleet - 1);
  rows.push({
    id: 'P3b',
    name: 'AWS calls added per additional scanner',
    measured: `${fmt(extra)} (${many.calls.length} calls for ${bigFleet} vs ${one.calls.length}; before RunInstances ${fmt(extraProvision)})`,
    target: '≤ 1',
    value: extra,
    pass: extra <= 1,
    detail: { beforeRunInstances: countActions(manySplit.provision), fromRunInstances: countActions(manySplit.wait) },
  });
  rows.push({
    id: 'P3c',
    name: 'AWS calls: re-run of up with nothing to do',
    measured: String(rerunCalls.length),
    target: '≤ 6',
    value: rerunCalls.length,
    pass: rerunCalls.length <= 6,
    detail: countActions(rerunCalls),
  });
  return rows;
}
