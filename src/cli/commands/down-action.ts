import { down } from '../../app/down.js';
import { loadConfigFor } from '../config-loader.js';
import { confirmOrRefuse, createFleetRuntime, requireYesWithoutTty } from '../fleet-runtime.js';
import { outputFor, type GlobalOptions } from '../globals.js';
import { plainProgress } from '../progress/plain-progress.js';
import { renderDownPlan, renderDownResult } from '../render-down.js';
import type { DownFlags } from './down.js';

export async function runDown(g: GlobalOptions, flags: DownFlags): Promise<void> {
  const out = outputFor(g);
  const config = await loadConfigFor(g, out);
  if (!flags.dryRun) requireYesWithoutTty(g, out, 'down');
  const rt = createFleetRuntime(config, out);
  const progress = plainProgress(out);
  try {
    const result = await down(
      {
        config,
        ...rt,
        events: {
          ...progress,
          confirm: async (plan) => {
            out.info(renderDownPlan(plan, out.style, { dryRun: false, file: config.file }));
            return confirmOrRefuse(g, out, `Remove these from ${plan.region}?`, 'down');
          },
        },
      },
      {
        dryRun: flags.dryRun,
        keepShared: flags.keepShared,
        forceUnlock: flags.forceUnlock,
        skipTenable: flags.skipTenable,
      },
    );
    if (result.dryRun) {
      if (g.json) out.result({ dryRun: true, plan: result.plan });
      else out.print(renderDownPlan(result.plan, out.style, { dryRun: true, file: config.file }));
      return;
    }
    if (result.cancelled) {
      out.info('Cancelled; nothing was removed.');
      if (g.json) out.result({ cancelled: true, plan: result.plan });
      return;
    }
    if (g.json) out.result({ ...result });
    else out.print(renderDownResult(result, out.style, config.file));
  } finally {
    rt.dispose();
  }
}
