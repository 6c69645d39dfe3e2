/** When and how long to wait before retrying a TVM request. */

/** Statuses worth another try: rate limit and the gateway/server hiccups pyTenable also retries. */
export const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

export const BACKOFF_BASE_MS = 1000;
export const BACKOFF_CAP_MS = 30_000;
/** A `retry-after` longer than this is clamped: we would rather retry early than hang for an hour. */
export const RETRY_AFTER_CAP_MS = 5 * 60_000;

/** Exponential backoff with full jitter: uniform in [0, min(cap, base·2^(attempt-1))). */
export function backoffDelayMs(attempt: number, random: () => number): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

/** `retry-after` as delta-seconds or an HTTP date → milliseconds; undefined when absent or unreadable. */
export function parseRetryAfterMs(header: string | null, nowMs: number): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.min(RETRY_AFTER_CAP_MS, Math.round(Number(text) * 1000));
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.min(RETRY_AFTER_CAP_MS, Math.max(0, at - nowMs));
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/**
 * A short reason when `e` is a transport failure (reset, refused, timeout, DNS…) rather than a bug;
 * undefined otherwise. Node's fetch wraps these in `TypeError: fetch failed` with the cause inside.
 */
export function networkFailureReason(e: unknown): string | undefined {
  if (!(e instanceof Error)) return undefined;
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'timed out';
  const code = errorCode(e) ?? errorCode(e.cause);
  if (code !== undefined && NETWORK_CODES.has(code)) return code;
  const cause = e.cause instanceof Error ? e.cause.message : '';
  if (/socket hang up|other side closed/i.test(`${e.message} ${cause}`)) return 'connection closed';
  if (e instanceof TypeError && /fetch failed/i.test(e.message)) return cause || 'fetch failed';
  return undefined;
}

function errorCode(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null || !('code' in e)) return undefined;
  const code = (e as { code: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}
