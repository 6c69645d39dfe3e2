import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { needlesOf, scanFiles, scanText } from './helpers/leak.js';

/** The leak scanner itself must find every form it claims to (else secret-leak.test.ts proves nothing). */
const SECRET = 'a3f9c2e1b4d5a6f7089e1c2d3b4a5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6';
const secrets = { LINKING_KEY: SECRET, AWS_SECRET_ACCESS_KEY: 'Lk/abc+def/ghi+jkl/mno+pqr/stu+vwx' };

describe('leak scanner', () => {
  it('finds the plaintext and SSM\'s undecrypted kms:alias/aws/ssm:<plaintext> form', () => {
    expect(scanText(`value: kms:alias/aws/ssm:${SECRET}\n`, 'x', secrets)).toMatchObject([{ secret: 'LINKING_KEY' }]);
    expect(scanText(`--key=${SECRET}`, 'x', secrets)).toHaveLength(1);
  });

  it('finds base64 of a secret embedded in a larger blob at every byte alignment, also url-safe', () => {
    for (const prefix of ['', 'a', 'ab', 'abc', '#!/bin/bash\nKEY=']) {
      const blob = Buffer.from(`${prefix}${SECRET}\nmore text after`).toString('base64');
      expect(scanText(blob, 'x', secrets), `prefix ${JSON.stringify(prefix)}`).toMatchObject([{ secret: 'LINKING_KEY' }]);
    }
    const urlSafe = Buffer.from(`xy${secrets.AWS_SECRET_ACCESS_KEY}`).toString('base64url');
    expect(scanText(urlSafe, 'x', secrets)).toMatchObject([{ secret: 'AWS_SECRET_ACCESS_KEY' }]);
  });

  it('finds the URL-encoded form and masks the secret in its report', () => {
    const hits = scanText(`secret=${encodeURIComponent(secrets.AWS_SECRET_ACCESS_KEY)}&x=1`, 'stderr', secrets);
    expect(hits).toMatchObject([{ secret: 'AWS_SECRET_ACCESS_KEY', form: 'url-encoded' }]);
    expect(hits[0]!.context).not.toContain(encodeURIComponent(secrets.AWS_SECRET_ACCESS_KEY));
  });

  it('does not flag a masked value or a short prefix', () => {
    expect(scanText(`key: ${SECRET.slice(0, 4)}…${'*'.repeat(8)}`, 'x', secrets)).toEqual([]);
    expect(needlesOf(SECRET).every((n) => n.text.length >= 16)).toBe(true);
  });

  it('honours allow (a secret that belongs in one place by design)', () => {
    expect(scanText(SECRET, 'user-data', secrets, ['LINKING_KEY'])).toEqual([]);
  });

  it('scans files in nested directories, binary included', () => {
    const dir = mkdtempSync(join(tmpdir(), 'leak-scan-'));
    mkdirSync(join(dir, 'a', 'b'), { recursive: true });
    writeFileSync(join(dir, 'a', 'b', 'state.bin'), Buffer.concat([Buffer.from([0, 255, 1]), Buffer.from(SECRET)]));
    writeFileSync(join(dir, 'clean.txt'), 'nothing here');
    expect(scanFiles([dir], secrets)).toMatchObject([{ secret: 'LINKING_KEY', where: expect.stringContaining('state.bin') }]);
  });
});
