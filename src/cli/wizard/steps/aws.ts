import type { Step } from '../context.js';
import { isSet, setIn, validateAt } from '../document.js';

const CHAIN = '';

/** AWS profile (session only: not a fleet-file key) and region (written to the file so replays do not move). */
export const awsStep: Step = {
  id: 'aws',
  title: 'AWS profile and region',
  paths: [['region']],
  affects: ['network'],
  reset: (ctx) => {
    if (!ctx.flags.profile) ctx.session.profile = undefined;
  },
  async run(ctx) {
    const profiles = await ctx.discovery.awsProfiles();
    if (ctx.flags.profile) ctx.session.profile = ctx.flags.profile;
    else if (ctx.env.AWS_PROFILE) ctx.session.profile = ctx.env.AWS_PROFILE;
    else if (profiles.length > 0) {
      const envCreds = Boolean(ctx.env.AWS_ACCESS_KEY_ID);
      const choice = await ctx.prompts.select('profile', {
        message: 'AWS credentials',
        choices: [
          { value: CHAIN, name: 'default credential chain', description: envCreds ? 'AWS_ACCESS_KEY_ID from the environment' : 'environment, [default] profile, SSO, instance role' },
          ...profiles.map((p) => ({ value: p.name, name: `profile ${p.name}`, description: p.region ? `region ${p.region}` : 'from the shared config files' })),
        ],
        default: envCreds || !profiles.some((p) => p.name === 'default') ? CHAIN : 'default',
      });
      ctx.session.profile = choice === CHAIN ? undefined : choice;
    }

    if (ctx.flags.region && !isSet(ctx.doc, ['region'])) setIn(ctx.doc, ['region'], ctx.flags.region);
    if (isSet(ctx.doc, ['region'])) return;
    const profileRegion = profiles.find((p) => p.name === (ctx.session.profile ?? 'default'))?.region;
    const region = await ctx.prompts.input('region', {
      message: 'AWS region',
      default: ctx.env.AWS_REGION || ctx.env.AWS_DEFAULT_REGION || profileRegion || 'us-east-1',
      validate: (v) => validateAt(ctx.doc, ['region'], v.trim()),
    });
    setIn(ctx.doc, ['region'], region.trim());
  },
};
