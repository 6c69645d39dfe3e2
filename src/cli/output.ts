import type { Writable } from 'node:stream';
import { styleText } from 'node:util';

/**
 * Where the CLI writes: data (one JSON document with --json) on stdout, everything a human reads
 * on stderr. The core never prints; it reports through the Reporter this implements.
 */
export interface Output {
  readonly json: boolean;
  readonly verbose: boolean;
  readonly color: boolean;
  readonly interactive: boolean;
  info(message: string): void;
  notice(message: string): void;
  warn(message: string): void;
  success(message: string): void;
  debug(message: string): void;
  /** Human text meant as the command's main output (stdout unless --json). */
  print(text: string): void;
  /** The single JSON document of a successful --json run. */
  result(data: Record<string, unknown>): void;
  style(format: Parameters<typeof styleText>[0], text: string): string;
}

export interface OutputOptions {
  json: boolean;
  verbose: boolean;
  color: boolean;
  stdout?: Writable & { isTTY?: boolean };
  stderr?: Writable & { isTTY?: boolean };
  stdinIsTTY?: boolean;
}

export function createOutput(opts: OutputOptions): Output {
  const stdout = opts.stdout ?? process.stdout;
  const stderr = opts.stderr ?? process.stderr;
  const color = opts.color;
  const style: Output['style'] = (format, text) => (color ? styleText(format, text, { validateStream: false }) : text);
  const line = (text: string) => stderr.write(`${text}\n`);
  return {
    json: opts.json,
    verbose: opts.verbose,
    color,
    // Whether a question can be asked: a terminal on both ends. (CI only changes how progress is drawn.)
    interactive: Boolean(opts.stdinIsTTY ?? process.stdin.isTTY) && Boolean(stderr.isTTY),
    info: (m) => line(m),
    notice: (m) => line(style('cyan', `notice: ${m}`)),
    warn: (m) => line(style('yellow', `warning: ${m}`)),
    success: (m) => line(style('green', m)),
    debug: (m) => {
      if (opts.verbose) line(style('dim', m));
    },
    print: (text) => {
      if (opts.json) line(text);
      else stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    },
    result: (data) => {
      if (opts.json) stdout.write(`${JSON.stringify({ ok: true, ...data }, null, 2)}\n`);
    },
    style,
  };
}
