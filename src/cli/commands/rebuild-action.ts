import { timeoutFlag } from '../timeout-flag.js';
import { rebuild, type RebuildResult } from '../../app/rebuild.js';
import { loadConfigFor } from '../config-loader.js';
import { confirmOrRefuse, createFleetRuntime, progressFor, requireYesWithoutTty } from '../fleet-runtime.js';
import { outputFor, type GlobalOptions } from '../globals.js';
import { renderRebuildPlan, renderRebuildResult } from '../render-rebuild.js';
import type { RebuildFlags } from './rebuild.js';

export async function runRebuild(g: GlobalOptions, flags: RebuildFlags): Promise<void> {
  const out = outputFor(g);
  const timeout = timeoutFlag(flags.timeout);
  const config = await loadConfigFor(g, out);
  if (!flags.dryRun) requireYesWithoutTty(g, out, 'rebuild');
  const rt = createFleetRuntime(config, out);
  const progress = progressFor(g, out, config.wait.until);
  let result: RebuildResult;
  try {
    result = await rebuild(
      {
        config,
        ...rt,
        env: process.env,
        events: {
          ...progress,
          confirm: async (plan) => {
            if (!g.json) out.info(renderRebuildPlan(plan, out.style, { dryRun: false, force: flags.force }));
            return confirmOrRefuse(g, out, `Replace ${plan.old.length} scanner(s) in ${plan.region}?`, 'rebuild');
          },
        },
      },
      {
        dryRun: flags.dryRun,
        force: flags.force,
        forceUnlock: flags.forceUnlock,
        ...timeout,
      },
    );
    await progress.stop();
  } catch (e) {
    await progress.stop(e);
    throw e;
  } finally {
    rt.dispose();
  }
  if (result.dryRun && result.plan.needed) {
    if (g.json) out.result({ ...result });
    else out.print(renderRebuildPlan(result.plan, out.style, { dryRun: true, force: flags.force }));
    return;
  }
  if (g.json) out.result({ ...result });
  else out.print(renderRebuildResult(result, out.style));
}
