import { mkdtempSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it, vi } from 'vitest';
import { createOutput } from '../src/cli/output.js';
import type { WizardContext } from '../src/cli/wizard/context.js';
import type { Discovery } from '../src/cli/wizard/discovery.js';
import { readAwsProfiles } from '../src/cli/wizard/aws-profiles.js';
import { fleetYamlText } from '../src/cli/wizard/fleet-yaml.js';
import { runWizard } from '../src/cli/wizard/run-wizard.js';
import type { Review } from '../src/cli/wizard/review.js';
import { accessCidrsStep } from '../src/cli/wizard/steps/access-cidrs.js';
import { awsStep } from '../src/cli/wizard/steps/aws.js';
import { fleetNameStep } from '../src/cli/wizard/steps/fleet-name.js';
import { groupsStep } from '../src/cli/wizard/steps/groups.js';
import { keyPairStep } from '../src/cli/wizard/steps/key-pair.js';
import { linkModeStep } from '../src/cli/wizard/steps/link-mode.js';
import { linkingKeyStep } from '../src/cli/wizard/steps/linking-key.js';
import { networkStep } from '../src/cli/wizard/steps/network.js';
import { scannersStep } from '../src/cli/wizard/steps/scanners.js';
import { tagsStep } from '../src/cli/wizard/steps/tags.js';
import { tenableStep } from '../src/cli/wizard/steps/tenable.js';
import { SCHEMA_URL } from '../src/config/schema.js';
import { validateFleetText } from '../src/config/validate.js';
import { InterruptedError } from '../src/core/errors.js';
import { drivenPrompts, ENTER, seq, type Answer, type PromptHandle, type Seq } from './wizard-driver.js';

const VPC = 'vpc-0aaaaaaaaaaaaaaaa';
const OTHER_VPC = 'vpc-0bbbbbbbbbbbbbbbb';
const SUBNETS = ['subnet-0a1a1a1a1a1a1a1a1', 'subnet-0b2b2b2b2b2b2b2b2', 'subnet-0c3c3c3c3c3c3c3c3'];

function fakeDiscovery(over: Partial<Discovery> = {}): Discovery {
  return {
    awsProfiles: async () => [],
    vpcs: async () => [
      { id: VPC, cidrBlock: '172.31.0.0/16', isDefault: true },
      { id: OTHER_VPC, cidrBlock: '10.0.0.0/16', isDefault: false, name: 'scanners' },
    ],
    subnets: async () => SUBNETS.map((id, i) => ({ id, availabilityZone: `us-east-1${'abc'[i]}`, route: 'internet-gateway' as const, ...(i === 0 ? { name: 'public-a' } : {}) })),
    checkTenable: async () => ({ ok: true, scanners: 2 }),
    scannerGroups: async () => ['AWS scanners', 'EU'],
    ssmParameterExists: async () => true,
    ...over,
  };
}

function context(script: Record<string, Answer | Seq>, over: Partial<WizardContext> = {}) {
  const driven = drivenPrompts(script);
  const said: string[] = [];
  const ctx: WizardContext = {
    doc: { version: 1, fleet: 'unit', region: 'us-east-1' },
    flags: {},
    env: { TIO_ACCESS_KEY: 'a'.repeat(64), TIO_SECRET_KEY: 'b'.repeat(64) },
    prompts: driven.prompts,
    discovery: fakeDiscovery(),
    say: (l) => said.push(l),
    session: { allowWorld: false },
    comments: new Map(),
    ...over,
  };
  return { ctx, driven, said };
}

/** Types a wrong value, checks the schema's message is shown at the prompt, then fixes it. */
const rejectThen = (bad: string, message: RegExp, good: string) => async (h: PromptHandle) => {
  h.type(bad);
  h.keypress('enter');
  await h.settle();
  expect(h.screen()).toMatch(message);
  for (let i = 0; i < bad.length; i++) h.keypress('backspace');
  h.type(good);
  h.keypress('enter');
};

