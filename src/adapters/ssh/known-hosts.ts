import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** A host key as the server presented it: the raw SSH wire blob. */
export interface HostKey {
  /** e.g. `ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`. */
  type: string;
  /** Base64 of the wire blob, as written in known_hosts. */
  base64: string;
  /** `SHA256:…` as `ssh-keygen -lf` and OpenSSH show it. */
  fingerprint: string;
}

export function hostKeyFromBlob(blob: Buffer): HostKey {
  const len = blob.length >= 4 ? blob.readUInt32BE(0) : 0;
  const type = len > 0 && 4 + len <= blob.length ? blob.subarray(4, 4 + len).toString('latin1') : 'unknown';
  return { type, base64: blob.toString('base64'), fingerprint: fingerprintOf(blob) };
}

export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The name a host is recorded under: `host` on port 22, `[host]:port` otherwise (OpenSSH's form). */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/**
 * The host key algorithms to offer for a recorded key type, so a server with several host keys
 * presents the one we know (what OpenSSH does) instead of a different, unknown one.
 */
export function algorithmsFor(type: string): string[] {
  if (type === 'ssh-rsa') return ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
  return [type];
}

/**
 * A known_hosts file in OpenSSH's format (`name keytype base64`), holding only plain names (no
 * hashed entries or markers are written; foreign lines are kept as they are when rewriting).
 */
export class KnownHostsFile {
  constructor(readonly path: string) {}

  /** Keys recorded for a name. */
  lookup(name: string): HostKey[] {
    const out: HostKey[] = [];
    for (const line of this.#lines()) {
      const entry = parseLine(line);
      if (entry && entry.names.includes(name)) out.push(entry.key);
    }
    return out;
  }

  /** Adds a key for a name (trust on first use). */
  add(name: string, key: HostKey): void {
    this.#write([...this.#lines(), `${name} ${key.type} ${key.base64}`]);
  }

  /** Replaces every key recorded for a name with this one. */
  replace(name: string, key: HostKey): void {
    const kept = this.#lines().filter((line) => {
      const entry = parseLine(line);
      return !(entry && entry.names.length === 1 && entry.names[0] === name);
    });
    this.#write([...kept.map((line) => withoutName(line, name)), `${name} ${key.type} ${key.base64}`]);
  }

  #lines(): string[] {
    if (!existsSync(this.path)) return [];
    return readFileSync(this.path, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
  }

  #write(lines: string[]): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, `${lines.join('\n')}\n`, { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.path);
  }
}

function parseLine(line: string): { names: string[]; key: HostKey } | null {
  const t = line.trim();
  if (t.startsWith('#') || t.startsWith('@') || t.startsWith('|')) return null;
  const [names, type, base64] = t.split(/\s+/);
  if (!names || !type || !base64) return null;
  let blob: Buffer;
  try {
    blob = Buffer.from(base64, 'base64');
  } catch {
    return null;
  }
  return { names: names.split(','), key: { type, base64, fingerprint: fingerprintOf(blob) } };
}

/** Removes `name` from a comma-separated name list (a line shared with other names keeps them). */
function withoutName(line: string, name: string): string {
  const entry = parseLine(line);
  if (!entry || !entry.names.includes(name)) return line;
  const [, ...rest] = line.trim().split(/\s+/);
  return [entry.names.filter((n) => n !== name).join(','), ...rest].join(' ');
}
