import type { Step } from '../context.js';
import { isSet, setIn, validateAt } from '../document.js';

/** Extra tags on everything the fleet creates, typed as `Key=Value, Key2=Value2`. */
export const tagsStep: Step = {
  id: 'tags',
  title: 'Tags',
  paths: [['tags']],
  async run(ctx) {
    if (isSet(ctx.doc, ['tags'])) return;
    const text = await ctx.prompts.input('tags', {
      message: 'Extra tags, e.g. Owner=secops, CostCenter=42 (empty for none)',
      default: '',
      validate: (v) => {
        const tags = parseTags(v);
        return typeof tags === 'string' ? tags : validateAt(ctx.doc, ['tags'], tags);
      },
    });
    const tags = parseTags(text);
    if (typeof tags !== 'string' && Object.keys(tags).length > 0) setIn(ctx.doc, ['tags'], tags);
  },
};

/** `A=1, B=two` → { A: '1', B: 'two' }; a string is the problem. */
export function parseTags(text: string): Record<string, string> | string {
  const out: Record<string, string> = {};
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) return `"${part}" is not Key=Value`;
    const key = part.slice(0, eq).trim();
    if (key in out) return `tag ${key} is given twice`;
    out[key] = part.slice(eq + 1).trim();
  }
  return out;
}
