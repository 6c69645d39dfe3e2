import type { Step } from '../context.js';
import { isSet, setIn, validateAt } from '../document.js';

export const fleetNameStep: Step = {
  id: 'fleet',
  title: 'Fleet name',
  paths: [['fleet']],
  async run(ctx) {
    if (isSet(ctx.doc, ['fleet'])) return;
    const fleet = await ctx.prompts.input('fleet', {
      message: 'Fleet name (tags and resource names; lowercase letters, digits, dashes)',
      default: 'nessus-scanners',
      validate: (v) => validateAt(ctx.doc, ['fleet'], v.trim()),
    });
    setIn(ctx.doc, ['fleet'], fleet.trim());
  },
};
