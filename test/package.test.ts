import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/cli.js';

/** The published package: `npm pack`'s file list, and the bundle working with no node_modules at all. */
describe('the npm package', () => {
  const outside = mkdtempSync(join(tmpdir(), 'nb-package-'));
  afterAll(() => rmSync(outside, { recursive: true, force: true }));

  it('ships the bundle and its licence notices, no source maps, and no runtime dependencies', () => {
    const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const files = (JSON.parse(r.stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
    expect(files).toContain('dist/bin.js');
    expect(files).toContain('dist/cli.js');
    expect(files).toContain('dist/THIRD-PARTY-NOTICES.md');
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(pkg.dependencies).toBeUndefined();
    const notices = readFileSync(join(REPO_ROOT, 'dist', 'THIRD-PARTY-NOTICES.md'), 'utf8');
    for (const name of ['@aws-sdk/client-ec2', 'commander', 'listr2', 'zod', 'yaml', 'ssh2', 'node-ssh']) expect(notices).toMatch(new RegExp(`^## ${name} \\d`, 'm'));
  });

  it('loads every chunk of the bundle from a directory with no node_modules anywhere above it', () => {
    cpSync(join(REPO_ROOT, 'dist'), join(outside, 'dist'), { recursive: true });
    const chunks = readdirSync(join(outside, 'dist', 'chunks')).filter((f) => f.endsWith('.js'));
    expect(chunks.length).toBeGreaterThan(10);
    // A static import of a package that is not bundled fails here with ERR_MODULE_NOT_FOUND.
    const script = `for (const f of ${JSON.stringify(chunks)}) await import('./dist/chunks/' + f); console.log('loaded', ${chunks.length});`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: outside, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(`loaded ${chunks.length}`);
    const help = spawnSync(process.execPath, [join(outside, 'dist', 'bin.js'), 'ssh', '--help'], { cwd: outside, encoding: 'utf8' });
    expect(help.status).toBe(0);
  });
});
