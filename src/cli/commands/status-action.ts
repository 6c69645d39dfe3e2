import { createAwsGateways } from '../../app/gateways.js';
import { fleetStatus, type StatusDeps } from '../../app/status.js';
import { tenableFromEnv } from '../../app/tenable-from-env.js';
import { parseDuration, sleep } from '../../app/time.js';
import type { TenableClient } from '../../adapters/tenable/client.js';
import { durationSchema } from '../../config/schema.js';
import { UsageError } from '../../core/errors.js';
import { loadConfigFor } from '../config-loader.js';
import { outputFor, type GlobalOptions } from '../globals.js';
import { renderStatus } from '../render-status.js';
import type { StatusFlags } from './status.js';

const CLEAR = '\u001b[H\u001b[2J';

export async function runStatus(g: GlobalOptions, flags: StatusFlags): Promise<void> {
  const out = outputFor(g);
  if (flags.watch && g.json) {
    throw new UsageError('--watch and --json cannot be combined: --json prints exactly one document.', {
      hint: 'use --json for one snapshot (poll it yourself), or --watch for the live table',
    });
  }
  if (!durationSchema.safeParse(flags.interval).success || parseDuration(flags.interval) < 1000) {
    throw new UsageError(`--interval ${flags.interval} is not a duration of at least 1s.`, {
      hint: 'use e.g. 5s or 1m',
    });
  }
  const config = await loadConfigFor(g, out);
  const aws = createAwsGateways({ region: config.region, profile: config.profile });
  let client: TenableClient | undefined;
  const deps: StatusDeps = {
    config,
    aws,
    tenable: () =>
      (client ??= tenableFromEnv(config.tenableEndpoint, process.env, 'read the scanners from Tenable', (m) =>
        out.debug(m),
      )),
    now: Date.now,
  };
  if (!flags.watch) {
    const s = await fleetStatus(deps);
    if (g.json) out.result({ ...s });
    else out.print(renderStatus(s, out.style));
    return;
  }

  // --watch: redraw in place on a terminal, append snapshots otherwise; Ctrl-C ends it (exit 0).
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const inPlace = Boolean(process.stdout.isTTY);
  try {
    while (!controller.signal.aborted) {
      let text: string;
      try {
        text = renderStatus(await fleetStatus(deps), out.style);
      } catch (e) {
        if (e instanceof UsageError) throw e;
        text = out.style('red', `refresh failed: ${(e as Error).message}`);
      }
      const stamp = out.style('dim', `${new Date().toISOString()} · every ${flags.interval} · Ctrl-C to stop`);
      if (inPlace) process.stdout.write(`${CLEAR}${stamp}\n${text}\n`);
      else out.print(`${stamp}\n${text}\n`);
      await sleep(parseDuration(flags.interval), controller.signal).catch(() => undefined);
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
