import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A rule-driven HTTP proxy between the AWS SDK and moto (loopback only): injects AWS errors,
 * HTTP 5xx, dropped connections and latency so tests and benchmarks see what AWS really does.
 */
export interface FaultRule {
  /** AWS action, e.g. RunInstances (query protocol) or AmazonSSM.PutParameter's `PutParameter`. */
  action?: string;
  /** Apply from the nth matching call on (1-based; default 1). */
  from?: number;
  /** How many times to apply (default 1; Infinity for always). */
  times?: number;
  /** Respond with this AWS error instead of forwarding. */
  error?: { status: number; code: string; message?: string };
  /** Destroy the client connection (connection reset). */
  drop?: boolean;
  /** Delay before forwarding (ms). */
  delayMs?: number;
}

export interface FaultProxy {
  url: string;
  /** Every call seen: action name (or the path) and whether a fault was injected. */
  calls: Array<{ action: string; injected: string | null; at: number }>;
  setRules(rules: FaultRule[]): void;
  stop(): Promise<void>;
}

interface LiveRule extends FaultRule {
  seen: number;
  applied: number;
}

export async function startFaultProxy(opts: { target: string; rules?: FaultRule[]; latencyMs?: number }): Promise<FaultProxy> {
  const target = new URL(opts.target);
  let rules: LiveRule[] = [];
  const calls: FaultProxy['calls'] = [];
  const setRules = (r: FaultRule[]) => {
    rules = r.map((x) => ({ ...x, seen: 0, applied: 0 }));
  };
  setRules(opts.rules ?? []);

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void handle(req, res, Buffer.concat(chunks));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const action = actionOf(req, body);
    const rule = rules.find((r) => {
      if (r.action && r.action !== action) return false;
      r.seen++;
      const from = r.from ?? 1;
      const times = r.times ?? 1;
      return r.seen >= from && r.applied < times;
    });
    if (rule) rule.applied++;
    calls.push({ action, injected: rule ? (rule.drop ? 'drop' : (rule.error?.code ?? (rule.delayMs ? 'delay' : null))) : null, at: Date.now() });
    const delay = (rule?.delayMs ?? 0) + (opts.latencyMs ?? 0);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    if (rule?.drop) {
      req.socket.destroy();
      return;
    }
    if (rule?.error) {
      sendError(req, res, rule.error);
      return;
    }
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    upstream.end(body);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    setRules,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The AWS action of a request: `Action=` of query-protocol forms, else the X-Amz-Target operation. */
export function actionOf(req: IncomingMessage, body: Buffer): string {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') return target.split('.').pop() ?? target;
  const text = body.toString('utf8');
  const m = /(?:^|&)Action=([A-Za-z0-9]+)/.exec(text) ?? /[?&]Action=([A-Za-z0-9]+)/.exec(req.url ?? '');
  if (m) return m[1]!;
  return `${req.method} ${(req.url ?? '').split('?')[0]}`;
}

function sendError(req: IncomingMessage, res: ServerResponse, e: NonNullable<FaultRule['error']>): void {
  const message = e.message ?? `Injected ${e.code}`;
  if (typeof req.headers['x-amz-target'] === 'string') {
    res.writeHead(e.status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': e.code });
    res.end(JSON.stringify({ __type: e.code, message }));
    return;
  }
  const isIam = /iam|sts/.test(req.headers.authorization ?? '');
  res.writeHead(e.status, { 'content-type': 'text/xml' });
  res.end(
    isIam
      ? `<ErrorResponse><Error><Type>Sender</Type><Code>${e.code}</Code><Message>${message}</Message></Error><RequestId>injected</RequestId></ErrorResponse>`
      : `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>${e.code}</Code><Message>${message}</Message></Error></Errors><RequestID>injected</RequestID></Response>`,
  );
}
