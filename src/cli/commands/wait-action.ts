import { timeoutFlag } from '../timeout-flag.js';
import { waitFleet, type WaitResult } from '../../app/wait.js';
import { InterruptedError } from '../../core/errors.js';
import { loadConfigFor } from '../config-loader.js';
import { createFleetRuntime, progressFor } from '../fleet-runtime.js';
import { outputFor, type GlobalOptions } from '../globals.js';
import { renderWaitSummary } from '../render-status.js';
import type { WaitFlags } from './wait.js';

export async function runWait(g: GlobalOptions, flags: WaitFlags): Promise<void> {
  const out = outputFor(g);
  const timeout = timeoutFlag(flags.timeout);
  const config = await loadConfigFor(g, out);
  const rt = createFleetRuntime(config, out);
  const progress = progressFor(g, out, config.wait.until);
  let result: WaitResult;
  try {
    result = await waitFleet(
      {
        config,
        ...rt,
        events: progress,
      },
      timeout,
    );
    await progress.stop();
  } catch (e) {
    await progress.stop(e);
    if (rt.signal.aborted) throw new InterruptedError('Interrupted while waiting; nothing was changed.');
    throw e;
  } finally {
    rt.dispose();
  }
  if (g.json) out.result({ ...result });
  else out.print(renderWaitSummary(result, out.style));
}
