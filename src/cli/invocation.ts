import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * How the user can run this CLI again from their shell, for hints: `nessus-byol` when it is on
 * PATH, else `npx nessus-byol` (run from a clone after `npm install`, or through npx itself).
 * node_modules/.bin directories do not count: npm puts them on PATH only inside its own scripts.
 */
export function cliCommand(env: NodeJS.ProcessEnv = process.env): string {
  if (env.npm_command === 'exec') return 'npx nessus-byol';
  const onPath = (env.PATH ?? '')
    .split(delimiter)
    .some((dir) => dir !== '' && !dir.split(/[\\/]/).includes('node_modules') && isExecutable(join(dir, 'nessus-byol')));
  return onPath ? 'nessus-byol' : 'npx nessus-byol';
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
