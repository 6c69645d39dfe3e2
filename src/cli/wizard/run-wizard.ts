import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { LINKING_KEY_ENV } from '../../app/linking-key.js';
import type { ResolvedConfig } from '../../config/resolve.js';
import { validateFleetText } from '../../config/validate.js';
import type { Output } from '../output.js';
import type { Step, WizardContext } from './context.js';
import type { Discovery } from './discovery.js';
import { unsetIn, type FleetDoc } from './document.js';
import { fleetYamlText } from './fleet-yaml.js';
import type { Prompts } from './prompts.js';
import { resolveWizardText, reviewPlan } from './review.js';
import { STEPS } from './steps/index.js';

export type WizardMode = 'wizard' | 'init';
type Finish = 'save' | 'provision' | 'edit' | 'cancel';

export interface WizardOptions {
  /** `wizard` (no arguments) ends with save / save and provision / edit / cancel; `init` only saves. */
  mode: WizardMode;
  file: string;
  flags: { region?: string | undefined; profile?: string | undefined; allowWorld: boolean };
  env: NodeJS.ProcessEnv;
  out: Output;
  prompts: Prompts;
  discovery: Discovery;
  /** Hands the resolved config to the same `up` the YAML path uses; `env` carries a pasted key. */
  provision(config: ResolvedConfig, env: NodeJS.ProcessEnv, allowWorld: boolean): Promise<void>;
  steps?: readonly Step[];
  /** The review (live plan); injected in unit tests. */
  review?: typeof reviewPlan;
}

export interface WizardResult {
  action: 'saved' | 'provisioned' | 'cancelled';
  file?: string;
  /** The reviewed plan text (as `plan` renders it). */
  planText?: string;
}

/** Runs the steps, shows the plan, then saves (and provisions) — nothing is written before the end. */
export async function runWizard(o: WizardOptions): Promise<WizardResult> {
  const steps = o.steps ?? STEPS;
  const existingText = existsSync(o.file) ? await readFile(o.file, 'utf8') : undefined;
  let doc: FleetDoc = { version: 1 };
  if (existingText !== undefined) {
    doc = structuredClone(validateFleetText(o.file, existingText).raw);
    o.out.info(`Starting from ${o.file}: only what it leaves unset is asked.`);
  }
  const ctx: WizardContext = {
    doc,
    flags: o.flags,
    env: o.env,
    prompts: o.prompts,
    discovery: o.discovery,
    say: (line) => o.out.info(line),
    session: { allowWorld: o.flags.allowWorld },
    comments: new Map(),
  };
  for (const step of steps) await step.run(ctx);

  for (;;) {
    const text = fleetYamlText(ctx.doc, { ...(existingText === undefined ? {} : { existingText }), comments: ctx.comments });
    const env = envWithKey(ctx);
    o.out.info('\nLooking up the AMI, network path and existing resources for the review…');
    const review = await (o.review ?? reviewPlan)({ file: o.file, text, flags: { ...o.flags, profile: ctx.session.profile, allowWorld: ctx.session.allowWorld }, env, out: o.out });
    o.out.info(`\n${review.text}\n`);
    if (!review.provisionable && o.mode === 'wizard') o.out.warn('`up` cannot run with this as it is; edit the answers, or save and fix it later.');

    const choice = await o.prompts.select<Finish>('finish', {
      message: 'What now?',
      choices: [
        { value: 'save', name: 'save only', description: `write ${o.file}; provision later with \`nessus-byol up -f ${o.file}\`` },
        ...(o.mode === 'wizard'
          ? [{ value: 'provision' as const, name: 'save and provision', description: 'write the file, then run `up`: create, launch, wait until linked and ready', disabled: review.provisionable ? false : 'the plan above has a problem' }]
          : []),
        { value: 'edit', name: 'edit an answer' },
        { value: 'cancel', name: 'cancel', description: 'nothing is written or created' },
      ],
      default: o.mode === 'wizard' && review.provisionable ? 'provision' : 'save',
    });
    if (choice === 'cancel') {
      o.out.info('Cancelled; nothing was written or created.');
      return { action: 'cancelled', planText: review.text };
    }
    if (choice === 'edit') {
      await edit(ctx, steps);
      continue;
    }
    const saved = await save(o, text, existingText !== undefined);
    if (saved === null) continue;
    o.out.success(`Saved ${saved}.`);
    if (choice === 'save') {
      o.out.info(nextSteps(saved, ctx));
      return { action: 'saved', file: saved, planText: review.text };
    }
    const config = resolveWizardText({ file: saved, text, flags: { ...o.flags, profile: ctx.session.profile, allowWorld: ctx.session.allowWorld }, env });
    await o.provision(config, env, ctx.session.allowWorld);
    return { action: 'provisioned', file: saved, planText: review.text };
  }
}

function envWithKey(ctx: WizardContext): NodeJS.ProcessEnv {
  return ctx.session.linkingKey ? { ...ctx.env, [LINKING_KEY_ENV]: ctx.session.linkingKey.reveal() } : ctx.env;
}

async function edit(ctx: WizardContext, steps: readonly Step[]): Promise<void> {
  const id = await ctx.prompts.select<string>('edit-step', {
    message: 'Which answer?',
    choices: [...steps.map((s) => ({ value: s.id, name: s.title })), { value: '', name: '(back to the review)' }],
    default: steps[0]?.id ?? '',
  });
  const target = steps.find((s) => s.id === id);
  if (!target) return;
  const again = new Set([target.id, ...(target.affects ?? [])]);
  for (const step of steps) {
    if (!again.has(step.id)) continue;
    for (const path of step.paths) unsetIn(ctx.doc, path);
    step.reset?.(ctx);
  }
  for (const step of steps) if (again.has(step.id)) await step.run(ctx);
}

/** Writes the file; never replaces an existing one without asking. Null: the user backed out. */
async function save(o: WizardOptions, text: string, startedFromFile: boolean): Promise<string | null> {
  let file = o.file;
  if (existsSync(file)) {
    const replace = await o.prompts.confirm('overwrite', {
      message: startedFromFile ? `Update ${file} with these answers (its comments are kept)?` : `${file} exists. Overwrite it?`,
      default: startedFromFile,
    });
    if (!replace) {
      const other = await o.prompts.input('save-as', {
        message: 'Save as (empty: back to the review)',
        default: '',
        validate: (v) => (!v.trim() || !existsSync(v.trim()) ? true : `${v.trim()} exists too; pick a new name`),
      });
      if (!other.trim()) return null;
      file = other.trim();
      await writeFile(file, text, { flag: 'wx', mode: 0o644 });
      return file;
    }
    await writeFile(file, text, { mode: 0o644 });
    return file;
  }
  await writeFile(file, text, { flag: 'wx', mode: 0o644 });
  return file;
}

function nextSteps(file: string, ctx: WizardContext): string {
  const lines = ['Next:'];
  if (ctx.session.profile) lines.push(`  export AWS_PROFILE=${ctx.session.profile}`);
  if (ctx.session.linkingKey) lines.push(`  export ${LINKING_KEY_ENV}=…   # the key you pasted (it is not in the file)`);
  lines.push(`  nessus-byol plan -f ${file}`, `  nessus-byol up -f ${file}${ctx.session.allowWorld ? ' --allow-world' : ''}`);
  return lines.join('\n');
}
