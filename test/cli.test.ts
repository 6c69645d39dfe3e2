import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ANSI_RE,
  BIN,
  cliEnv,
  expectNoStackTrace,
  HAS_SCRIPT_PTY,
  parseSingleJson,
  REPO_ROOT,
  runCli,
  runCliInTerminal,
} from './helpers/cli.js';

/** The program-wide contract: help, version, usage errors, configuration precedence, colours. */

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };

/** Subcommand names listed under "Commands:" in a help text (commander's own `help` left out). */
function commandsIn(help: string): string[] {
  const section = help.split(/^Commands:\s*$/m)[1];
  if (!section) return [];
  const names: string[] = [];
  for (const line of section.split('\n').slice(1)) {
    if (line.trim() === '') break;
    const m = /^ {2}([a-z][\w-]*)/.exec(line);
    if (m && m[1] !== 'help') names.push(m[1]!);
  }
  return names;
}

/** Every registered command path, walking nested subcommands (e.g. `sandbox start`). */
async function allCommands(prefix: string[] = []): Promise<string[][]> {
  const r = await runCli([...prefix, '--help']);
  expect(r.code, r.stderr).toBe(0);
  const out: string[][] = [];
  for (const name of commandsIn(r.stdout)) {
    const path = [...prefix, name];
    out.push(path, ...(await allCommands(path)));
  }
  return out;
}

interface PlanDoc {
  region: string;
  tenable: { site: string; link: string; apiUrl: string };
  instances: { launches: { userData: string }[] };
}

async function planJson(args: string[], env: Record<string, string | undefined> = {}, cwd?: string) {
  const r = await runCli(['plan', '--offline', '--json', ...args], { env, cwd });
  expect(r.code, r.stderr).toBe(0);
  expectNoStackTrace(r.stderr);
  const doc = parseSingleJson(r.stdout);
  expect(doc.ok).toBe(true);
  return { plan: doc.plan as PlanDoc, stderr: r.stderr };
}

describe('help and version', () => {
  it('the program help has examples and lists commands', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Examples:');
    expect(commandsIn(r.stdout)).toEqual(expect.arrayContaining(['plan', 'schema']));
  });

  it('every registered command has --help with "Examples:"', async () => {
    const commands = await allCommands();
    expect(commands.length).toBeGreaterThanOrEqual(2);
    const missing: string[] = [];
    for (const cmd of commands) {
      const r = await runCli([...cmd, '--help']);
      expect(r.code, `${cmd.join(' ')} --help: ${r.stderr}`).toBe(0);
      expectNoStackTrace(r.stderr);
      if (!r.stdout.includes('Examples:')) missing.push(cmd.join(' '));
    }
    expect(missing, 'commands whose --help has no "Examples:"').toEqual([]);
  });

  it('--version prints the package.json version', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });
});

describe('usage errors exit 2', () => {
  it('unknown command', async () => {
    const r = await runCli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command 'frobnicate'/);
    expect(r.stdout).toBe('');
    expectNoStackTrace(r.stderr);
  });

  it('unknown command with --json: one {ok:false,error:{code:"USAGE"}} document', async () => {
    const r = await runCli(['frobnicate', '--json']);
    expect(r.code).toBe(2);
    const doc = parseSingleJson(r.stdout);
    expect(doc).toMatchObject({ ok: false, error: { code: 'USAGE' } });
    expect((doc.error as { message: string }).message).toContain('frobnicate');
  });

  it('unknown program option', async () => {
    const r = await runCli(['--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--bogus'/);
    expectNoStackTrace(r.stderr);
  });

  it('unknown program option with --json', async () => {
    const r = await runCli(['--bogus', '--json']);
    expect(r.code).toBe(2);
    expect(parseSingleJson(r.stdout)).toMatchObject({ ok: false, error: { code: 'USAGE' } });
  });

  // Regression: exitOverride()/configureOutput() must be set before subcommands are registered
  // (commander copies them at creation), else a subcommand's parse error exits 1 by itself.
  it('unknown option of a command exits 2', async () => {
    const r = await runCli(['plan', '--bogus', '-f', 'examples/minimal.yaml', '--offline']);
    expect(r.stderr).toMatch(/unknown option '--bogus'/);
    expect(r.code).toBe(2);
  });

  it('unknown option of a command with --json gives the USAGE document', async () => {
    const r = await runCli(['plan', '--bogus', '-f', 'examples/minimal.yaml', '--offline', '--json']);
    expect(r.code).toBe(2);
    expect(parseSingleJson(r.stdout)).toMatchObject({ ok: false, error: { code: 'USAGE' } });
  });

  it('excess arguments to a command exit 2', async () => {
    const r = await runCli(['schema', 'extra']);
    expect(r.stderr).toMatch(/too many arguments/);
    expect(r.code).toBe(2);
  });

  it('a missing option argument', async () => {
    const r = await runCli(['plan', '--offline', '-f']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/argument missing/);
    expectNoStackTrace(r.stderr);
  });
});

