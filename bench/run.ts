import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { coldStartBench } from './cold-start.js';
import { fleetBench } from './fleet.js';
import { manualBench } from './manual.js';
import { orgBenchRows } from './org.js';
import { renderTable, writeResults } from './report.js';
import type { BenchRow } from './row.js';
import { startBenchWorld } from './world.js';

/**
 * `npm run bench`: ratios measured in one run against moto on loopback through the fault proxy
 * (a fixed latency per AWS call). Every row is PASS or MISS against its target and the process
 * exits 0 either way — machine noise never fails CI. It exits 1 only when the bench itself broke
 * (a scenario threw: moto missing, a command failed), shown as ERROR rows.
 *
 * Settings (environment): BENCH_FLEET (50), BENCH_LATENCY_MS (20), BENCH_LINK_DELAY_MS (5000),
 * BENCH_PLUGIN_DELAY_MS (1000), BENCH_INTERVAL_S (1), BENCH_COLD_RUNS (7).
 */

const num = (name: string, dflt: number): number => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && process.env[name] !== '' && process.env[name] !== undefined ? v : dflt;
};
const settings = {
  bigFleet: num('BENCH_FLEET', 50),
  latencyMs: num('BENCH_LATENCY_MS', 20),
  linkDelayMs: num('BENCH_LINK_DELAY_MS', 5000),
  pluginLoadDelayMs: num('BENCH_PLUGIN_DELAY_MS', 1000),
  intervalSec: num('BENCH_INTERVAL_S', 1),
  coldRuns: num('BENCH_COLD_RUNS', 7),
};
const RESULTS = fileURLToPath(new URL('./results.json', import.meta.url));

const errorRow = (id: string, name: string, e: unknown): BenchRow => ({ id, name, measured: (e as Error).message.split('\n')[0]!.slice(0, 120), target: '-', value: null, pass: false, detail: String((e as Error).stack ?? e) });

async function main(): Promise<number> {
  const log = (s: string) => process.stderr.write(`bench: ${s}\n`);
  const rows: BenchRow[] = [];
  log(`cold start (${settings.coldRuns} runs each)…`);
  rows.push(...(await coldStartBench(settings.coldRuns).catch((e: unknown) => [errorRow('P4', 'cold start', e)])));
  log('O1–O2: org-wide wait (simulated records)…');
  rows.push(...(await orgBenchRows().catch((e: unknown) => [errorRow('O1-2', 'org-wide wait', e)])));

  log(`starting moto + Tenable simulator + proxy (${settings.latencyMs} ms per AWS call)…`);
  const root = mkdtempSync(join(tmpdir(), 'nessus-byol-bench-runs-'));
  const world = await startBenchWorld(settings);
  try {
    log('warm-up up --no-wait…');
    const { cli, fleetDir, failIfNot } = await import('./cli.js');
    const { fleetYaml } = await import('./fleet.js');
    failIfNot(await cli(['up', '-f', 'fleet.yaml', '--yes', '--no-wait'], world.env, fleetDir(root, 'warmup', fleetYaml('bench-warmup', 1, 1))), 'warm-up up');
    log(`P1–P3: up 1, up ${settings.bigFleet}, re-run (scanners link ${settings.linkDelayMs} ms after launch)…`);
    rows.push(...(await fleetBench(world, root, settings).catch((e: unknown) => [errorRow('P1-3', 'fleet scaling / calls', e)])));
    log('P5: up --no-wait vs the aws CLI procedure…');
    rows.push(...(await manualBench(world, root).catch((e: unknown) => [errorRow('P5', 'manual procedure', e)])));
  } finally {
    await world.stop();
    rmSync(root, { recursive: true, force: true });
  }
  const order = ['P1', 'P2', 'P2b', 'P3a', 'P3b', 'P3c', 'P4a', 'P4b', 'P5', 'O1', 'O2'];
  rows.sort((a, b) => (order.indexOf(a.id) + 1 || 99) - (order.indexOf(b.id) + 1 || 99));
  process.stdout.write(`${renderTable(rows)}\n`);
  writeResults(RESULTS, { settings, rows });
  log(`results written to ${RESULTS}`);
  return rows.some((r) => r.value === null && !r.pass) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`bench: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
