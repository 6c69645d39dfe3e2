import type { Step, WizardContext } from '../context.js';
import { isSet, setIn, validateAt, type Path } from '../document.js';

/** Instance type, count and root volume size (written even when default, so the file says it). */
export const scannersStep: Step = {
  id: 'scanners',
  title: 'Instance type, count and volume size',
  paths: [['scanners', 'instanceType'], ['scanners', 'count'], ['scanners', 'volume', 'sizeGiB']],
  async run(ctx) {
    if (!isSet(ctx.doc, ['scanners', 'instanceType'])) {
      const type = await ctx.prompts.input('instance-type', {
        message: 'EC2 instance type (Tenable recommends 4 vCPU / 16 GiB)',
        default: 'm5.xlarge',
        validate: (v) => validateAt(ctx.doc, ['scanners', 'instanceType'], v.trim()),
      });
      setIn(ctx.doc, ['scanners', 'instanceType'], type.trim());
    }
    if (!isSet(ctx.doc, ['scanners', 'count']) && !isSet(ctx.doc, ['scanners', 'list'])) {
      await askNumber(ctx, 'count', ['scanners', 'count'], 'Number of scanners', '1');
    }
    if (!isSet(ctx.doc, ['scanners', 'volume', 'sizeGiB'])) {
      await askNumber(ctx, 'volume-size', ['scanners', 'volume', 'sizeGiB'], 'Root volume size in GiB (encrypted gp3)', '50');
    }
  },
};

async function askNumber(ctx: WizardContext, id: string, path: Path, message: string, def: string): Promise<void> {
  const text = await ctx.prompts.input(id, {
    message,
    default: def,
    validate: (v) => (/^\d+$/.test(v.trim()) ? validateAt(ctx.doc, path, Number(v.trim())) : 'a whole number'),
  });
  setIn(ctx.doc, path, Number(text.trim()));
}
