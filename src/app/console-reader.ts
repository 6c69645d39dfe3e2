import type { Ec2Gateway } from '../adapters/aws/ec2.js';
import { readSandboxConsole } from '../sandbox/console.js';

export interface ConsoleReader {
  (instanceId: string): Promise<string>;
  /** True when reading costs no AWS call (the sandbox's captured consoles). */
  readonly local?: boolean;
}

export const BOOT_PREFIX = 'nessus-byol-bootstrap:';

/**
 * The instance console (where the bootstrap writes its phase lines). In the sandbox, moto has no real
 * console, so the boot watcher's capture is read instead (like AWS_ENDPOINT_URL, an env override).
 */
export function createConsoleReader(ec2: Ec2Gateway, env: NodeJS.ProcessEnv): ConsoleReader {
  const sandboxDir = env.NESSUS_BYOL_SANDBOX_DIR;
  if (sandboxDir) return Object.assign(async (id: string) => readSandboxConsole(sandboxDir, id) ?? '', { local: true });
  return async (id: string) => ec2.consoleOutput(id);
}

export function bootstrapLines(consoleText: string): string[] {
  return consoleText
    .split(/\r?\n/)
    .map((l) => l.slice(Math.max(0, l.indexOf(BOOT_PREFIX))))
    .filter((l) => l.startsWith(BOOT_PREFIX));
}
