import { TenableError } from '../../core/errors.js';
import { redact, type Secret } from '../../core/secret.js';

/** What a failed call was for, so the error can say what to change. */
export interface Operation {
  method: string;
  path: string;
  /** Human wording of the call, e.g. "read the linking key". */
  what: string;
  /** The permission the call needs, as a sentence, e.g. "reading the linking key needs the Scan Manager role…". */
  permission: string;
}

/** The API base URL a call went to, and the setting it came from (when the caller knows). */
export interface Endpoint {
  baseUrl: string;
  /** "TIO_URL", "--tenable-url", "tenable.site: fedramp in fleet.yaml"…; undefined: not known. */
  from?: string | undefined;
}

const SITES = 'https://cloud.tenable.com, https://fedcloud.tenable.com or your site’s API URL';

/** What to check for the URL that was actually called: the one setting it came from, or every place it can. */
function checkUrl(e: Endpoint): string {
  return e.from
    ? `Check ${e.from}: it made nessus-byol call ${e.baseUrl}`
    : `Check TIO_URL (or --tenable-url, NESSUS_BYOL_TENABLE_API_URL, tenable.site / tenable.url in the fleet file), which made nessus-byol call ${e.baseUrl}`;
}

function keysHint(e: Endpoint): string {
  return (
    'Check TIO_ACCESS_KEY / TIO_SECRET_KEY (generate a pair under Settings → My Account → API Keys in Tenable) ' +
    `and that ${e.baseUrl} is the site the keys belong to (https://cloud.tenable.com or https://fedcloud.tenable.com); ` +
    `that URL came from ${e.from ?? 'TIO_URL, --tenable-url or tenable.site'}.`
  );
}

/**
 * Tenable's own message from an error body. Only JSON bodies are read: a 429 or gateway error is an
 * nginx HTML page, which says nothing the status does not.
 */
export function tenableMessage(contentType: string | null, text: string): string | undefined {
  if (!contentType?.includes('json') || text.trim() === '') return undefined;
  try {
    const body: unknown = JSON.parse(text);
    if (typeof body !== 'object' || body === null) return undefined;
    const b = body as Record<string, unknown>;
    for (const field of ['message', 'error']) {
      const v = b[field];
      if (typeof v === 'string' && v.trim() !== '') return v.trim().slice(0, 300);
    }
  } catch {
    // Not JSON after all: the status speaks for itself.
  }
  return undefined;
}

export interface HttpFailure extends Endpoint {
  status: number;
  statusText: string;
  /** Tenable's message when the body was JSON. */
  message: string | undefined;
  attempts: number;
}

/** Turns a non-2xx answer into the typed error, with every known secret removed from its text. */
export function httpError(op: Operation, f: HttpFailure, secrets: readonly Secret[]): TenableError {
  const said = f.message ? `: "${redact(f.message, secrets)}"` : '';
  const call = `${op.method} ${op.path}`;
  const data = { status: f.status, method: op.method, path: op.path, attempts: f.attempts };
  switch (f.status) {
    case 401:
      return new TenableError('UNAUTHORIZED', `Tenable at ${f.baseUrl} rejected the API keys (401${said}) while trying to ${op.what}.`, {
        hint: keysHint(f),
        status: 401,
        data,
      });
    case 403:
      return new TenableError('FORBIDDEN', `Tenable refused to let this API key ${op.what} (403${said}): ${op.permission}.`, {
        hint: `Grant that to the user owning the API keys (Settings → Access Control in Tenable), or use keys of a user who has it.`,
        status: 403,
        data,
      });
    case 404:
      // Tenable's own 404s are JSON; anything else means the URL is not a Tenable API at all.
      if (f.message === undefined) {
        return new TenableError('NOT_TENABLE', `The server at ${f.baseUrl} is not a Tenable API: it answered 404 without Tenable's error body to ${call}.`, {
          hint: `${checkUrl(f)}; it should be ${SITES}.`,
          status: 404,
          data,
        });
      }
      return new TenableError('NOT_FOUND', `Tenable has no such resource (${call} → 404${said}).`, {
        hint: 'It may have been deleted already; list the resources again to get current ids.',
        status: 404,
        data,
      });
    case 429:
      return new TenableError(
        'HTTP_429',
        `Tenable kept rate-limiting the API key (429 Too Many Requests) after ${f.attempts} attempts to ${op.what}.`,
        {
          hint: 'Another tool may be using the same API keys heavily; wait a few minutes and retry.',
          status: 429,
          data,
        },
      );
    default: {
      const transient = f.status >= 500;
      return new TenableError(
        `HTTP_${f.status}`,
        `Tenable answered ${f.status}${f.statusText ? ` ${f.statusText}` : ''}${said} to ${call}` +
          (transient ? ` after ${f.attempts} attempts.` : '.'),
        {
          hint: transient
            ? 'Tenable may be having an outage (https://status.tenable.com); retry later.'
            : 'This looks like a bug in nessus-byol or an API change; please report it with this message.',
          status: f.status,
          data,
        },
      );
    }
  }
}

export function unreachableError(
  op: Operation,
  e: Endpoint,
  reason: string,
  attempts: number,
  secrets: readonly Secret[],
): TenableError {
  const port = portOf(e.baseUrl);
  return new TenableError(
    'UNREACHABLE',
    `Could not reach Tenable at ${e.baseUrl} to ${op.what} (${redact(reason, secrets)}; ${attempts} attempts).`,
    {
      hint: `${checkUrl(e)}; check DNS, and that a firewall or proxy lets this machine reach it on port ${port}.`,
      data: { method: op.method, path: op.path, attempts },
    },
  );
}

export function badResponseError(op: Operation, detail: string, secrets: readonly Secret[]): TenableError {
  return new TenableError(
    'BAD_RESPONSE',
    `Tenable's answer to ${op.method} ${op.path} did not have the expected shape (${redact(detail, secrets)}).`,
    {
      hint: 'The Tenable API may have changed; please report this message to the nessus-byol maintainers.',
      data: { method: op.method, path: op.path },
    },
  );
}

function portOf(url: string): string {
  try {
    const u = new URL(url);
    return u.port || (u.protocol === 'http:' ? '80' : '443');
  } catch {
    return '443';
  }
}
