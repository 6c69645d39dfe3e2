import { setTimeout as delay } from 'node:timers/promises';
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
  /**
   * The setting the base URL came from ("TIO_URL", "--tenable-url", "tenable.site: fedramp in fleet.yaml"…),
   * so error hints name what to check; without it they list every place it can come from.
   */
  baseUrlFrom?: string | undefined;
  accessKey: Secret;
  secretKey: Secret;
  /** nessus-byol's version, sent in the User-Agent. */
  version: string;
  fetchImpl?: typeof fetch;
  /** Waits between retries; it must end early (rejecting) when the signal aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
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
  /**
   * Bounds the call with all its retries (e.g. the time left before a wait times out): when it
   * aborts, the attempt in flight and any retry sleep end and the call rejects with its reason.
   */
  signal?: AbortSignal;
  /** Downloads: a 2xx body is handed to `parse` as raw bytes (Uint8Array) instead of decoded JSON. */
  bytes?: boolean;
}

export type Request = <T>(method: string, path: string, options: RequestOptions<T>) => Promise<T>;

const defaultSleep = (ms: number, signal?: AbortSignal): Promise<void> => delay(ms, undefined, signal ? { signal } : {});

/**
 * The single HTTP path to TVM: auth headers, retries with `retry-after` or jittered backoff,
 * error mapping, and decoding. Secrets (API keys and any Secret in a request body) are revealed
 * only into the outgoing request and are removed from every error text.
 */
export function createRequest(options: TransportOptions): Request {
  const base = normaliseBaseUrl(options.baseUrl, options.baseUrlFrom);
  const endpoint = { baseUrl: base, from: options.baseUrlFrom };
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

    const bound = opts.signal;
    // Once the caller's bound has passed, no attempt or retry sleep goes on: its reason is the answer.
    const stop = (): never => {
      throw bound?.reason instanceof Error ? bound.reason : new Error('the Tenable call was cancelled');
    };
    const pause = async (ms: number): Promise<void> => {
      try {
        await sleep(ms, bound);
      } catch (e) {
        if (bound?.aborted) stop();
        throw e;
      }
      if (bound?.aborted) stop();
    };

    for (let attempt = 1; ; attempt++) {
      if (bound?.aborted) stop();
      let response: Response;
      let text: string;
      let bytes: Uint8Array | undefined;
      try {
        const attemptSignal = AbortSignal.timeout(timeoutMs);
        response = await fetchImpl(`${base}${path}`, { ...init, signal: bound ? AbortSignal.any([bound, attemptSignal]) : attemptSignal });
        if (opts.bytes && response.ok) bytes = new Uint8Array(await response.arrayBuffer());
        text = bytes ? '' : await response.text();
      } catch (e) {
        if (bound?.aborted) stop();
        const reason = networkFailureReason(e);
        if (reason === undefined) throw e;
        if (attempt > maxRetries) throw unreachableError(op, endpoint, reason, attempt, secrets);
        const delayMs = backoffDelayMs(attempt, random);
        options.onRetry?.({ attempt, reason, delayMs });
        await pause(delayMs);
        continue;
      }

      if (response.ok) return bytes ? opts.parse(bytes) : decode(op, text, opts.parse, secrets);

      if (RETRY_STATUSES.has(response.status) && attempt <= maxRetries) {
        const retryAfter = response.status === 429 ? parseRetryAfterMs(response.headers.get('retry-after'), Date.now()) : undefined;
        const delayMs = retryAfter ?? backoffDelayMs(attempt, random);
        options.onRetry?.({ attempt, status: response.status, reason: `HTTP ${response.status}`, delayMs });
        await pause(delayMs);
        continue;
      }

      const message =
        response.status === 429 ? undefined : (tenableMessage(response.headers.get('content-type'), text) ?? emptyRecordNotFound(response.status, path, text));
      throw httpError(op, { status: response.status, statusText: response.statusText, message, ...endpoint, attempts: attempt }, secrets);
    }
  };
}

/**
 * Tenable answers `GET /scanners/{id}` for a missing record with 404 and an empty body (pyTenable
 * cassette test_scanner_details_notfounderror.yaml), not its JSON error: for a single record's path
 * that is Tenable's "not found", whereas other empty or HTML 404s still mean "not a Tenable API".
 */
function emptyRecordNotFound(status: number, path: string, text: string): string | undefined {
  return status === 404 && text.trim() === '' && /^\/[a-z-]+\/[^/?]+$/.test(path) ? 'Not Found' : undefined;
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

function normaliseBaseUrl(raw: string, from: string | undefined): string {
  const fix = `${from ? `Fix ${from}` : 'Set TIO_URL (or --tenable-url)'}: e.g. https://cloud.tenable.com (or https://fedcloud.tenable.com).`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`The Tenable URL "${raw}" is not a URL.`, { hint: fix });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UsageError(`The Tenable URL "${raw}" must start with https://.`, { hint: fix });
  }
  return url.toString().replace(/\/+$/, '');
}
