import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { RuntimeError } from '../../core/errors.js';

/**
 * Where `sechub` remembers its last successful run, so a run without --since exports only what changed
 * since then. The state names the scope it was made for (Tenable site, region, filters, product):
 * a state from a different scope is not used, because its `since` would hide findings the new
 * filters select.
 */

export interface SechubScope {
  tenableUrl: string;
  region: string;
  states: string[];
  severities: string[];
  productArn: string;
}

export interface SechubState {
  version: 1;
  scope: SechubScope;
  /** Epoch seconds: the start of the last successful run, the next run's `since`. */
  nextSince: number;
  lastSuccessAt: string;
  lastRun: { exported: number; imported: number };
}

export interface SechubStateStore {
  /** For messages: `file /path` or `ssm:/name`. */
  readonly describe: string;
  load(): Promise<SechubState | null>;
  save(state: SechubState): Promise<void>;
}

export function sameScope(a: SechubScope, b: SechubScope): boolean {
  const key = (s: SechubScope) =>
    JSON.stringify([s.tenableUrl, s.region, [...s.states].sort(), [...s.severities].sort(), s.productArn]);
  return key(a) === key(b);
}

/** `$XDG_STATE_HOME/nessus-byol/sechub-<scope hash>.json` (default `~/.local/state/…`). */
export function defaultStatePath(env: NodeJS.ProcessEnv, scope: SechubScope): string {
  const base = env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state');
  const hash = createHash('sha256')
    .update(
      JSON.stringify([
        scope.tenableUrl,
        scope.region,
        [...scope.states].sort(),
        [...scope.severities].sort(),
        scope.productArn,
      ]),
    )
    .digest('hex')
    .slice(0, 12);
  return join(base, 'nessus-byol', `sechub-${hash}.json`);
}

export function parseState(text: string, where: string): SechubState {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw corrupt(where);
  }
  const s = doc as Partial<SechubState> | null;
  if (!s || s.version !== 1 || typeof s.nextSince !== 'number' || typeof s.scope !== 'object' || s.scope === null)
    throw corrupt(where);
  return s as SechubState;
}

function corrupt(where: string): RuntimeError {
  return new RuntimeError('SECHUB_STATE_UNREADABLE', `The remembered sechub state in ${where} is not readable.`, {
    hint: 'pass --since to choose the start explicitly (the state is rewritten after the next successful run), or delete it',
  });
}

export function fileStateStore(path: string): SechubStateStore {
  return {
    describe: `file ${path}`,
    async load() {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw new RuntimeError('SECHUB_STATE_UNREADABLE', `Could not read ${path}: ${(e as Error).message}`, {
          cause: e,
        });
      }
      return parseState(text, path);
    },
    async save(state) {
      try {
        await mkdir(dirname(path), { recursive: true, mode: 0o700 });
        // Write then rename: a run killed mid-write never leaves a torn state behind.
        const tmp = `${path}.${process.pid}.tmp`;
        await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
        await rename(tmp, path);
      } catch (e) {
        throw new RuntimeError(
          'SECHUB_STATE_UNWRITABLE',
          `Could not write the sechub state to ${path}: ${(e as Error).message}`,
          {
            hint: 'choose a writable place with --state-store file:<path> (or ssm:/<parameter>)',
            cause: e,
          },
        );
      }
    },
  };
}

/** The same over anything that reads and writes one string (the SSM parameter adapter). */
export function textStateStore(
  describe: string,
  io: { read(): Promise<string | null>; write(text: string): Promise<void> },
): SechubStateStore {
  return {
    describe,
    async load() {
      const text = await io.read();
      return text === null ? null : parseState(text, describe);
    },
    save: (state) => io.write(JSON.stringify(state)),
  };
}
