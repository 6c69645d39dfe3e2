import { UsageError } from '../../core/errors.js';
import { outputFor, type GlobalOptions } from '../globals.js';
import { liveDiscovery } from '../wizard/discovery.js';
import { inquirerPrompts } from '../wizard/prompts.js';
import { runWizard, type WizardMode } from '../wizard/run-wizard.js';
import type { InitFlags } from './init.js';

/** `nessus-byol init` and `nessus-byol` with no arguments: the wizard, on a terminal only. */
export async function runInit(g: GlobalOptions, mode: WizardMode, flags: InitFlags = { allowWorld: false }): Promise<void> {
  const out = outputFor(g);
  const file = g.file ?? 'fleet.yaml';
  const command = mode === 'init' ? 'nessus-byol init' : 'nessus-byol';
  if (g.json) {
    throw new UsageError(`${command} is an interactive wizard and has no --json output.`, { hint: `non-interactively: \`nessus-byol up -f ${file} --yes --json\`` });
  }
  if (!out.interactive) {
    throw new UsageError(`${command} is an interactive wizard and there is no terminal to ask on.`, {
      hint: `write the fleet file yourself (start from examples/minimal.yaml; \`nessus-byol schema\` lists every key), then run \`nessus-byol up -f ${file} --yes\``,
    });
  }
  await runWizard({
    mode,
    file,
    flags: { region: g.region, profile: g.profile, allowWorld: flags.allowWorld },
    env: process.env,
    out,
    prompts: inquirerPrompts(process.stderr),
    discovery: liveDiscovery(process.env),
    provision: async (config, env, allowWorld) => {
      const { upResolved } = await import('./up-action.js');
      await upResolved({ ...g, file: config.file, yes: true }, { wait: true, rollbackOnTimeout: false, keepOnFail: false, forceUnlock: false, allowWorld }, config, { out, env });
    },
  });
}
