import { isNessusByolError, ExitCode, type ExitCodeValue } from '../core/errors.js';

export interface RenderedError {
  exitCode: ExitCodeValue;
  text: string;
  json: { ok: false; error: { code: string; message: string; hint?: string; [k: string]: unknown } };
}

/** The single mapping from any thrown value to the text, the --json document and the exit code. */
export function renderError(error: unknown, opts: { verbose: boolean }): RenderedError {
  if (isNessusByolError(error)) {
    const text = `Error: ${error.message}${error.hint ? `\n  hint: ${error.hint}` : ''}`;
    return {
      exitCode: error.exitCode,
      text: opts.verbose && error.cause ? `${text}\n  cause: ${describeCause(error.cause)}` : text,
      json: { ok: false, error: { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}), ...(error.data ?? {}) } },
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  const stack = opts.verbose && error instanceof Error && error.stack ? `\n${error.stack}` : '';
  return {
    exitCode: ExitCode.runtime,
    text: `Error: unexpected failure: ${message}\n  hint: re-run with --verbose for details and report it if it persists${stack}`,
    json: { ok: false, error: { code: 'UNEXPECTED', message, hint: 're-run with --verbose for details' } },
  };
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) return `${cause.name}: ${cause.message}`;
  return String(cause);
}
