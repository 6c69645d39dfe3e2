/**
 * Fault injection for the Tenable simulator: rate limits, gateway errors, slow answers and dropped
 * connections, each for the next N matching requests. Named rows (`row`) stand for the scan faults:
 * `scan-status-429` and `scan-export-404` expand to rules here; `scan-aborted` is not a request
 * fault and is kept by the scans store (see `setScanFaultRows`, applied by `POST /_sim/faults`).
 */

export type FaultRowName = 'scan-aborted' | 'scan-export-404' | 'scan-status-429';

export interface FaultRule {
  /** A named row instead of a path: the fields below then refine it (`times`, `retryAfter`, `scanId`, `reason`). */
  row?: FaultRowName;
  /** Rows: only this scan's requests (any scan when absent). */
  scanId?: number | string;
  /** `scan-aborted`: the reason the run's notes give (a default otherwise). */
  reason?: string;
  /** Only this method (any when absent). */
  method?: string;
  /** Matches request paths starting with this, e.g. `/scanners` (required unless `row` is given). */
  pathPrefix?: string;
  /** …and ending with this, e.g. `/latest-status`. */
  pathSuffix?: string;
  /** The JSON body of the fault answer instead of the default for its status. */
  json?: unknown;
  /** Answer with this status instead of handling the request (429, 500, 502, 503, 504…). */
  status?: number;
  /** `retry-after` seconds sent with a 429 (default 1). */
  retryAfter?: number;
  /** `drop` destroys the socket without an answer. */
  action?: 'drop';
  /** Waits this long before answering (alone: a slow but normal answer). */
  delayMs?: number;
  /** How many matching requests this rule applies to (default 1). */
  times?: number;
}

export interface FaultAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const NGINX_TEXT: Record<number, string> = {
  429: 'Too Many Requests',
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
  504: 'Gateway Time-out',
};

/** Real 429/502/503/504 answers come from nginx in front of the API, as an HTML page. */
export function faultAnswer(rule: FaultRule): FaultAnswer {
  const status = rule.status ?? 500;
  const text = NGINX_TEXT[status];
  if (rule.json !== undefined || text === undefined) {
    const body =
      rule.json ??
      (status === 404
        ? { statusCode: 404, error: 'Not Found', message: 'Not Found' }
        : { statusCode: status, error: 'Internal Server Error', message: 'An internal server error occurred' });
    return { status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(body) };
  }
  const headers: Record<string, string> = { 'content-type': 'text/html' };
  if (status === 429) headers['retry-after'] = String(rule.retryAfter ?? 1);
  const body =
    `<html>\r\n<head><title>${status} ${text}</title></head>\r\n<body>\r\n` +
    `<center><h1>${status} ${text}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
  return { status, headers, body };
}

/** A named row as the request rule it stands for; undefined for rows that are not request faults. */
export function expandFaultRow(rule: FaultRule): FaultRule | undefined {
  if (rule.row === undefined) return rule;
  const pathPrefix = rule.scanId === undefined ? '/scans/' : `/scans/${String(rule.scanId)}/`;
  const times = rule.times ?? 1;
  switch (rule.row) {
    case 'scan-status-429':
      return { method: 'GET', pathPrefix, pathSuffix: '/latest-status', status: 429, retryAfter: rule.retryAfter ?? 1, times };
    case 'scan-export-404':
      // What the scans API answers for a file it does not know (yet).
      return { method: 'GET', pathPrefix, pathSuffix: '/status', status: 404, json: { error: 'The requested file was not found' }, times };
    default:
      return undefined;
  }
}

export class FaultBook {
  #rules: (FaultRule & { left: number })[] = [];

  set(rules: readonly FaultRule[]): void {
    this.#rules = rules.flatMap((r) => {
      const rule = expandFaultRow(r);
      return rule ? [{ ...rule, left: rule.times ?? 1 }] : [];
    });
  }

  /** The first live rule matching the request, consuming one of its uses. */
  take(method: string, path: string): FaultRule | undefined {
    const rule = this.#rules.find(
      (r) =>
        r.left > 0 &&
        path.startsWith(r.pathPrefix ?? '') &&
        (r.pathSuffix === undefined || path.endsWith(r.pathSuffix)) &&
        (r.method === undefined || r.method.toUpperCase() === method),
    );
    if (rule) rule.left--;
    return rule;
  }
}
