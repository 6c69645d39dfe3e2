import { has } from '../../../test/helpers/tools.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decideHostKey } from './host-key-policy.js';
import { KnownHostsFile, algorithmsFor, fingerprintOf, hostKeyFromBlob, knownHostsName } from './known-hosts.js';

// Two real ed25519 public keys (wire blobs, base64) and their ssh-keygen -lf fingerprints.
function makeKey(): { blob: Buffer; fingerprint: string } {
  const dir = mkdtempSync(join(tmpdir(), 'kh-'));
  spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'k')]);
  const pub = readFileSync(join(dir, 'k.pub'), 'utf8').split(' ');
  const fp =
    /(SHA256:\S+)/.exec(spawnSync('ssh-keygen', ['-lf', join(dir, 'k.pub')], { encoding: 'utf8' }).stdout)?.[1] ?? '';
  return { blob: Buffer.from(pub[1]!, 'base64'), fingerprint: fp };
}
const HAS_KEYGEN = has('ssh-keygen');

describe.skipIf(!HAS_KEYGEN)('host keys', () => {
  it('reads the key type and computes the fingerprint exactly as ssh-keygen shows it', () => {
    const k = makeKey();
    const key = hostKeyFromBlob(k.blob);
    expect(key.type).toBe('ssh-ed25519');
    expect(key.fingerprint).toBe(k.fingerprint);
    expect(fingerprintOf(k.blob)).not.toContain('=');
  });

  it('names hosts like OpenSSH and offers the recorded algorithm family', () => {
    expect(knownHostsName('10.0.0.5', 22)).toBe('10.0.0.5');
    expect(knownHostsName('127.0.0.1', 2222)).toBe('[127.0.0.1]:2222');
    expect(algorithmsFor('ssh-rsa')).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
    expect(algorithmsFor('ssh-ed25519')).toEqual(['ssh-ed25519']);
  });

  it('trusts on first use, accepts the same key, refuses a changed one, replaces it only when asked', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kh-'));
    const path = join(dir, 'nested', 'known_hosts');
    const file = new KnownHostsFile(path);
    const a = makeKey();
    const b = makeKey();
    expect(decideHostKey(file, 'i-0abc12345', a.blob, false).kind).toBe('first-use');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(decideHostKey(file, 'i-0abc12345', a.blob, false).kind).toBe('known');
    const changed = decideHostKey(file, 'i-0abc12345', b.blob, false);
    expect(changed).toMatchObject({
      kind: 'changed',
      previous: [{ fingerprint: a.fingerprint }],
      key: { fingerprint: b.fingerprint },
    });
    expect(file.lookup('i-0abc12345')).toHaveLength(1);
    expect(decideHostKey(file, 'i-0abc12345', b.blob, true).kind).toBe('replaced');
    expect(file.lookup('i-0abc12345').map((k) => k.fingerprint)).toEqual([b.fingerprint]);
    expect(decideHostKey(file, 'i-0abc12345', b.blob, false).kind).toBe('known');
  });

  it('keeps foreign lines and other names when replacing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kh-'));
    const path = join(dir, 'known_hosts');
    const a = makeKey();
    const b = makeKey();
    const a64 = a.blob.toString('base64');
    writeFileSync(
      path,
      `# comment\n|1|hashed|entry ssh-ed25519 ${a64}\nhost1,host2 ssh-ed25519 ${a64}\nother ssh-ed25519 ${a64}\n`,
    );
    const file = new KnownHostsFile(path);
    expect(file.lookup('host2')).toHaveLength(1);
    file.replace('host2', hostKeyFromBlob(b.blob));
    const text = readFileSync(path, 'utf8');
    expect(text).toContain('# comment');
    expect(text).toContain('|1|hashed|entry');
    expect(text).toContain(`host1 ssh-ed25519 ${a64}`);
    expect(text).toContain(`other ssh-ed25519 ${a64}`);
    expect(file.lookup('host2').map((k) => k.fingerprint)).toEqual([b.fingerprint]);
    expect(file.lookup('host1').map((k) => k.fingerprint)).toEqual([a.fingerprint]);
  });
});
