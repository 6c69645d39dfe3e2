import { join } from 'node:path';
import { BIN, cleanEnv, median, REPO_ROOT, timed } from './cli.js';
import { fmt, ratio, type BenchRow } from './row.js';

/** P4: cold start of the bundled CLI against a bare `node -e 0`, medians of interleaved runs. */
export async function coldStartBench(runs: number): Promise<BenchRow[]> {
  const env = cleanEnv();
  const node = process.execPath;
  const cases = {
    node: [node, ['-e', '0']],
    help: [node, [BIN, '--help']],
    plan: [node, [BIN, 'plan', '-f', join(REPO_ROOT, 'examples', 'minimal.yaml'), '--offline']],
  } as const;
  const ms: Record<keyof typeof cases, number[]> = { node: [], help: [], plan: [] };
  // One warm-up of each so the file cache is equal for all; then interleave to share the noise.
  for (let i = 0; i <= runs; i++) {
    for (const [k, [cmd, args]] of Object.entries(cases) as Array<[keyof typeof cases, readonly [string, readonly string[]]]>) {
      const r = await timed(cmd, [...args], { env });
      if (r.code !== 0) throw new Error(`${args.join(' ')} exited ${r.code}: ${r.stderr}`);
      if (i > 0) ms[k].push(r.ms);
    }
  }
  const base = median(ms.node);
  const help = ratio(median(ms.help), base);
  const plan = ratio(median(ms.plan), base);
  return [
    {
      id: 'P4a',
      name: `cold start: --help vs node -e 0 (median of ${runs})`,
      measured: `${fmt(help)}× (${fmt(median(ms.help), 0)} ms vs ${fmt(base, 0)} ms)`,
      target: '≤ 2×',
      value: help,
      pass: help <= 2,
      detail: ms,
    },
    {
      id: 'P4b',
      name: `cold start: plan --offline vs node -e 0 (median of ${runs})`,
      measured: `${fmt(plan)}× (${fmt(median(ms.plan), 0)} ms vs ${fmt(base, 0)} ms)`,
      target: '≤ 3×',
      value: plan,
      pass: plan <= 3,
    },
  ];
}
