import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the metadata service of one instance reports. */
export interface InstanceMetadata {
  region: string;
  availabilityZone: string;
  /** Instance profile ARN; `iam/info` answers 404 without one, like EC2. */
  instanceProfileArn?: string | undefined;
  instanceProfileId?: string | undefined;
}

export interface ImdsStandIn {
  /** `http://127.0.0.1:<port>`; an instance's IMDS endpoint is `baseUrlFor(id)`. */
  url: string;
  /** The value for the script's IMDS_ENDPOINT (replaces http://169.254.169.254). */
  baseUrlFor(instanceId: string): string;
  register(instanceId: string, meta: InstanceMetadata): void;
  stop(): Promise<void>;
}

const MAX_TTL = 21600;

/**
 * A loopback stand-in for IMDSv2 with HttpTokens=required, one server for every instance:
 * `/<instanceId>/latest/api/token` (PUT, needs the ttl header) and `/<instanceId>/latest/meta-data/…`
 * (GET, needs a token issued for that instance; 401 otherwise).
 */
export async function startImds(opts: { port?: number } = {}): Promise<ImdsStandIn> {
  const instances = new Map<string, InstanceMetadata>();
  const tokens = new Map<string, { instanceId: string; expiresAt: number }>();

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch {
      send(res, 500, 'Internal Server Error');
    }
  });

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://imds');
    const m = /^\/([^/]+)(\/latest\/.*)$/.exec(url.pathname);
    const meta = m ? instances.get(m[1] ?? '') : undefined;
    if (!m || !meta) return send(res, 404, 'Not Found');
    const instanceId = m[1] ?? '';
    const path = m[2] ?? '';

    if (path === '/latest/api/token') {
      if (req.method !== 'PUT') return send(res, 405, 'Method Not Allowed');
      if (req.headers['x-forwarded-for']) return send(res, 403, 'Forbidden');
      const ttl = Number(req.headers['x-aws-ec2-metadata-token-ttl-seconds']);
      if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TTL) return send(res, 400, 'Bad Request');
      const token = randomBytes(32).toString('base64url');
      tokens.set(token, { instanceId, expiresAt: Date.now() + ttl * 1000 });
      res.setHeader('x-aws-ec2-metadata-token-ttl-seconds', String(ttl));
      return send(res, 200, token);
    }

    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'Method Not Allowed');
    const header = req.headers['x-aws-ec2-metadata-token'];
    const held = typeof header === 'string' ? tokens.get(header) : undefined;
    if (!held || held.instanceId !== instanceId || held.expiresAt < Date.now()) return send(res, 401, 'Unauthorized');

    const body = metadata(instanceId, meta, path.replace(/^\/latest\/meta-data\/?/, ''));
    if (body === undefined || !path.startsWith('/latest/meta-data')) return send(res, 404, 'Not Found');
    return send(res, 200, body);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', resolve);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    baseUrlFor: (instanceId) => `${url}/${instanceId}`,
    register: (instanceId, meta) => void instances.set(instanceId, meta),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function metadata(instanceId: string, meta: InstanceMetadata, key: string): string | undefined {
  switch (key.replace(/\/$/, '')) {
    case '':
      return ['instance-id', 'placement/', meta.instanceProfileArn ? 'iam/' : undefined]
        .filter((k) => k !== undefined)
        .join('\n');
    case 'instance-id':
      return instanceId;
    case 'placement':
      return 'availability-zone\nregion';
    case 'placement/region':
      return meta.region;
    case 'placement/availability-zone':
      return meta.availabilityZone;
    case 'iam':
      return meta.instanceProfileArn ? 'info' : undefined;
    case 'iam/info':
      if (!meta.instanceProfileArn) return undefined;
      return JSON.stringify(
        {
          Code: 'Success',
          LastUpdated: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
          InstanceProfileArn: meta.instanceProfileArn,
          InstanceProfileId: meta.instanceProfileId ?? 'AIPA000000000000SANDBOX',
        },
        null,
        2,
      );
    default:
      return undefined;
  }
}

function send(res: ServerResponse, status: number, body: string): void {
  res.statusCode = status;
  res.setHeader('content-type', 'text/plain');
  res.end(body);
}
