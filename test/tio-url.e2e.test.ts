import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DescribeInstanceAttributeCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedRequest } from '../src/sandbox/tenable-simulator.js';
import { readStandInLog } from '../src/sandbox/stand-ins/index.js';
import { expectNoStackTrace, parseSingleJson, type CliResult } from './helpers/cli.js';
import { fleetYaml, startWorld, type LifecycleWorld } from './lifecycle-helpers.js';

/**
 * Issue 16: TIO_URL is the Tenable API endpoint whatever `tenable.site` says. A fleet file that says
 * `tenable.site: cloud` and TIO_URL at the sandbox's simulator: every Tenable call of up, wait,
 * status, rebuild and down goes to the simulator (its request log over HTTP, and every fetch the CLI
 * process made), none to https://cloud.tenable.com, and the user-data still links with `--cloud`.
 */

let w: LifecycleWorld;
let preload: string;

beforeAll(async () => {
  w = await startWorld('tio-url');
  // Loaded into the CLI with NODE_OPTIONS: appends the method and URL of every fetch the process makes.
  preload = join(w.dir, 'fetch-log.mjs');
  writeFileSync(
    preload,
    `import { appendFileSync } from 'node:fs';
const log = process.env.TEST_FETCH_LOG;
const real = globalThis.fetch;
globalThis.fetch = (input, init) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  if (log) appendFileSync(log, JSON.stringify({ method: init?.method ?? 'GET', url }) + '\\n');
  return real(input, init);
};
`,
  );
}, 120_000);

afterAll(async () => {
  await w?.stop();
});

const FLEET = 'tio';

interface Run {
  result: CliResult;
  /** Requests the CLI made, as the simulator logged them (GET /_sim/requests). */
  simulator: RecordedRequest[];
  /** Every fetch of the CLI process. */
  fetches: Array<{ method: string; url: string }>;
}

let n = 0;
async function run(args: string[]): Promise<Run> {
  const fetchLog = join(w.dir, `fetch-${++n}.jsonl`);
  appendFileSync(fetchLog, '');
  const before = ((await w.sim('GET', '/_sim/requests')) as RecordedRequest[]).length;
  const result = await w.cli(args, {
    timeoutMs: 180_000,
    env: {
      TIO_URL: w.sandbox.simulatorUrl,
      NESSUS_BYOL_TENABLE_API_URL: undefined,
      NODE_OPTIONS: `--import=${pathToFileURL(preload).href}`,
      TEST_FETCH_LOG: fetchLog,
    },
  });
  const all = (await w.sim('GET', '/_sim/requests')) as RecordedRequest[];
  const fetches = existsSync(fetchLog)
    ? readFileSync(fetchLog, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { method: string; url: string })
    : [];
  return { result, simulator: all.slice(before).filter((q) => q.userAgent?.includes('nessus-byol')), fetches };
}

/** The command succeeded and talked to Tenable only through TIO_URL. */
function expectOnlyTioUrl(r: Run, command: string, opts: { lists?: boolean } = {}): void {
  expect(r.result.code, `${command}: ${r.result.stderr}`).toBe(0);
  expectNoStackTrace(r.result.stderr);
  const origin = new URL(w.sandbox.simulatorUrl).origin;
  expect(r.fetches.length, `${command} called the Tenable API`).toBeGreaterThan(0);
  for (const f of r.fetches) expect(new URL(f.url).origin, `${command}: ${f.method} ${f.url}`).toBe(origin);
  // Every call the process made arrived at the simulator (none went anywhere else and vanished).
  expect(r.simulator.map((q) => `${q.method} ${q.path}`).sort()).toEqual(
    r.fetches.map((f) => `${f.method} ${new URL(f.url).pathname.replace(/\/+$/, '')}`).sort(),
  );
  if (opts.lists !== false) expect(r.simulator.some((q) => q.method === 'GET' && q.path === '/scanners'), `${command} listed the scanners`).toBe(true);
}

async function userDataOf(id: string): Promise<string> {
  const out = await w.ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: id, Attribute: 'userData' }));
  return Buffer.from(out.UserData?.Value ?? '', 'base64').toString('utf8');
}

function linkArgs(instanceId: string): string[][] {
  return readStandInLog(join(w.sandbox.stateDir, 'boot', instanceId, 'nessuscli.jsonl'))
    .filter((c) => c.argv[0] === 'managed' && c.argv[1] === 'link')
    .map((c) => c.argv);
}

describe('TIO_URL moves every Tenable API call; tenable.site: cloud still links with --cloud', () => {
  it('up, wait, status, rebuild and down talk only to TIO_URL', async () => {
    const file = await w.fleetFile(FLEET, `${fleetYaml(FLEET, { count: 1 })}tenable: { site: cloud }\n`);

    const plan = await run(['plan', '-f', file, '--offline', '--json']);
    expect(plan.result.code, plan.result.stderr).toBe(0);
    expect(parseSingleJson(plan.result.stdout)).toMatchObject({ plan: { tenable: { site: 'cloud', apiUrl: w.sandbox.simulatorUrl } } });

    const up = await run(['up', '-f', file, '--yes', '--json']);
    expectOnlyTioUrl(up, 'up');
    expect(up.simulator.some((q) => q.method === 'GET' && /^\/scanners\/[^/]+\/key$/.test(q.path)), 'up read the linking key').toBe(true);
    const scanners = (parseSingleJson(up.result.stdout) as { scanners: Array<{ instanceId: string; phase: string }> }).scanners;
    expect(scanners).toHaveLength(1);
    expect(scanners[0]!.phase).toBe('ready');
    const first = scanners[0]!.instanceId;
    expect(await userDataOf(first)).toMatch(/managed link [^\n]*--cloud\n/);
    expect(linkArgs(first)).toEqual([expect.arrayContaining(['managed', 'link', '--cloud'])]);

    expectOnlyTioUrl(await run(['wait', '-f', file, '--json']), 'wait');
    expectOnlyTioUrl(await run(['status', '-f', file, '--json']), 'status');

    const rebuild = await run(['rebuild', '-f', file, '--yes', '--force', '--json']);
    expectOnlyTioUrl(rebuild, 'rebuild');
    const mapping = (parseSingleJson(rebuild.result.stdout) as { mapping: Array<{ old: { scannerId: number }; new: { instanceId: string } }> }).mapping;
    expect(mapping).toHaveLength(1);
    expect(rebuild.simulator.some((q) => q.method === 'DELETE' && q.path === `/scanners/${mapping[0]!.old.scannerId}`), 'rebuild deleted the old record at TIO_URL').toBe(true);
    expect(await userDataOf(mapping[0]!.new.instanceId)).toMatch(/managed link [^\n]*--cloud\n/);
    expect(linkArgs(mapping[0]!.new.instanceId)).toEqual([expect.arrayContaining(['managed', 'link', '--cloud'])]);

    const down = await run(['down', '-f', file, '--yes', '--json']);
    // down may delete by the ids tagged on the instances without listing first.
    expectOnlyTioUrl(down, 'down', { lists: false });
    expect(down.simulator.some((q) => q.method === 'DELETE' && /^\/scanners\/\d+$/.test(q.path)), 'down deleted the record at TIO_URL').toBe(true);
    expect(await w.taggedLeftovers(FLEET)).toEqual([]);
    expect((await w.scanners()).filter((s) => s.name.startsWith(`${FLEET}-`))).toEqual([]);
  }, 480_000);
});
