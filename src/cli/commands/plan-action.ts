import { buildPlan, type Observed } from '../../core/plan.js';
import { loadConfigFor } from '../config-loader.js';
import type { GlobalOptions } from '../globals.js';
import { outputFor } from '../globals.js';
import { renderPlan } from '../render-plan.js';

export async function runPlan(g: GlobalOptions, opts: { offline: boolean; allowWorld: boolean; userData: boolean }): Promise<void> {
  const out = outputFor(g);
  const config = await loadConfigFor(g, out, { allowWorld: opts.allowWorld });
  let observed: Observed | null = null;
  if (!opts.offline) {
    const { observeFleet } = await import('../../app/observe.js');
    observed = await observeFleet(config, { reporter: out });
  }
  const plan = buildPlan(config, observed);
  if (g.json) out.result({ plan });
  else out.print(renderPlan(plan, out.style, { showUserData: opts.userData }));
}
