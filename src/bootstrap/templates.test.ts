import { cpSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { fillTemplate, templatesDir } from './templates.js';

describe('templatesDir', () => {
  const root = mkdtempSync(join(tmpdir(), 'nessus-byol-pkg-'));
  cpSync(templatesDir(), join(root, 'templates'), { recursive: true });
  mkdirSync(join(root, 'dist'));
  mkdirSync(join(root, 'src', 'bootstrap'), { recursive: true });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('finds templates/ from the sources (two levels up)', () => {
    expect(templatesDir(pathToFileURL(join(root, 'src', 'bootstrap', 'templates.ts')))).toBe(
      join(root, 'templates') + '/',
    );
  });

  it('finds templates/ from the bundle dist/*.js (one level up)', () => {
    expect(templatesDir(pathToFileURL(join(root, 'dist', 'bin.js')))).toBe(join(root, 'templates') + '/');
  });

  it('fails with a clear message when the package has no templates', () => {
    const empty = mkdtempSync(join(tmpdir(), 'nessus-byol-empty-'));
    writeFileSync(join(empty, 'x.js'), '');
    expect(() => templatesDir(pathToFileURL(join(empty, 'dist', 'bin.js')))).toThrow(/templates not found/);
    rmSync(empty, { recursive: true, force: true });
  });
});

describe('fillTemplate', () => {
  it('replaces placeholders and refuses missing or unused values', () => {
    expect(fillTemplate('a={{A}} b={{B}}', { A: '1', B: '2' })).toBe('a=1 b=2');
    expect(() => fillTemplate('{{A}}', {})).toThrow(/no value for placeholder \{\{A\}\}/);
    expect(() => fillTemplate('{{A}}', { A: '1', C: '3' })).toThrow(/without a placeholder: C/);
  });

  it('does not expand placeholders inside inserted values', () => {
    expect(fillTemplate('{{A}}', { A: '{{B}}' })).toBe('{{B}}');
  });
});