describe('wizard steps', () => {
  it('fleet name: validated by the schema at the prompt; skipped when the file sets it', async () => {
    const { ctx, driven } = context({ fleet: rejectThen('Bad_Name', /lowercase letters, digits and dashes/, 'prod-scanners') }, { doc: { version: 1 } });
    await fleetNameStep.run(ctx);
    expect(ctx.doc.fleet).toBe('prod-scanners');
    expect(driven.asked).toEqual(['fleet']);

    const again = context({});
    await fleetNameStep.run(again.ctx);
    expect(again.driven.asked).toEqual([]);
  });

  it('aws: lists profiles from AWS_CONFIG_FILE/AWS_SHARED_CREDENTIALS_FILE and defaults the region to the profile', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wiz-aws-'));
    writeFileSync(join(dir, 'config'), '[default]\nregion = us-east-2\n[profile prod]\nregion = eu-west-1\n[sso-session corp]\nsso_region = us-east-1\n');
    writeFileSync(join(dir, 'credentials'), '[default]\naws_access_key_id = x\n[ci]\naws_access_key_id = y\n');
    const env = { AWS_CONFIG_FILE: join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials') };
    const profiles = await readAwsProfiles(env, '/nonexistent');
    expect(profiles).toEqual([{ name: 'default', region: 'us-east-2' }, { name: 'ci' }, { name: 'prod', region: 'eu-west-1' }]);

    const { ctx, driven } = context(
      { profile: 'prod', region: rejectThen('mars-1', /not an AWS region name/, '') },
      { doc: { version: 1, fleet: 'unit' }, env, discovery: fakeDiscovery({ awsProfiles: () => readAwsProfiles(env, '/nonexistent') }) },
    );
    await awsStep.run(ctx);
    expect(ctx.session.profile).toBe('prod');
    expect(ctx.doc.region).toBe('eu-west-1');
    expect(driven.screens.profile).toContain('profile prod');
  });

  it('aws: --region and --profile fill it without asking', async () => {
    const { ctx, driven } = context({}, { doc: { version: 1, fleet: 'unit' }, flags: { region: 'ap-south-1', profile: 'x' }, discovery: fakeDiscovery({ awsProfiles: async () => [{ name: 'x' }] }) });
    await awsStep.run(ctx);
    expect(driven.asked).toEqual([]);
    expect(ctx.doc.region).toBe('ap-south-1');
    expect(ctx.session.profile).toBe('x');
  });

  it('network: the default VPC first and all its subnets stay implicit', async () => {
    const { ctx, driven } = context({ vpc: ENTER, subnets: ENTER });
    await networkStep.run(ctx);
    expect(driven.screens.vpc).toMatch(new RegExp(`${VPC} \\(default VPC\\)`));
    expect(driven.screens.subnets).toContain('public-a');
    expect(ctx.doc.scanners).toBeUndefined();
    expect(ctx.doc.network).toBeUndefined();
  });

  it('network: a subset of subnets or another VPC is written explicitly', async () => {
    const { ctx } = context({ vpc: OTHER_VPC, subnets: [SUBNETS[1]!] });
    await networkStep.run(ctx);
    expect(ctx.doc).toMatchObject({ network: { vpcId: OTHER_VPC }, scanners: { subnetIds: [SUBNETS[1]] } });
  });

  it('tenable: cloud by default, then one API call checks the keys', async () => {
    const checkTenable = vi.fn(async () => ({ ok: true as const, scanners: 3 }));
    const { ctx, said } = context({ 'tenable-site': ENTER }, { discovery: fakeDiscovery({ checkTenable }) });
    await tenableStep.run(ctx);
    expect(ctx.doc.tenable).toEqual({ site: 'cloud' });
    expect(checkTenable).toHaveBeenCalledTimes(1);
    expect(checkTenable).toHaveBeenCalledWith('https://cloud.tenable.com');
    expect(said.join('\n')).toMatch(/work \(3 scanner/);
  });

  it('tenable: a custom URL is validated; missing keys are reported, not fatal', async () => {
    const checkTenable = vi.fn();
    const { ctx, said } = context(
      { 'tenable-site': 'custom', 'tenable-url': rejectThen('not a url', /Invalid URL|url/i, 'https://tvm.example.com'), 'tenable-link-host': ENTER, 'tenable-link-port': ENTER },
      { env: {}, discovery: fakeDiscovery({ checkTenable }) },
    );
    await tenableStep.run(ctx);
    expect(ctx.doc.tenable).toEqual({ site: 'custom', url: 'https://tvm.example.com', linkHost: 'tvm.example.com', linkPort: 443 });
    expect(checkTenable).not.toHaveBeenCalled();
    expect(ctx.session.tenable).toMatchObject({ ok: false });
    expect(said.join('\n')).toContain('TIO_ACCESS_KEY / TIO_SECRET_KEY are not set');
  });

  it('link mode: each mode explained; pre-authorized JSON needs the user to accept the key in user-data', async () => {
    const { ctx, driven } = context({ 'link-method': seq('preauthorized-json', 'preauthorized-json'), 'embed-key': seq(false, true) });
    await linkModeStep.run(ctx);
    expect(driven.screens['link-method']).toContain('the key is read from');
    expect(ctx.doc.link).toEqual({ embedInUserData: true, method: 'preauthorized-json' });
    expect(ctx.doc.ami).toEqual({ productCode: '4m4uvwtrl5t872c56wb131ttw' });
  });

  it('link mode: standalone asks where the activation code is stored', async () => {
    const { ctx } = context({ 'link-method': 'standalone', 'activation-code-from': ENTER, 'activation-code-name': ENTER });
    await linkModeStep.run(ctx);
    expect(ctx.doc.link).toEqual({ activationCode: { from: 'ssm', parameter: '/nessus/activation-code' }, method: 'standalone' });
  });

  it('linking key: the Tenable API (stored in SSM) is the default when the keys work', async () => {
    const { ctx } = context({ 'linking-key-from': ENTER }, { session: { allowWorld: false, tenable: { ok: true, scanners: 1 } } });
    await linkingKeyStep.run(ctx);
    expect(ctx.doc.link).toEqual({ key: { from: 'tenable-api' } });
  });

  it('linking key: an existing SSM parameter is validated and looked up', async () => {
    const { ctx, said } = context(
      { 'linking-key-from': 'ssm', 'linking-key-parameter': rejectThen('bad name!', /SSM parameter name/, '') },
      { discovery: fakeDiscovery({ ssmParameterExists: async () => false }) },
    );
    await linkingKeyStep.run(ctx);
    expect(ctx.doc.link).toEqual({ key: { from: 'ssm', parameter: '/nessus/linking-key' } });
    expect(said.join('\n')).toContain('does not exist yet');
  });

  it('linking key: a pasted key is masked, kept as a Secret, and the file says from: env', async () => {
    const key = 'f'.repeat(60) + '1234';
    let shown = '';
    const { ctx } = context({
      'linking-key-from': 'paste',
      'linking-key-value': async (h) => {
        h.type(key);
        shown = h.screen();
        h.keypress('enter');
      },
    });
    await linkingKeyStep.run(ctx);
    expect(shown).not.toContain(key);
    expect(shown).toContain('*'.repeat(64));
    expect(ctx.session.linkingKey?.reveal()).toBe(key);
    expect(String(ctx.session.linkingKey)).not.toContain(key);
    expect(ctx.doc.link).toEqual({ key: { from: 'env' } });
    const text = fleetYamlText(ctx.doc, { comments: ctx.comments });
    expect(text).not.toContain(key);
    expect(text).toMatch(/# the pasted key is never saved: export NESSUS_LINKING_KEY[^\n]*\n\s+key: \{ from: env \}/);
  });

  it('groups: listed from the API and picked with a checkbox', async () => {
    const { ctx, driven } = context({ groups: ['EU'] }, { session: { allowWorld: false, tenable: { ok: true, scanners: 0 } } });
    await groupsStep.run(ctx);
    expect(driven.screens.groups).toContain('AWS scanners');
    expect(ctx.doc.link).toEqual({ groups: ['EU'] });
  });

  it('groups: typed when the API keys do not work; none leaves it unset', async () => {
    const { ctx } = context({ groups: 'AWS scanners, new group' }, { session: { allowWorld: false, tenable: { ok: false, reason: 'x' } } });
    await groupsStep.run(ctx);
    expect(ctx.doc.link).toEqual({ groups: ['AWS scanners', 'new group'] });
    const none = context({ groups: ENTER }, { session: { allowWorld: false } });
    await groupsStep.run(none.ctx);
    expect(none.ctx.doc.link).toBeUndefined();
  });

  it('scanners: instance type, count and volume validated by the schema', async () => {
    const { ctx } = context({
      'instance-type': rejectThen('huge', /an EC2 instance type/, 'c5.2xlarge'),
      count: rejectThen('0', /at least 1 scanner/, '3'),
      'volume-size': rejectThen('10', /30/, ''),
    });
    await scannersStep.run(ctx);
    expect(ctx.doc.scanners).toEqual({ instanceType: 'c5.2xlarge', count: 3, volume: { sizeGiB: 50 } });
  });

  it('access CIDRs: none by default; bad CIDRs rejected; 0.0.0.0/0 only when confirmed', async () => {
    const { ctx, driven } = context({
      'allow-ui-from': seq(rejectThen('10.0.0.0/33', /10\.0\.0\.0\/33: not a CIDR block/, '0.0.0.0/0'), '203.0.113.0/24'),
      'allowUiFrom-world': false,
      'allow-ssh-from': ENTER,
    });
    await accessCidrsStep.run(ctx);
    expect(driven.asked).toEqual(['allow-ui-from', 'allowUiFrom-world', 'allow-ui-from', 'allow-ssh-from']);
    expect(ctx.doc.network).toEqual({ allowUiFrom: ['203.0.113.0/24'], allowSshFrom: [] });
    expect(ctx.session.allowWorld).toBe(false);

    const world = context({ 'allow-ui-from': ENTER, 'allow-ssh-from': '0.0.0.0/0', 'allowSshFrom-world': true });
    await accessCidrsStep.run(world.ctx);
    expect(world.ctx.doc.network).toEqual({ allowUiFrom: [], allowSshFrom: ['0.0.0.0/0'] });
    expect(world.ctx.session.allowWorld).toBe(true);
    expect(fleetYamlText(world.ctx.doc, { comments: world.ctx.comments })).toContain('need --allow-world');
  });

  it('key pair: none by default; an existing name is validated', async () => {
    const none = context({ 'key-pair': ENTER });
    await keyPairStep.run(none.ctx);
    expect(none.ctx.doc.access).toEqual({ keyPair: 'none' });
    const existing = context({ 'key-pair': 'existing', 'key-pair-name': rejectThen('bad name!', /./, 'ops-key') });
    await keyPairStep.run(existing.ctx);
    expect(existing.ctx.doc.access).toEqual({ keyPair: { name: 'ops-key' } });
  });

  it('tags: Key=Value pairs; reserved keys refused by the schema', async () => {
    const { ctx } = context({ tags: rejectThen('nessus-byol:x=1', /reserved/, 'Owner=secops, CostCenter=42') });
    await tagsStep.run(ctx);
    expect(ctx.doc.tags).toEqual({ Owner: 'secops', CostCenter: '42' });
  });
});

const quietOut = () => createOutput({ json: false, verbose: false, color: false, stderr: { write: () => true } as never, stdout: { write: () => true } as never });
const fakeReview = (provisionable = true) =>
  vi.fn(async (input: { file: string; text: string }): Promise<Review> => {
    validateFleetText(input.file, input.text); // what `plan -f` would read
    return { config: {} as never, plan: null, text: 'PLAN', provisionable };
  });

/** Every default accepted (the fleet name typed). */
const DEFAULTS: Record<string, Answer> = {
  fleet: 'wiz',
  region: ENTER,
  vpc: ENTER,
  subnets: ENTER,
  'tenable-site': ENTER,
  'link-method': ENTER,
  'linking-key-from': ENTER,
  groups: [],
  'instance-type': ENTER,
  count: ENTER,
  'volume-size': ENTER,
  'allow-ui-from': ENTER,
  'allow-ssh-from': ENTER,
  'key-pair': ENTER,
  tags: ENTER,
};

describe('runWizard', () => {
  const base = (dir: string, script: Record<string, Answer | Seq>, over: Partial<Parameters<typeof runWizard>[0]> = {}) => {
    const driven = drivenPrompts(script);
    const provision = vi.fn(async () => undefined);
    const review = fakeReview();
    const run = () =>
      runWizard({
        mode: 'wizard',
        file: join(dir, 'fleet.yaml'),
        flags: { allowWorld: false },
        env: { TIO_ACCESS_KEY: 'k', TIO_SECRET_KEY: 's' },
        out: quietOut(),
        prompts: driven.prompts,
        discovery: fakeDiscovery(),
        provision,
        review,
        ...over,
      });
    return { driven, provision, review, run };
  };

  it('accepting every default gives a secure file with no secret, reviewed, then saved', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wiz-run-'));
    const { driven, run, provision } = base(dir, { ...DEFAULTS, finish: 'save' });
    const result = await run();
    expect(result.action).toBe('saved');
    expect(provision).not.toHaveBeenCalled();
    expect(driven.remaining()).toEqual([]);
    const text = readFileSync(join(dir, 'fleet.yaml'), 'utf8');
    expect(text.split('\n')[0]).toBe(`# yaml-language-server: $schema=${SCHEMA_URL}`);
    const { config } = validateFleetText('fleet.yaml', text);
    expect(config.network.allowUiFrom).toEqual([]);
    expect(config.network.allowSshFrom).toEqual([]);
    expect(config.link.key).toEqual({ from: 'tenable-api' });
    expect(config.access.keyPair).toBe('none');
    expect(parse(text)).toMatchObject({ version: 1, fleet: 'wiz', region: 'us-east-1', tenable: { site: 'cloud' } });
  });

  it('save and provision hands the pasted key to `up` through the env only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wiz-run-'));
    const key = 'k'.repeat(64);
    const { run, provision } = base(dir, { ...DEFAULTS, 'linking-key-from': 'paste', 'linking-key-value': key, finish: 'provision' });
    await run();
    expect(provision).toHaveBeenCalledTimes(1);
    const [config, env] = provision.mock.calls[0] as unknown as [{ file: string; link: { key: unknown } }, NodeJS.ProcessEnv];
    expect(env.NESSUS_LINKING_KEY).toBe(key);
    expect(config.file).toBe(join(dir, 'fleet.yaml'));
    expect(config.link.key).toEqual({ from: 'env' });
    expect(readFileSync(join(dir, 'fleet.yaml'), 'utf8')).not.toContain(key);
  });

  it('init offers no provisioning; edit re-asks one answer; an existing file is kept unless confirmed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wiz-run-'));
    writeFileSync(join(dir, 'fleet.yaml'), '# mine\nversion: 1\nfleet: kept\nscanners:\n  count: 2\n');
    const { run, driven } = base(
      dir,
      {
        ...DEFAULTS,
        fleet: undefined as never,
        count: undefined as never,
        finish: seq('edit', 'save'),
        'edit-step': 'tags',
        tags: seq(ENTER, 'Owner=me'),
        overwrite: false,
        'save-as': join(dir, 'other.yaml'),
      },
      { mode: 'init' },
    );
    const result = await run();
    expect(driven.asked).not.toContain('fleet');
    expect(driven.asked).not.toContain('count');
    expect(driven.screens.finish).not.toContain('save and provision');
    expect(result.file).toBe(join(dir, 'other.yaml'));
    expect(readFileSync(join(dir, 'fleet.yaml'), 'utf8')).toBe('# mine\nversion: 1\nfleet: kept\nscanners:\n  count: 2\n');
    const other = readFileSync(join(dir, 'other.yaml'), 'utf8');
    expect(other).toContain('# mine');
    expect(parse(other)).toMatchObject({ fleet: 'kept', scanners: { count: 2 }, tags: { Owner: 'me' } });
  });

  it('Ctrl-C at a prompt is an interrupt (exit 130) and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wiz-run-'));
    const { run, review } = base(dir, { ...DEFAULTS, 'instance-type': (h) => h.keypress({ name: 'c', ctrl: true }) });
    const error = await run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InterruptedError);
    expect((error as InterruptedError).exitCode).toBe(130);
    expect(review).not.toHaveBeenCalled();
    expect(existsSync(join(dir, 'fleet.yaml'))).toBe(false);
  });

  it('cancel writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wiz-run-'));
    const { run } = base(dir, { ...DEFAULTS, finish: 'cancel' });
    expect((await run()).action).toBe('cancelled');
    expect(existsSync(join(dir, 'fleet.yaml'))).toBe(false);
  });
});
