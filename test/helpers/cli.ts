import { has } from './tools.js';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

/** The repository root (tests run the built CLI from here unless told otherwise). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The bundled CLI; `npm test` builds it first. */
export const BIN = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));

export interface RunCliOptions {
  /**
   * Variables added to the clean environment. A key given with `undefined` removes it (e.g.
   * `{ NO_COLOR: undefined }` to let colours through).
   */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Written to stdin, which is then closed; stdin is closed at once when omitted. */
  input?: string;
  timeoutMs?: number;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Ambient credentials and settings that must never leak from the developer's shell into a test. */
const AMBIENT = /^(AWS_|TIO_|NESSUS_)/;

/** A clean copy of process.env without AWS_*, TIO_*, NESSUS_*, plus the given overrides. */
export function cliEnv(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!AMBIENT.test(k) && v !== undefined) env[k] = v;
  }
  env.NO_COLOR = '1';
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

function assertBuilt(): void {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` first (npm test does it).`);
}

/** Runs `node dist/bin.js …args` with stdin closed (or fed `input`) and collects its output. */
export function runCli(args: string[], opts: RunCliOptions = {}): Promise<CliResult> {
  assertBuilt();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: opts.cwd ?? REPO_ROOT,
      env: cliEnv(opts.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdin.on('error', () => undefined); // the CLI may exit before reading its input
    child.stdin.end(opts.input ?? '');
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 30_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

/** Whether `script` (util-linux) is available to give the CLI a pseudo-terminal. */
export const HAS_SCRIPT_PTY = process.platform === 'linux' && has('script');

const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Runs the CLI on a pseudo-terminal (stdin, stdout and stderr are all the tty), for behaviour that
 * only shows on a terminal such as colours. stdout and stderr arrive merged in `output`.
 */
export function runCliInTerminal(
  args: string[],
  opts: Omit<RunCliOptions, 'input'> = {},
): Promise<{ code: number | null; output: string }> {
  assertBuilt();
  const command = [process.execPath, BIN, ...args].map(shellQuote).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], {
      cwd: opts.cwd ?? REPO_ROOT,
      // A person at a terminal: CI (set when the suite itself runs in CI) would switch the TTY views off.
      env: cliEnv({ CI: undefined, ...opts.env }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** Fails when the text shows an internal failure: stack frames, node internals, "unexpected" errors. */
export function expectNoStackTrace(text: string): void {
  expect(text, 'a stack frame leaked to the user').not.toMatch(/^ {4}at /m);
  expect(text, 'a node:internal frame leaked to the user').not.toContain('node:internal');
  expect(text, 'an unexpected (unmapped) error reached the user').not.toMatch(/Error: unexpected/i);
}

/** ANSI escape sequences (colours, cursor movement). */
// eslint-disable-next-line no-control-regex -- matching the escape character is the point
export const ANSI_RE = /\u001b\[[0-9;?]*[A-Za-z]/;

/**
 * Parses stdout as exactly one JSON document (the `--json` contract): fails if stdout is empty,
 * holds anything besides the document, or holds several documents.
 */
export function parseSingleJson(stdout: string): Record<string, unknown> {
  const text = stdout.trim();
  expect(text, 'stdout is empty; --json must print one document').not.toBe('');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`stdout is not exactly one JSON document (${(e as Error).message}):\n${stdout}`, { cause: e });
  }
  expect(doc, 'the --json document must be an object').toBeTypeOf('object');
  expect(doc).not.toBeNull();
  expect(Array.isArray(doc)).toBe(false);
  return doc as Record<string, unknown>;
}
