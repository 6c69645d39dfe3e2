import { tenableApiUrlOf, type Step } from '../context.js';
import { getIn, isSet, setIn, splitList, validateAt } from '../document.js';

/** Scanner groups joined once linked: listed from the API when the keys work, else typed. */
export const groupsStep: Step = {
  id: 'groups',
  title: 'Scanner groups',
  paths: [['link', 'groups']],
  async run(ctx) {
    if (getIn(ctx.doc, ['link', 'method']) === 'standalone' || isSet(ctx.doc, ['link', 'groups'])) return;
    let groups: string[];
    const existing = ctx.session.tenable?.ok ? await ctx.discovery.scannerGroups(tenableApiUrlOf(ctx)).catch(() => []) : [];
    if (existing.length > 0) {
      groups = await ctx.prompts.checkbox('groups', {
        message: 'Scanner groups to join once linked (space toggles; none is fine)',
        choices: existing.map((g) => ({ value: g, name: g })),
      });
    } else {
      const typed = await ctx.prompts.input('groups', {
        message: 'Scanner groups to join once linked (comma-separated, created if missing; empty for none)',
        default: '',
        validate: (v) => validateAt(ctx.doc, ['link', 'groups'], splitGroups(v)),
      });
      groups = splitGroups(typed);
    }
    if (groups.length > 0) setIn(ctx.doc, ['link', 'groups'], groups);
  },
};

function splitGroups(text: string): string[] {
  return text.includes(',') ? text.split(',').map((s) => s.trim()).filter(Boolean) : splitList(text).length ? [text.trim()] : [];
}
