import { describe, expect, it, vi } from 'vitest';
import type { WizardContext } from '../src/cli/wizard/context.js';
import type { Discovery } from '../src/cli/wizard/discovery.js';
import { tenableStep } from '../src/cli/wizard/steps/tenable.js';
import { drivenPrompts, ENTER, type Answer, type Seq } from './wizard-driver.js';

/**
 * Issue 16 in the wizard: TIO_URL suggests a site only when it is the cloud or FedRAMP API (never
 * the sandbox's 127.0.0.1 simulator), and the key check goes to the endpoint every command uses.
 */

const SIM = 'http://127.0.0.1:4010';
const KEYS = { TIO_ACCESS_KEY: 'a'.repeat(64), TIO_SECRET_KEY: 'b'.repeat(64) };

function context(script: Record<string, Answer | Seq>, env: NodeJS.ProcessEnv) {
  const driven = drivenPrompts(script);
  const said: string[] = [];
  const checkTenable = vi.fn<Discovery['checkTenable']>(async () => ({ ok: true, scanners: 1 }));
  const discovery = { checkTenable } as unknown as Discovery;
  const ctx: WizardContext = {
    doc: { version: 1, fleet: 'unit', region: 'us-east-1' },
    flags: {},
    env: { ...KEYS, ...env },
    prompts: driven.prompts,
    discovery,
    say: (l) => said.push(l),
    session: { allowWorld: false },
    comments: new Map(),
  };
  return { ctx, driven, said, checkTenable };
}

describe('wizard: Tenable site and TIO_URL', () => {
  it('a sandbox TIO_URL suggests cloud (not custom) and the keys are checked at TIO_URL', async () => {
    const { ctx, checkTenable } = context({ 'tenable-site': ENTER }, { TIO_URL: SIM });
    await tenableStep.run(ctx);
    expect(ctx.doc.tenable).toEqual({ site: 'cloud' });
    expect(checkTenable).toHaveBeenCalledWith(SIM);
  });

  it('TIO_URL at FedRAMP suggests FedRAMP', async () => {
    const { ctx, checkTenable } = context({ 'tenable-site': ENTER }, { TIO_URL: 'https://fedcloud.tenable.com/' });
    await tenableStep.run(ctx);
    expect(ctx.doc.tenable).toEqual({ site: 'fedramp' });
    expect(checkTenable).toHaveBeenCalledWith('https://fedcloud.tenable.com');
  });

  it('a custom site does not offer the sandbox URL as its API URL', async () => {
    const { ctx, driven } = context(
      { 'tenable-site': 'custom', 'tenable-url': 'https://tvm.example.com', 'tenable-link-host': ENTER, 'tenable-link-port': ENTER },
      { TIO_URL: SIM },
    );
    await tenableStep.run(ctx);
    expect(driven.screens['tenable-url']).not.toContain('127.0.0.1');
    expect(ctx.doc.tenable).toMatchObject({ site: 'custom', url: 'https://tvm.example.com' });
  });

  it('choosing another known site than TIO_URL names both and checks nothing', async () => {
    const { ctx, said, checkTenable } = context({ 'tenable-site': 'fedramp' }, { TIO_URL: 'https://cloud.tenable.com' });
    await tenableStep.run(ctx);
    expect(ctx.doc.tenable).toEqual({ site: 'fedramp' });
    expect(checkTenable).not.toHaveBeenCalled();
    expect(ctx.session.tenable).toMatchObject({ ok: false });
    expect(said.join('\n')).toContain('TIO_URL=https://cloud.tenable.com is the cloud Tenable site');
    expect(said.join('\n')).toContain('`site: fedramp`');
  });
});
