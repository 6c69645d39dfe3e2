import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse as parseYaml } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectNoStackTrace, parseSingleJson, REPO_ROOT, runCli } from './helpers/cli.js';

/**
 * Every shipped example is valid by both validators (zod through the CLI, and the published JSON
 * Schema that editors use), renders the right link flags for its target, and never prints a secret.
 */

const EXAMPLES_DIR = join(REPO_ROOT, 'examples');
const SCHEMA_FILE = join(REPO_ROOT, 'schema', 'fleet.schema.json');
const SCHEMA_COMMENT = '# yaml-language-server: $schema=../schema/fleet.schema.json';
const examples = readdirSync(EXAMPLES_DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

/** Known values for every secret the tool may read from the environment; none may ever be printed. */
const SECRETS = {
  NESSUS_LINKING_KEY: 'feedc0de'.repeat(8),
  TIO_ACCESS_KEY: 'ac0e55'.repeat(10) + 'acce',
  TIO_SECRET_KEY: '5ec12e7'.repeat(9) + 'x',
} as const;

interface ExampleFleet {
  tenable?: { site?: string; linkHost?: string; linkPort?: number };
  link?: { method?: string; awsScanner?: boolean; proxy?: { host: string; port: number; username?: string } };
}

interface Launch {
  userData: string;
  scannerNames?: string[];
}
interface PlanDoc {
  fleet: string;
  region: string;
  tenable: { site: string; link: string };
  linkMethod: string;
  instances: { launches: Launch[] };
}

/** The `nessuscli managed link …` command line of a bootstrap script, single quotes removed. */
function linkCommand(userData: string): string {
  const line = userData.split('\n').find((l) => /nessuscli"?\s+managed link/i.test(l));
  expect(line, `no "nessuscli managed link" line in user-data:\n${userData}`).toBeDefined();
  return line!.replace(/'/g, '');
}

function expectedLinkFlags(f: ExampleFleet): string[] {
  const site = f.tenable?.site ?? 'cloud';
  const flags: string[] = [];
  if (site === 'cloud') flags.push('--cloud');
  else if (site === 'fedramp') flags.push('--host=fedcloud.tenable.com --port=443');
  else flags.push(`--host=${f.tenable?.linkHost} --port=${f.tenable?.linkPort ?? 443}`);
  if (f.link?.awsScanner) flags.push('--aws-scanner');
  const proxy = f.link?.proxy;
  if (proxy) {
    flags.push(`--proxy-host=${proxy.host}`, `--proxy-port=${proxy.port}`);
    if (proxy.username) flags.push(`--proxy-username=${proxy.username}`);
  }
  return flags;
}

function expectNoSecrets(text: string): void {
  for (const [name, value] of Object.entries(SECRETS)) expect(text, `${name} leaked`).not.toContain(value);
}

describe('examples/*.yaml', () => {
  it('there are examples for every link target', () => {
    const fleets = examples.map((f) => parseYaml(readFileSync(join(EXAMPLES_DIR, f), 'utf8')) as ExampleFleet);
    const sites = new Set(fleets.map((f) => f.tenable?.site ?? 'cloud'));
    const methods = new Set(fleets.map((f) => f.link?.method ?? 'bootstrap'));
    expect([...sites].sort()).toEqual(['cloud', 'custom', 'fedramp']);
    expect([...methods].sort()).toEqual(['bootstrap', 'preauthorized-json', 'standalone']);
    expect(fleets.some((f) => f.link?.awsScanner && (f.link.method ?? 'bootstrap') === 'bootstrap')).toBe(true);
    expect(fleets.some((f) => f.link?.proxy)).toBe(true);
  });

  let validate: ReturnType<InstanceType<typeof Ajv2020.default>['compile']>;
  beforeAll(() => {
    const ajv = new Ajv2020.default({ allErrors: true, strict: false });
    addFormats.default(ajv);
    validate = ajv.compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as object);
  });

  describe.each(examples)('%s', (name) => {
    const path = join(EXAMPLES_DIR, name);
    const text = readFileSync(path, 'utf8');
    const fleet = parseYaml(text) as ExampleFleet;
    const rel = `examples/${name}`;

    it('starts with the yaml-language-server $schema comment', () => {
      expect(text.split('\n')[0]).toBe(SCHEMA_COMMENT);
    });

    it('validates against schema/fleet.schema.json (ajv, 2020-12)', () => {
      const ok = validate(fleet);
      expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
      expect(ok).toBe(true);
    });

    it('validates with the zod path: plan --offline exits 0 with AWS_REGION unset, printing no secret', async () => {
      const r = await runCli(['plan', '-f', rel, '--offline'], { env: { ...SECRETS } });
      expect(r.code, r.stderr).toBe(0);
      expectNoStackTrace(r.stderr);
      expectNoSecrets(r.stdout);
      expectNoSecrets(r.stderr);
      expect(r.stdout).toContain('User-data');
    });

    it('plan --offline --json renders the right nessuscli flags and masks the key', async () => {
      const r = await runCli(['plan', '-f', rel, '--offline', '--json'], { env: { ...SECRETS } });
      expect(r.code, r.stderr).toBe(0);
      expectNoStackTrace(r.stderr);
      expectNoSecrets(r.stdout);
      expectNoSecrets(r.stderr);
      const doc = parseSingleJson(r.stdout);
      expect(doc.ok).toBe(true);
      const plan = doc.plan as PlanDoc;
      const method = fleet.link?.method ?? 'bootstrap';
      expect(plan.linkMethod).toBe(method);
      expect(plan.instances.launches.length).toBeGreaterThan(0);

      for (const launch of plan.instances.launches) {
        const userData = launch.userData;
        if (method === 'preauthorized-json') {
          const json = JSON.parse(userData) as Record<string, unknown>;
          expect(json.aws_scanner).toBe(fleet.link?.awsScanner ?? false);
          expect(json.key, 'the embedded key is masked').toMatch(/^\*+$/);
          expect(json.name).toBeTypeOf('string');
          expect(json.iam_role).toBeTypeOf('string');
        } else if (method === 'standalone') {
          expect(userData.startsWith('#!/bin/bash')).toBe(true);
          expect(userData).toMatch(/nessuscli"?\s+fetch --register/i);
          expect(userData).not.toContain('managed link');
        } else {
          expect(userData.startsWith('#!/bin/bash')).toBe(true);
          const cmd = linkCommand(userData);
          for (const flag of expectedLinkFlags(fleet)) expect(cmd).toContain(flag);
          if (!fleet.link?.awsScanner) expect(cmd).not.toContain('--aws-scanner');
          if ((fleet.tenable?.site ?? 'cloud') !== 'cloud') expect(cmd).not.toContain('--cloud');
          expect(cmd, 'the key is passed from a variable, never inline').toMatch(/--key="\$KEY"/);
        }
      }
      if (method !== 'standalone') {
        const first = expectedLinkFlags(fleet)[0]!;
        expect(plan.tenable.link).toContain(first);
        if (fleet.link?.awsScanner) expect(plan.tenable.link).toContain('--aws-scanner');
      }
    });
  });
});

describe('schema/fleet.schema.json', () => {
  it('is committed and equals `nessus-byol schema` (run `npm run schema` after changing the zod schema)', async () => {
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    const r = await runCli(['schema']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(committed);
  });

  it('is JSON Schema 2020-12 and compiles in ajv', () => {
    const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as Record<string, unknown>;
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    const ajv = new Ajv2020.default({ allErrors: true, strict: false });
    addFormats.default(ajv);
    expect(() => ajv.compile(schema)).not.toThrow();
  });

  it('rejects what the CLI rejects (not a vacuous schema)', () => {
    const ajv = new Ajv2020.default({ allErrors: true, strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as object);
    const good = { version: 1, fleet: 'prod', region: 'us-east-1' };
    expect(validate(good)).toBe(true);
    for (const bad of [
      { ...good, version: 2 },
      { version: 1, region: 'us-east-1' },
      { ...good, scaners: { count: 2 } },
      { ...good, scanners: { count: 0 } },
      { ...good, scanners: { count: 'two' } },
      { ...good, link: { key: { from: 'vault' } } },
      { ...good, tenable: { site: 'fedrmp' } },
      { ...good, scanners: { name: '{fleet}-$(reboot)-{index}' } },
    ]) {
      expect(validate(bad), JSON.stringify(bad)).toBe(false);
    }
  });

  it('`schema --json` is one document wrapping the same schema', async () => {
    const r = await runCli(['schema', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = parseSingleJson(r.stdout);
    expect(doc.ok).toBe(true);
    expect(doc.schema).toEqual(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')));
  });
});
