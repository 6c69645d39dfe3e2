import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorAnswer, handleApi, type SimAnswer } from './tenable-simulator-api.js';
import { applyConfig, handleControl, plantScanners, type ControlContext } from './tenable-simulator-control.js';
import { faultAnswer, FaultBook, type FaultRule } from './tenable-simulator-faults.js';
import { createState, type SimConfig, type SimPermission, type SimState, type WireRecord } from './tenable-simulator-state.js';

export type { FaultRule } from './tenable-simulator-faults.js';
export type { SimConfig, SimLinkCall, SimPermission, SimState } from './tenable-simulator-state.js';
export { DEFAULT_SCANNER_UUID } from './tenable-simulator-state.js';

export interface TenableSimulatorOptions {
  /** 0 (default) lets the OS pick a free port. */
  port?: number;
  accessKey: string;
  secretKey: string;
  /** The container's linking key, as `GET /scanners/{default}/key` returns and `/_sim/link` expects. */
  linkingKey: string;
  /** Default 1500. */
  pluginLoadDelayMs?: number;
  neverLoadPlugins?: boolean;
  refuseLinking?: boolean;
  /** e.g. `{ deny: ['linking-key'] }` → that call answers 403 "Insufficient scope". */
  permissions?: { deny: SimPermission[] };
}

export interface RecordedRequest {
  method: string;
  /** Without the query string. */
  path: string;
  query: string;
  /** 0 when the connection was dropped on purpose. */
  status: number;
  /** Epoch milliseconds at arrival. */
  time: number;
  userAgent?: string;
}

export interface TenableSimulator {
  url: string;
  stop(): Promise<void>;
  /** Every API request (not `/_sim/*`), in arrival order; live, cleared by `reset()`. */
  requests: RecordedRequest[];
  readonly state: SimState;
  setFaults(rules: FaultRule[]): void;
  configure(patch: Partial<SimConfig>): void;
  plantScanners(records: WireRecord[]): WireRecord[];
  setFindings(vulns: unknown[], assets?: unknown[]): void;
  /** Back to the state at start: scanners, faults, config and the request log. */
  reset(): void;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * A loopback stand-in for Tenable Vulnerability Management: the endpoints nessus-byol uses, with
 * X-ApiKeys checks, permission denials, injected faults and a request log, plus `/_sim/*` control
 * endpoints for the sandbox's `nessuscli` stand-in and for tests.
 */
export async function startTenableSimulator(opts: TenableSimulatorOptions): Promise<TenableSimulator> {
  const initialConfig = (): SimConfig => ({
    refuseLinking: opts.refuseLinking ?? false,
    pluginLoadDelayMs: opts.pluginLoadDelayMs ?? 1500,
    neverLoadPlugins: opts.neverLoadPlugins ?? false,
    permissions: { deny: [...(opts.permissions?.deny ?? [])] },
  });
  let state = createState(opts.linkingKey, initialConfig());
  const requests: RecordedRequest[] = [];
  const faults = new FaultBook();
  const timers = new Set<NodeJS.Timeout>();

  const clearTimers = () => {
    for (const t of timers) clearTimeout(t);
    timers.clear();
  };
  const reset = () => {
    clearTimers();
    state = createState(opts.linkingKey, initialConfig());
    faults.set([]);
    requests.splice(0);
  };
  const control: ControlContext = {
    get state() {
      return state;
    },
    requests,
    setFaults: (rules) => faults.set(rules),
    reset,
    later(ms, fn) {
      const t = setTimeout(() => {
        timers.delete(t);
        fn();
      }, ms);
      t.unref();
      timers.add(t);
    },
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim');
    const method = (req.method ?? 'GET').toUpperCase();
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const raw = await readBody(req);

    if (path.startsWith('/_sim/')) {
      const answer = handleControl(control, method, path, parseJson(raw).value);
      send(res, answer ?? errorAnswer(404, 'Not Found', 'Not Found'));
      return;
    }

    const entry: RecordedRequest = { method, path, query: url.search, status: 0, time: Date.now() };
    const ua = req.headers['user-agent'];
    if (ua !== undefined) entry.userAgent = ua;
    requests.push(entry);

    const fault = faults.take(method, path);
    if (fault?.delayMs) await sleep(fault.delayMs);
    if (fault?.action === 'drop') {
      req.socket.destroy();
      return;
    }
    if (fault?.status !== undefined) {
      const f = faultAnswer(fault);
      entry.status = f.status;
      res.writeHead(f.status, f.headers).end(f.body);
      return;
    }

    const answer = answerApi(req, method, path, url.searchParams, raw);
    entry.status = answer.status;
    send(res, answer);
  }

  function answerApi(req: IncomingMessage, method: string, path: string, query: URLSearchParams, raw: string): SimAnswer {
    if (!authorised(req.headers['x-apikeys'], opts.accessKey, opts.secretKey)) {
      return errorAnswer(401, 'Unauthorized', 'Invalid Credentials');
    }
    const body = parseJson(raw);
    if (!body.ok) return errorAnswer(400, 'Bad Request', 'Invalid request payload JSON format');
    return handleApi(state, { method, path, query, body: body.value });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, errorAnswer(500, 'Internal Server Error', String(e)));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get state() {
      return state;
    },
    // Through the control endpoint, so `scan-aborted` rows reach the scans store too.
    setFaults: (rules) => void handleControl(control, 'POST', '/_sim/faults', { rules }),
    configure: (patch) => applyConfig(state, patch),
    plantScanners: (records) => plantScanners(state, records),
    setFindings(vulns, assets) {
      state.vulnFindings = vulns;
      if (assets) state.assets = assets;
    },
    reset,
    async stop() {
      clearTimers();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Accepts the header with any spacing and key order, as real clients vary. */
function authorised(header: string | string[] | undefined, accessKey: string, secretKey: string): boolean {
  const text = Array.isArray(header) ? header.join(';') : (header ?? '');
  const access = /accessKey\s*=\s*([^;\s]+)/i.exec(text)?.[1];
  const secret = /secretKey\s*=\s*([^;\s]+)/i.exec(text)?.[1];
  return access === accessKey && secret === secretKey;
}

function send(res: ServerResponse, answer: SimAnswer): void {
  if (Buffer.isBuffer(answer.body)) {
    res.writeHead(answer.status, { ...answer.headers, 'content-length': answer.body.length }).end(answer.body);
    return;
  }
  if (answer.body === undefined) {
    res.writeHead(answer.status, { 'content-length': '0' }).end();
    return;
  }
  const text = JSON.stringify(answer.body);
  res.writeHead(answer.status, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(text) }).end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(raw: string): { ok: boolean; value: unknown } {
  if (raw.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(raw) as unknown };
  } catch {
    return { ok: false, value: undefined };
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
