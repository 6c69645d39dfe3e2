import { TenableError, UsageError } from '../../core/errors.js';
import { Secret } from '../../core/secret.js';
import { badResponseError, httpError, tenableMessage, unreachableError, type Operation } from './http-errors.js';
import { backoffDelayMs, networkFailureReason, parseRetryAfterMs, RETRY_STATUSES } from './retry.js';

export interface RetryInfo {
  /** 1 for the first retry. */
  attempt: number;
  status?: number;
  reason: string;
  delayMs: number;
}

export interface TransportOptions {
  baseUrl: string;
  accessKey: Secret;
  secretKey: Secret;
  /** nessus-byol's version, sent in the User-Agent. */
  version: string;
  fetchImpl?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Retries after the first attempt (default 5, like pyTenable). */
  maxRetries?: number;
  onRetry?: (info: RetryInfo) => void;
  /** Per attempt (default 30 s). */
  timeoutMs?: number;
}

export interface RequestOptions<T> {
  body?: unknown;
  /** Validates the decoded JSON (undefined for an empty body) into the caller's type. */
  parse: (json: unknown) => T;
  /** Human wording of the call, e.g. "read the linking key". */
  what: string;
  /** The permission it needs, used in the 403 message. */
  permission: string;
}

export type Request = <T>(method: string, path: string, options: RequestOptions<T>) => Promise<T>;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The single HTTP path to TVM: auth headers, retries with `retry-after` or jittered backoff,
 * error mapping, and decoding. Secrets (API keys and any Secret in a request body) are revealed
 * only into the outgoing request and are removed from every error text.
 */
export function createRequest(options: TransportOptions): Request {
  const base = normaliseBaseUrl(options.baseUrl);
  const fetchImpl = options.fetchImpl ?? fetch;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const maxRetries = Math.max(0, options.maxRetries ?? 5);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const keySecrets = [options.accessKey, options.secretKey];
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'User-Agent': `Integration/1.0 (nessus-byol; nessus-byol; Build/${options.version})`,
  };

  return async function request<T>(method: string, path: string, opts: RequestOptions<T>): Promise<T> {
    const op: Operation = { method, path, what: opts.what, permission: opts.permission };
    const bodySecrets: Secret[] = [];
    const payload = opts.body === undefined ? undefined : JSON.stringify(revealSecrets(opts.body, bodySecrets));
    const secrets = [...keySecrets, ...bodySecrets];
    const init: RequestInit = {
      method,
      headers: {
        ...headers,
        'X-ApiKeys': `accessKey=${options.accessKey.reveal()}; secretKey=${options.secretKey.reveal()}`,
        ...(payload === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      ...(payload === undefined ? {} : { body: payload }),
    };

    for (let attempt = 1; ; attempt++) {
      let response: Response;
      let text: string;
      try {
        response = await fetchImpl(`${base}${path}`, { ...init, signal: AbortSignal.timeout(timeoutMs) });
        text = await response.text();
      } catch (e) {
        const reason = networkFailureReason(e);
        if (reason === undefined) throw e;
        if (attempt > maxRetries) throw unreachableError(op, base, reason, attempt, secrets);
        const delayMs = backoffDelayMs(attempt, random);
        options.onRetry?.({ attempt, reason, delayMs });
        await sleep(delayMs);
        continue;
      }

      if (response.ok) return decode(op, text, opts.parse, secrets);

      if (RETRY_STATUSES.has(response.status) && attempt <= maxRetries) {
        const retryAfter = response.status === 429 ? parseRetryAfterMs(response.headers.get('retry-after'), Date.now()) : undefined;
        const delayMs = retryAfter ?? backoffDelayMs(attempt, random);
        options.onRetry?.({ attempt, status: response.status, reason: `HTTP ${response.status}`, delayMs });
        await sleep(delayMs);
        continue;
      }

      const message = response.status === 429 ? undefined : tenableMessage(response.headers.get('content-type'), text);
      throw httpError(op, { status: response.status, statusText: response.statusText, message, baseUrl: base, attempts: attempt }, secrets);
    }
  };
}

function decode<T>(op: Operation, text: string, parse: (json: unknown) => T, secrets: readonly Secret[]): T {
  let json: unknown;
  if (text.trim() !== '') {
    try {
      json = JSON.parse(text);
    } catch {
      throw badResponseError(op, 'the body is not JSON', secrets);
    }
  }
  try {
    return parse(json);
  } catch (e) {
    if (e instanceof TenableError) throw e;
    throw badResponseError(op, describeParseError(e), secrets);
  }
}

function describeParseError(e: unknown): string {
  if (e !== null && typeof e === 'object' && 'issues' in e && Array.isArray(e.issues)) {
    // Paths and expectations only: zod issues can quote the received value, which may be a key.
    return e.issues
      .slice(0, 3)
      .map((i: { path?: unknown[]; code?: string }) => `${(i.path ?? []).join('.') || '(body)'}: ${i.code ?? 'invalid'}`)
      .join('; ');
  }
  return 'unreadable body';
}

/** Replaces each Secret in a request body by its value, collecting them so errors can be redacted. */
function revealSecrets(value: unknown, found: Secret[]): unknown {
  if (value instanceof Secret) {
    found.push(value);
    return value.reveal();
  }
  if (Array.isArray(value)) return value.map((v) => revealSecrets(v, found));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revealSecrets(v, found)]));
  }
  return value;
}

function normaliseBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`The Tenable URL "${raw}" is not a URL.`, {
      hint: 'Set TIO_URL to e.g. https://cloud.tenable.com (or https://fedcloud.tenable.com).',
    });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UsageError(`The Tenable URL "${raw}" must start with https://.`, {
      hint: 'Set TIO_URL to e.g. https://cloud.tenable.com.',
    });
  }
  return url.toString().replace(/\/+$/, '');
}
