import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { isAlive } from './net.js';

/** `<stateDir>/sandbox.json`: written by the daemon once ready, removed when it stops. */
export const SandboxState = z.object({
  pid: z.number().int(),
  motoPid: z.number().int(),
  env: z.record(z.string(), z.string()),
  startedAt: z.string(),
  stateDir: z.string(),
  motoEndpoint: z.string(),
  simulatorUrl: z.string(),
  imdsUrl: z.string(),
});
export type SandboxState = z.infer<typeof SandboxState>;

/** Why the daemon could not start (`<stateDir>/sandbox-error.json`), so the starter can rethrow it. */
export const SandboxStartFailure = z.object({ code: z.string(), message: z.string(), hint: z.string().optional() });
export type SandboxStartFailure = z.infer<typeof SandboxStartFailure>;

export const stateFile = (stateDir: string) => join(stateDir, 'sandbox.json');
export const errorFile = (stateDir: string) => join(stateDir, 'sandbox-error.json');
export const logFile = (stateDir: string) => join(stateDir, 'sandbox.log');

/** `$NESSUS_BYOL_SANDBOX_DIR`, else `~/.cache/nessus-byol/sandbox`. */
export function defaultSandboxDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.NESSUS_BYOL_SANDBOX_DIR || join(homedir(), '.cache', 'nessus-byol', 'sandbox');
}

/** The state file as written, whether or not its process still runs; null when absent or unreadable. */
export function readStateFile(stateDir: string): SandboxState | null {
  const path = stateFile(stateDir);
  if (!existsSync(path)) return null;
  try {
    const parsed = SandboxState.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The running sandbox's state; null when none is running (absent file or dead daemon). */
export function readSandboxState(stateDir: string): SandboxState | null {
  const state = readStateFile(stateDir);
  return state && isAlive(state.pid) ? state : null;
}

export function writeJsonAtomic(path: string, value: unknown): void {
  const tmp = `${path}.${process.pid}.tmp`;
  // 0600: the file holds the sandbox's (dummy) TVM keys.
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}

export function removeFile(path: string): void {
  rmSync(path, { force: true });
}
