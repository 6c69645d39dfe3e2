/**
 * Fault injection for the Tenable simulator: rate limits, gateway errors, slow answers and dropped
 * connections, each for the next N matching requests.
 */

export interface FaultRule {
  /** Only this method (any when absent). */
  method?: string;
  /** Matches request paths starting with this, e.g. `/scanners`. */
  pathPrefix: string;
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
  if (text === undefined) {
    return {
      status,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({
        statusCode: status,
        error: 'Internal Server Error',
        message: 'An internal server error occurred',
      }),
    };
  }
  const headers: Record<string, string> = { 'content-type': 'text/html' };
  if (status === 429) headers['retry-after'] = String(rule.retryAfter ?? 1);
  const body =
    `<html>\r\n<head><title>${status} ${text}</title></head>\r\n<body>\r\n` +
    `<center><h1>${status} ${text}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
  return { status, headers, body };
}

export class FaultBook {
  #rules: (FaultRule & { left: number })[] = [];

  set(rules: readonly FaultRule[]): void {
    this.#rules = rules.map((r) => ({ ...r, left: r.times ?? 1 }));
  }

  /** The first live rule matching the request, consuming one of its uses. */
  take(method: string, path: string): FaultRule | undefined {
    const rule = this.#rules.find(
      (r) => r.left > 0 && path.startsWith(r.pathPrefix) && (r.method === undefined || r.method.toUpperCase() === method),
    );
    if (rule) rule.left--;
    return rule;
  }
}
