import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, cliEnv, runCli } from './helpers/cli.js';

/** An older Node on this machine (CI machines come with Node 20 at /usr/bin/node), if any. */
function oldNode(): string | undefined {
  for (const candidate of ['/usr/bin/node', '/usr/local/bin/node', '/bin/node']) {
    const r = spawnSync(candidate, ['-p', 'process.versions.node'], { encoding: 'utf8' });
    if (r.status !== 0) continue;
    const [major = 0, minor = 0] = r.stdout.trim().split('.').map(Number);
    if (major < 22 || (major === 22 && minor < 13)) return candidate;
  }
  return undefined;
}

const OLD_NODE = oldNode();
const onOldNode = (args: string[]) => spawnSync(OLD_NODE!, [BIN, ...args], { encoding: 'utf8', env: cliEnv(), input: '' });

describe('on a supported Node', () => {
  it('prints no Node-version warning', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });
});

// Skipped (and named in the run's summary) on a machine that has no Node older than 22.13.
describe.skipIf(!OLD_NODE)('the entry on a Node older than 22.13', () => {
  it('still answers --help and --version, with a one-line warning', () => {
    for (const args of [['--help'], ['--version'], ['up', '--help']]) {
      const r = onOldNode(args);
      expect(r.status, args.join(' ')).toBe(0);
      expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^warning: nessus-byol needs Node >= 22\.13 \(22 or 24\); this is Node \d+\./)]);
    }
    expect(onOldNode(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('refuses any other command with exit 2, naming the Node it needs, as text and as --json', () => {
    const text = onOldNode(['plan', '-f', 'examples/minimal.yaml', '--offline']);
    expect(text.status).toBe(2);
    expect(text.stdout).toBe('');
    expect(text.stderr).toMatch(/^Error: missing required environment: nessus-byol needs Node >= 22\.13 \(22 or 24\); this is Node \d+/);
    expect(text.stderr).toContain('hint: install Node 22');

    const json = onOldNode(['status', '-f', 'examples/minimal.yaml', '--json']);
    expect(json.status).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { code: 'NODE_VERSION', message: expect.stringContaining('Node >= 22.13') } });
  });
});
