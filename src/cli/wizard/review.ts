import { resolveValidated, type ResolvedConfig } from '../../config/resolve.js';
import { validateFleetText } from '../../config/validate.js';
import { isNessusByolError } from '../../core/errors.js';
import { buildPlan, type Plan } from '../../core/plan.js';
import type { Output } from '../output.js';
import { renderPlan } from '../render-plan.js';

export interface Review {
  config: ResolvedConfig;
  plan: Plan | null;
  /** The plan as `plan` prints it, or the reason it could not be looked up. */
  text: string;
  /** Whether `up` can run with this (the network path works, the AMI was found…). */
  provisionable: boolean;
}

export interface ReviewInput {
  file: string;
  text: string;
  flags: { region?: string | undefined; profile?: string | undefined; allowWorld: boolean };
  env: NodeJS.ProcessEnv;
  out: Output;
}

/** Validates the text exactly as `plan -f` would read it, and renders the live plan with the same renderer. */
export function resolveWizardText(input: Omit<ReviewInput, 'out'>, notice: (m: string) => void = () => undefined): ResolvedConfig {
  const validated = validateFleetText(input.file, input.text);
  return resolveValidated(validated, { file: input.file, flags: input.flags, env: input.env, notice });
}

export async function reviewPlan(input: ReviewInput): Promise<Review> {
  const config = resolveWizardText(input, (m) => input.out.notice(m));
  try {
    const [{ observeFleet }, { createAwsGateways }] = await Promise.all([import('../../app/observe.js'), import('../../app/gateways.js')]);
    const observed = await observeFleet(config, createAwsGateways({ region: config.region, profile: config.profile }), { network: 'always' });
    const plan = buildPlan(config, observed);
    return { config, plan, text: renderPlan(plan, input.out.style, { showUserData: false }), provisionable: observed.path.ok };
  } catch (e) {
    if (!isNessusByolError(e)) throw e;
    const plan = buildPlan(config, null);
    const why = `${input.out.style('red', `Could not look up AWS: ${e.message}`)}${e.hint ? `\n  hint: ${e.hint}` : ''}`;
    return { config, plan, text: `${renderPlan(plan, input.out.style, { showUserData: false })}\n${why}`, provisionable: false };
  }
}
