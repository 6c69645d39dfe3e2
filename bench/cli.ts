import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
export const BIN = join(REPO_ROOT, 'dist', 'bin.js');

export interface Timed {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  startedAt: number;
  endedAt: number;
}

/** The bench's environment: no ambient AWS_/TIO_/NESSUS_ settings of the developer's shell. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(AWS_|TIO_|NESSUS_)/.test(k) && v !== undefined) env[k] = v;
  return { ...env, NO_COLOR: '1', ...extra };
}

/** Runs a process to completion, timing it from spawn to exit. */
export function timed(command: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const startedAt = Date.now();
    const t0 = process.hrtime.bigint();
    const child = spawn(command, args, { cwd: opts.cwd ?? REPO_ROOT, env: opts.env ?? cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 600_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Number(process.hrtime.bigint() - t0) / 1e6, startedAt, endedAt: Date.now() });
    });
  });
}

/** `node dist/bin.js …` against the bench world. */
export function cli(args: string[], env: Record<string, string>, cwd: string, timeoutMs?: number): Promise<Timed> {
  return timed(process.execPath, [BIN, ...args], { env: cleanEnv(env), cwd, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
}

/** A fresh working directory holding `fleet.yaml` with this text. */
export function fleetDir(root: string, label: string, yaml: string): string {
  const dir = mkdtempSync(join(root, `${label}-`));
  writeFileSync(join(dir, 'fleet.yaml'), yaml);
  return dir;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Action name → count, most frequent first. */
export function countActions(calls: ReadonlyArray<{ action: string }>): Record<string, number> {
  const m = new Map<string, number>();
  for (const c of calls) m.set(c.action, (m.get(c.action) ?? 0) + 1);
  return Object.fromEntries([...m.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
}

export function failIfNot(r: Timed, what: string): void {
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}\n--- stderr ---\n${r.stderr.slice(-3000)}\n--- stdout ---\n${r.stdout.slice(-2000)}`);
}
