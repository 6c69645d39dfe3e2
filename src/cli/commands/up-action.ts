import { timeoutFlag } from '../timeout-flag.js';
import { nothingToCreate, up, type UpResult } from '../../app/up.js';
import { loadConfigFor } from '../config-loader.js';
import { confirmOrRefuse, createFleetRuntime, progressFor, requireYesWithoutTty } from '../fleet-runtime.js';
import { outputFor, type GlobalOptions } from '../globals.js';
import type { Output } from '../output.js';
import type { ResolvedConfig } from '../../config/resolve.js';
import { renderPlan } from '../render-plan.js';
import { renderUpSummary } from '../render-up.js';
import type { UpFlags } from './up.js';

export async function runUp(g: GlobalOptions, flags: UpFlags): Promise<void> {
  const out = outputFor(g);
  timeoutFlag(flags.timeout); // a bad --timeout is a usage error before the fleet file is read
  const config = await loadConfigFor(g, out, { allowWorld: flags.allowWorld });
  await upResolved(g, flags, config, { out });
}

/**
 * `up` for a resolved config: the YAML path above and the wizard both end here. `env` is where the
 * use case reads NESSUS_LINKING_KEY (the wizard passes a pasted key this way, never through a file).
 */
export async function upResolved(g: GlobalOptions, flags: UpFlags, config: ResolvedConfig, opts: { out?: Output; env?: NodeJS.ProcessEnv } = {}): Promise<void> {
  const out = opts.out ?? outputFor(g);
  const timeout = timeoutFlag(flags.timeout);
  requireYesWithoutTty(g, out, 'up');
  const rt = createFleetRuntime(config, out);
  const progress = progressFor(g, out, config.wait.until);
  let result: UpResult | undefined;
  try {
    result = await up(
      {
        config,
        ...rt,
        env: opts.env ?? process.env,
        events: {
          ...progress,
          confirm: async (plan) => {
            if (!g.json) out.info(renderPlan(plan, out.style, { showUserData: g.verbose }));
            for (const w of plan.warnings) if (g.json) out.warn(w);
            if (nothingToCreate(plan)) {
              if (!g.json) out.info('Nothing to create; checking the fleet is ready.');
              return true;
            }
            return confirmOrRefuse(g, out, `Create these resources in ${plan.region}?`, 'up');
          },
        },
      },
      {
        wait: flags.wait,
        ...timeout,
        rollbackOnTimeout: flags.rollbackOnTimeout,
        keepOnFail: flags.keepOnFail,
        forceUnlock: flags.forceUnlock,
      },
    );
    await progress.stop();
  } catch (e) {
    await progress.stop(e);
    throw e;
  } finally {
    rt.dispose();
  }
  if (result.cancelled) {
    out.info('Cancelled; nothing was created.');
    if (g.json) out.result({ cancelled: true });
    return;
  }
  if (g.json) out.result({ ...result });
  else out.print(renderUpSummary(result, out.style, config.file));
}
