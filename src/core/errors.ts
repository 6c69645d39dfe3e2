/**
 * The one typed error family. Every failure the tool expects carries an exit code (PRODUCT.md),
 * a machine-readable code, a message naming the cause and a hint naming the fix.
 * bin.ts is the only place that turns these into text and an exit status.
 */
export const ExitCode = {
  ok: 0,
  runtime: 1,
  usage: 2,
  timeout: 3,
  notReady: 4,
  checkFailed: 5,
  interrupted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export interface ErrorDetails {
  hint?: string | undefined;
  /** Extra data for the `--json` error document (never secrets). */
  data?: Record<string, unknown> | undefined;
  cause?: unknown;
}

export abstract class NessusByolError extends Error {
  abstract readonly exitCode: ExitCodeValue;
  abstract readonly code: string;
  readonly hint: string | undefined;
  readonly data: Record<string, unknown> | undefined;

  constructor(message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.hint = details.hint;
    this.data = details.data;
  }
}

/** Wrong flags or arguments; nothing was touched. */
export class UsageError extends NessusByolError {
  readonly exitCode = ExitCode.usage;
  readonly code = 'USAGE';
}

export interface ConfigProblem {
  /** Dotted key path inside the fleet file, e.g. `scanners.count`; empty for the document. */
  path: string;
  message: string;
  hint?: string | undefined;
  /** `file:line:col` when the problem has a position. */
  file?: string | undefined;
  line?: number | undefined;
  col?: number | undefined;
}

export function formatProblemLocation(p: ConfigProblem): string {
  if (!p.file) return p.path || '(config)';
  const pos = p.line ? `:${p.line}:${p.col ?? 1}` : '';
  return `${p.file}${pos}${p.path ? ` ${p.path}` : ''}`;
}

/** The fleet file or resolved configuration is invalid; lists every problem at once. */
export class ConfigError extends NessusByolError {
  readonly exitCode = ExitCode.usage;
  readonly code = 'CONFIG';
  readonly problems: ConfigProblem[];

  constructor(problems: ConfigProblem[], details: ErrorDetails = {}) {
    const n = problems.length;
    const head = n === 1 ? 'The configuration has 1 problem:' : `The configuration has ${n} problems:`;
    const lines = problems.map(
      (p) => `  ${formatProblemLocation(p)}: ${p.message}${p.hint ? `\n    hint: ${p.hint}` : ''}`,
    );
    super([head, ...lines].join('\n'), {
      hint: details.hint ?? 'Fix the listed keys; `nessus-byol schema` prints every key with its type.',
      data: { problems, ...details.data },
      cause: details.cause,
    });
    this.problems = problems;
  }
}

/** AWS said no at run time (credentials, permissions, limits, not subscribed…). */
export class AwsError extends NessusByolError {
  readonly exitCode = ExitCode.runtime;
  readonly code: string;
  constructor(code: string, message: string, details: ErrorDetails = {}) {
    super(message, details);
    this.code = `AWS_${code}`;
  }
}

/** Tenable Vulnerability Management said no at run time. */
export class TenableError extends NessusByolError {
  readonly exitCode = ExitCode.runtime;
  readonly code: string;
  readonly status: number | undefined;
  constructor(code: string, message: string, details: ErrorDetails & { status?: number } = {}) {
    super(message, details);
    this.code = `TENABLE_${code}`;
    this.status = details.status;
  }
}

/** Any other run-time failure the tool can explain. */
export class RuntimeError extends NessusByolError {
  readonly exitCode = ExitCode.runtime;
  readonly code: string;
  constructor(code: string, message: string, details: ErrorDetails = {}) {
    super(message, details);
    this.code = code;
  }
}

/**
 * `down` removed what it could but left something behind — typically Tenable records it could not
 * delete because Tenable was unreachable or refused; `data` lists them and the command that finishes the job.
 */
export class DownIncompleteError extends NessusByolError {
  readonly exitCode = ExitCode.runtime;
  readonly code = 'DOWN_INCOMPLETE';
}

/** Waiting for scanners to link timed out. */
export class LinkTimeoutError extends NessusByolError {
  readonly exitCode = ExitCode.timeout;
  readonly code = 'LINK_TIMEOUT';
}

/** Scanners linked but never became ready (status off or plugins never loaded). */
export class NotReadyError extends NessusByolError {
  readonly exitCode = ExitCode.notReady;
  readonly code = 'NOT_READY';
}

/** A check found problems (doctor, audit keys, reconcile without --fix). */
export class CheckFailedError extends NessusByolError {
  readonly exitCode = ExitCode.checkFailed;
  readonly code = 'CHECK_FAILED';
}

/** The user pressed Ctrl-C (after cleanup ran). */
export class InterruptedError extends NessusByolError {
  readonly exitCode = ExitCode.interrupted;
  readonly code = 'INTERRUPTED';
  constructor(message = 'Interrupted.', details: ErrorDetails = {}) {
    super(message, details);
  }
}

export function isNessusByolError(e: unknown): e is NessusByolError {
  return e instanceof NessusByolError;
}
