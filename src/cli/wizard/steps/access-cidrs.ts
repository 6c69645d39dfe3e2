import { isWorldOpen } from '../../../config/schema.js';
import type { Step, WizardContext } from '../context.js';
import { isSet, setIn, splitList, validateAt } from '../document.js';

const PORTS = { allowUiFrom: '8834 (web UI)', allowSshFrom: '22 (SSH)' } as const;

/** Who may reach 8834/22: none by default; the whole internet only when confirmed (like --allow-world). */
export const accessCidrsStep: Step = {
  id: 'access-cidrs',
  title: 'Access CIDRs for 8834 and 22',
  paths: [['network', 'allowUiFrom'], ['network', 'allowSshFrom']],
  reset: (ctx) => {
    ctx.session.allowWorld = Boolean(ctx.flags.allowWorld);
    ctx.comments.delete('network.allowUiFrom');
    ctx.comments.delete('network.allowSshFrom');
  },
  async run(ctx) {
    for (const key of ['allowUiFrom', 'allowSshFrom'] as const) {
      if (!isSet(ctx.doc, ['network', key])) await askCidrs(ctx, key);
    }
  },
};

async function askCidrs(ctx: WizardContext, key: keyof typeof PORTS): Promise<void> {
  for (;;) {
    const text = await ctx.prompts.input(key === 'allowUiFrom' ? 'allow-ui-from' : 'allow-ssh-from', {
      message: `CIDRs allowed to reach port ${PORTS[key]}, comma-separated (empty: none)`,
      default: '',
      validate: (v) => validateAt(ctx.doc, ['network', key], splitList(v)),
    });
    const cidrs = splitList(text);
    const world = cidrs.filter(isWorldOpen);
    if (world.length > 0 && !ctx.flags.allowWorld) {
      const sure = await ctx.prompts.confirm(`${key}-world`, {
        message: `${world.join(' and ')} opens port ${PORTS[key]} to the whole internet. Really allow that?`,
        default: false,
      });
      if (!sure) continue;
      ctx.session.allowWorld = true;
      ctx.comments.set(`network.${key}`, ' open to the whole internet: `up`/`plan` of this file need --allow-world');
    }
    setIn(ctx.doc, ['network', key], cidrs);
    return;
  }
}
