import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * moto's GetConsoleOutput returns canned text, so in the sandbox an instance's console output is the
 * output of its boot, kept in `<stateDir>/console/<instanceId>.log` (the live output of a boot still
 * running is in `<stateDir>/boot/<instanceId>/console.log`).
 */
const INSTANCE_ID = /^i-[0-9a-zA-Z]{1,32}$/;

export function bootDir(stateDir: string, instanceId: string): string {
  return join(stateDir, 'boot', checkedId(instanceId));
}

export function consoleFile(stateDir: string, instanceId: string): string {
  return join(stateDir, 'console', `${checkedId(instanceId)}.log`);
}

/** The console text of an instance booted by the sandbox, or undefined when it has not booted (yet). */
export function readSandboxConsole(stateDir: string, instanceId: string): string | undefined {
  if (!INSTANCE_ID.test(instanceId)) return undefined;
  for (const path of [consoleFile(stateDir, instanceId), join(bootDir(stateDir, instanceId), 'console.log')]) {
    if (existsSync(path)) return readFileSync(path, 'utf8');
  }
  return undefined;
}

export function publishConsole(stateDir: string, instanceId: string, text: string): void {
  mkdirSync(join(stateDir, 'console'), { recursive: true });
  writeFileSync(consoleFile(stateDir, instanceId), text);
}

function checkedId(instanceId: string): string {
  if (!INSTANCE_ID.test(instanceId)) throw new Error(`not an instance id: ${JSON.stringify(instanceId)}`);
  return instanceId;
}
