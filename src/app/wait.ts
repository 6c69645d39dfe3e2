import { RuntimeError } from '../core/errors.js';
import { observeFleet } from './observe.js';
import { parseDuration } from './time.js';
import { existingExpected } from './up.js';
import { waitPhase, type ScannerOutcome, type WaitPhaseDeps } from './wait-phase.js';

export interface WaitDeps extends WaitPhaseDeps {
  events: WaitPhaseDeps['events'] & {
    waiting?(scanners: Array<{ instanceId: string; name: string; isNew: boolean }>): void;
  };
}

export interface WaitResult {
  fleet: string;
  region: string;
  declared: number;
  scanners: ScannerOutcome[];
  waitMs: number;
}

/**
 * `wait`: waits until the fleet's live instances are linked/ready (CI after `up --no-wait`). The
 * same waitPhase as `up` — one GET /scanners per tick, ids tagged, groups joined — so the same
 * exit codes: 3 link timeout, 4 linked but not ready.
 */
export async function waitFleet(deps: WaitDeps, opts: { timeoutMs?: number }): Promise<WaitResult> {
  const { config } = deps;
  if (config.link.method !== 'standalone') deps.tenable(); // exit 2 without TIO keys, before AWS calls
  // The same view of the running scanners as `up` (names and tagged ids), so both wait alike.
  const expected = await existingExpected(config, deps.aws, await observeFleet(config, deps.aws));
  const declared = config.scanners.list?.length ?? config.scanners.count;
  if (expected.length === 0) {
    throw new RuntimeError(
      'NO_SCANNERS',
      `Fleet "${config.fleet}" has no running scanner in ${config.region} to wait for.`,
      {
        hint: `create them with \`nessus-byol up -f ${config.file}\``,
      },
    );
  }
  if (expected.length < declared)
    deps.events.log(
      'warn',
      `${expected.length} of ${declared} declared scanner(s) are running; waiting for those (\`nessus-byol up\` launches the rest)`,
    );
  const started = deps.now();
  deps.events.waiting?.(expected.map((e) => ({ instanceId: e.instanceId, name: e.name, isNew: false })));
  const scanners = await waitPhase(deps, expected, {
    timeoutMs: opts.timeoutMs ?? parseDuration(config.wait.timeout),
    intervalMs: parseDuration(config.wait.interval),
    preexistingIds: new Set(),
  });
  return { fleet: config.fleet, region: config.region, declared, scanners, waitMs: deps.now() - started };
}
