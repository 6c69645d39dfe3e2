/**
 * Organisation-scale benchmark rows for `npm run bench` (bench/run.ts imports `orgBenchRows`; run
 * alone with `node --import tsx bench/org.ts`); no moto needed. Measures, with simulated Tenable records:
 *  1. Tenable requests per poll tick with 200 expected scanners (must stay 1);
 *  2. the tool's own CPU time per tick at 1,000 scanners (matching + matrix; budget 50 ms).
 * Ratios and budgets, not timed tests: machine noise never fails CI.
 */
import { fileURLToPath } from 'node:url';
import type { StackInstanceSummary } from '../src/adapters/aws/cloudformation-stacksets.js';
import type { TenableScanner } from '../src/adapters/tenable/scanner.js';
import { waitForOrg } from '../src/app/org/wait.js';
import { templateScannerName } from '../src/core/cloudformation.js';
import { fmt, type BenchRow } from './row.js';


const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-2'];

function fleet(scanners: number, perStack: number): { instances: StackInstanceSummary[]; records: TenableScanner[] } {
  const stacks = scanners / perStack;
  const instances: StackInstanceSummary[] = Array.from({ length: stacks }, (_, i) => ({
    account: String(100000000000 + Math.floor(i / REGIONS.length)),
    region: REGIONS[i % REGIONS.length]!,
    status: 'CURRENT',
    detailedStatus: 'SUCCEEDED',
    reason: undefined,
    ou: 'ou-ab12-cdef3456',
  }));
  let id = 1000;
  const records: TenableScanner[] = instances.flatMap((s) =>
    Array.from({ length: perStack }, (_, i) => ({ id: id++, uuid: `uuid-${id}`, name: templateScannerName('bench', s.account, s.region, i), type: 'managed', status: 'on', linked: true, lastConnectMs: Date.now(), loadedPluginSet: '202501010000' })),
  );
  // Other fleets' scanners in the same container: matching must skip them cheaply.
  for (let i = 0; i < scanners; i++) records.push({ id: id++, uuid: `other-${i}`, name: `other-fleet-${i}`, type: 'managed', status: 'on', linked: true, lastConnectMs: null });
  return { instances, records };
}

/** Runs the org-wide wait with every record arriving over `rounds` ticks; returns requests and CPU per tick. */
async function measure(scanners: number, rounds: number): Promise<{ requestsPerTick: number; cpuMsPerTick: number; ticks: number }> {
  const perStack = 2;
  const { instances, records } = fleet(scanners, perStack);
  const mine = records.slice(0, scanners);
  const others = records.slice(scanners);
  let requests = 0;
  let clock = 0;
  let cpu = 0;
  let tickStart = process.cpuUsage();
  const result = await waitForOrg({
    tenable: {
      listScanners: async () => {
        requests++;
        const visible = Math.ceil((requests / rounds) * mine.length);
        const page = [...others, ...mine.slice(0, visible)];
        tickStart = process.cpuUsage(); // the simulated response is not the tool's CPU
        return page;
      },
    },
    fleet: 'bench',
    perStack,
    instances,
    until: 'ready',
    timeoutMs: 3600_000,
    intervalMs: 10_000,
    now: () => clock,
    sleep: async (ms) => {
      clock += ms;
    },
    onTick: () => {
      const d = process.cpuUsage(tickStart);
      cpu += (d.user + d.system) / 1000;
    },
  });
  if (!result.settled) throw new Error('benchmark fleet never settled');
  return { requestsPerTick: requests / result.ticks, cpuMsPerTick: cpu / result.ticks, ticks: result.ticks };
}

export async function orgBenchRows(): Promise<BenchRow[]> {
  const small = await measure(200, 10);
  await measure(1000, 5); // warm-up (JIT)
  const large = await measure(1000, 20);
  return [
    { id: 'O1', name: 'org wait: Tenable requests per tick, 200 expected scanners', measured: `${fmt(small.requestsPerTick)} GET /scanners per tick (${small.ticks} ticks)`, target: '= 1', value: small.requestsPerTick, pass: small.requestsPerTick === 1, detail: small },
    { id: 'O2', name: 'org wait: own CPU per tick, 1,000 scanners (+1,000 other records)', measured: `${fmt(large.cpuMsPerTick)} ms`, target: '< 50 ms', value: large.cpuMsPerTick, pass: large.cpuMsPerTick < 50, detail: large },
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rows = await orgBenchRows();
  for (const r of rows) console.log(`${r.pass ? 'PASS' : 'MISS'}  ${r.id} ${r.name}: ${r.measured} (target ${r.target})`);
}
