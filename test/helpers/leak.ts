import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Secret-leak scanning: the forms a secret can take on its way out (plaintext, SSM's undecrypted
 * `kms:alias/aws/ssm:<plaintext>`, base64 at any alignment, URL-encoding) and where it can land
 * (streams, files, user-data).
 */

/** Name → value of every secret a run knows; values must be long and unique enough not to match by chance. */
export type Secrets = Record<string, string>;

export interface LeakHit {
  secret: string;
  form: string;
  where: string;
  /** A few characters around the hit, with the secret itself masked. */
  context: string;
}

/**
 * The needles for one secret. A secret inside a larger base64 blob (user-data, a JSON file) is
 * encoded differently depending on its byte offset modulo 3, so the stable middle of all three
 * alignments is searched, not only `base64(secret)`.
 */
export function needlesOf(value: string): Array<{ form: string; text: string }> {
  const out: Array<{ form: string; text: string }> = [{ form: 'plaintext', text: value }];
  out.push({ form: 'ssm-undecrypted', text: `kms:alias/aws/ssm:${value}` });
  const enc = encodeURIComponent(value);
  if (enc !== value) out.push({ form: 'url-encoded', text: enc });
  for (let pad = 0; pad < 3; pad++) {
    const b64 = Buffer.from('\0'.repeat(pad) + value, 'utf8').toString('base64');
    // Characters 4*ceil(pad/3)… depend only on the secret; drop the tail that mixes with what follows.
    const start = pad === 0 ? 0 : 4;
    const stableBytes = Buffer.byteLength(value) - (pad === 0 ? 0 : 3 - pad);
    const stableChars = Math.floor(stableBytes / 3) * 4;
    const text = b64.slice(start, start + stableChars);
    if (text.length >= 16) {
      out.push({ form: `base64@${pad}`, text });
      const urlSafe = text.replace(/\+/g, '-').replace(/\//g, '_');
      if (urlSafe !== text) out.push({ form: `base64url@${pad}`, text: urlSafe });
    }
  }
  return out;
}

/** Every occurrence of any form of any secret in `text`, labelled with `where`. */
export function scanText(text: string, where: string, secrets: Secrets, allow: readonly string[] = []): LeakHit[] {
  const hits: LeakHit[] = [];
  for (const [name, value] of Object.entries(secrets)) {
    if (allow.includes(name)) continue;
    // The plaintext form already covers `kms:alias/aws/ssm:<plaintext>`; it is listed for the report.
    const needles = needlesOf(value).sort((a, b) => b.text.length - a.text.length);
    for (const n of needles) {
      const at = text.indexOf(n.text);
      if (at < 0) continue;
      const around = text.slice(Math.max(0, at - 40), at + n.text.length + 40).split(n.text).join(`<${name}>`);
      hits.push({ secret: name, form: n.form, where, context: around.replace(/\s+/g, ' ') });
      break; // one hit per secret and place is enough to fail, and keeps the report short
    }
  }
  return hits;
}

/** Regular files under `dir` (not following symlinks), skipping `skip` paths (relative). */
export function filesUnder(dir: string, skip: readonly string[] = []): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d)) {
      const p = join(d, entry);
      if (skip.includes(relative(dir, p))) continue;
      const st = lstatSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** Scans every file under each directory (as UTF-8 and as Latin-1, so binary files are searched too). */
export function scanFiles(dirs: readonly string[], secrets: Secrets, skip: readonly string[] = []): LeakHit[] {
  const hits: LeakHit[] = [];
  for (const dir of dirs) {
    for (const file of filesUnder(dir, skip)) {
      const buf = readFileSync(file);
      hits.push(...scanText(buf.toString('latin1'), `file ${file}`, secrets));
    }
  }
  return dedupe(hits);
}

function dedupe(hits: LeakHit[]): LeakHit[] {
  const seen = new Set<string>();
  return hits.filter((h) => {
    const k = `${h.secret} ${h.where}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** A readable failure message listing each hit. */
export function formatHits(hits: readonly LeakHit[]): string {
  return hits.map((h) => `  ${h.secret} (${h.form}) in ${h.where}: …${h.context}…`).join('\n');
}