describe('configuration precedence: defaults < env < file < flags', () => {
  it('the file region beats AWS_REGION, with a notice naming both', async () => {
    const { plan, stderr } = await planJson(['-f', 'examples/cloud.yaml'], { AWS_REGION: 'eu-west-1' });
    expect(plan.region).toBe('us-east-1');
    expect(stderr).toContain('us-east-1');
    expect(stderr).toContain('eu-west-1');
    expect(stderr).toContain('AWS_REGION');
  });

  it('AWS_REGION fills a region the file leaves out, silently', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nessus-byol-cli-'));
    try {
      await writeFile(join(dir, 'fleet.yaml'), 'version: 1\nfleet: no-region\n');
      const { plan, stderr } = await planJson(['-f', 'fleet.yaml'], { AWS_REGION: 'eu-west-1' }, dir);
      expect(plan.region).toBe('eu-west-1');
      expect(stderr).not.toContain('ignoring AWS_REGION');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('--region beats the file', async () => {
    const { plan, stderr } = await planJson(['-f', 'examples/cloud.yaml', '--region', 'eu-west-2'], {
      AWS_REGION: 'eu-west-1',
    });
    expect(plan.region).toBe('eu-west-2');
    expect(stderr).not.toContain('ignoring AWS_REGION');
  });

  it('TIO_URL=https://fedcloud.tenable.com applies to a file without tenable:', async () => {
    const { plan } = await planJson(['-f', 'examples/minimal.yaml'], { TIO_URL: 'https://fedcloud.tenable.com' });
    expect(plan.tenable.site).toBe('fedramp');
    expect(plan.tenable.link).toContain('--host=fedcloud.tenable.com --port=443');
    const userData = plan.instances.launches[0]!.userData.replace(/'/g, '');
    expect(userData).toContain('--host=fedcloud.tenable.com --port=443');
    expect(userData).not.toMatch(/managed link.*--cloud/);
  });

  // Issue 16: TIO_URL is the API endpoint whatever tenable.site says; the site only picks the link target.
  it('TIO_URL moves the API calls of a file that sets tenable.site; the link stays --cloud', async () => {
    const { plan } = await planJson(['-f', 'examples/cloud.yaml'], { TIO_URL: 'http://127.0.0.1:4010/' });
    expect(plan.tenable.site).toBe('cloud');
    expect(plan.tenable.apiUrl).toBe('http://127.0.0.1:4010');
    expect(plan.tenable.link).toContain('--cloud');
  });

  it('--tenable-url beats TIO_URL', async () => {
    const { plan } = await planJson(['-f', 'examples/cloud.yaml', '--tenable-url', 'http://127.0.0.1:4011'], { TIO_URL: 'http://127.0.0.1:4010' });
    expect(plan.tenable.apiUrl).toBe('http://127.0.0.1:4011');
    expect(plan.tenable.link).toContain('--cloud');
  });

  it('a file that sets tenable.site: cloud and TIO_URL at FedRAMP is a conflict (exit 2 naming both)', async () => {
    const r = await runCli(['plan', '--offline', '-f', 'examples/cloud.yaml'], { env: { TIO_URL: 'https://fedcloud.tenable.com' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('TIO_URL=https://fedcloud.tenable.com');
    expect(r.stderr).toContain('`site: cloud`');
  });
});

describe('colours', () => {
  const args = ['plan', '-f', 'examples/cloud.yaml', '--offline', '--no-user-data'];
  const env = { AWS_REGION: 'eu-west-1' }; // adds a (coloured) notice to the output

  it('piped output has no ANSI escapes', async () => {
    const r = await runCli(args, { env: { ...env, NO_COLOR: undefined } });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(ANSI_RE);
    expect(r.stderr).not.toMatch(ANSI_RE);
  });

  describe.skipIf(!HAS_SCRIPT_PTY)('on a terminal', () => {
    it('colours by default (so the checks below mean something)', async () => {
      const r = await runCliInTerminal(args, { env: { ...env, NO_COLOR: undefined } });
      expect(r.code, r.output).toBe(0);
      expect(r.output).toMatch(ANSI_RE);
    });

    it('NO_COLOR=1 turns colours off', async () => {
      const r = await runCliInTerminal(args, { env: { ...env, NO_COLOR: '1' } });
      expect(r.code, r.output).toBe(0);
      expect(r.output).toContain('notice:');
      expect(r.output).not.toMatch(ANSI_RE);
    });

    it('--no-color turns colours off', async () => {
      const r = await runCliInTerminal([...args, '--no-color'], { env: { ...env, NO_COLOR: undefined } });
      expect(r.code, r.output).toBe(0);
      expect(r.output).toContain('notice:');
      expect(r.output).not.toMatch(ANSI_RE);
    });

    it('--no-color before the command works too', async () => {
      const r = await runCliInTerminal(['--no-color', ...args], { env: { ...env, NO_COLOR: undefined } });
      expect(r.code, r.output).toBe(0);
      expect(r.output).not.toMatch(ANSI_RE);
    });
  });
});

describe('pipes', () => {
  it('a reader that closes the pipe early (| head) ends the CLI quietly, with no stack trace', async () => {
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync('bash', ['-c', `set -o pipefail; ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} schema | true`], {
      encoding: 'utf8',
      env: cliEnv(),
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
