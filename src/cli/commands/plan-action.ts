import { RuntimeError } from '../../core/errors.js';
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
    const [{ observeFleet }, { createAwsGateways }] = await Promise.all([import('../../app/observe.js'), import('../../app/gateways.js')]);
    observed = await observeFleet(config, createAwsGateways({ region: config.region, profile: config.profile }), { network: 'always' });
  }
  const plan = buildPlan(config, observed);
  if (g.json && observed?.networkPath?.ok !== false) out.result({ plan });
  else if (!g.json) out.print(renderPlan(plan, out.style, { showUserData: opts.userData }));
  if (observed?.networkPath && !observed.networkPath.ok) {
    throw new RuntimeError('NETWORK_PATH', `The scanners could not reach Tenable or SSM: ${observed.networkPath.problems.join('; ')}`, {
      hint: 'fix the network path before `up` (see the plan above)',
      data: { plan },
    });
  }
}
