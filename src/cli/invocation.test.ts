import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliCommand } from './invocation.js';

function dirWithBin(...parts: string[]): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'nb-inv-')), ...parts);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'nessus-byol'), '#!/bin/sh\n');
  chmodSync(join(dir, 'nessus-byol'), 0o755);
  return dir;
}

describe('cliCommand', () => {
  it('is the bare name when nessus-byol is on PATH', () => {
    expect(cliCommand({ PATH: `/nonexistent:${dirWithBin('bin')}` })).toBe('nessus-byol');
  });

  it('is npx when it is not on PATH, or only in a node_modules/.bin that npm scripts add', () => {
    expect(cliCommand({ PATH: '/nonexistent' })).toBe('npx nessus-byol');
    expect(cliCommand({ PATH: dirWithBin('node_modules', '.bin') })).toBe('npx nessus-byol');
  });

  it('is npx when the CLI runs through npx / npm exec', () => {
    expect(cliCommand({ PATH: dirWithBin('bin'), npm_command: 'exec' })).toBe('npx nessus-byol');
  });
});
