import type { TenableClient } from '../adapters/tenable/client.js';
import type { ResolvedConfig } from '../config/resolve.js';
import type { AwsGateways } from './gateways.js';
import { resolveAmi } from './observe.js';
import { statusRows, type StatusRow } from './status-join.js';

export interface StatusDeps {
  config: ResolvedConfig;
  aws: AwsGateways;
  tenable: () => TenableClient;
  now: () => number;
}

export interface FleetStatus {
  fleet: string;
  region: string;
  at: string;
  declared: number;
  ami: { id: string; name?: string; source: 'pinned' | 'newest'; outdated: number };
  scanners: StatusRow[];
  summary: { instances: number; running: number; linked: number; ready: number };
}

/** One snapshot of the fleet: the instances (EC2) joined with one `GET /scanners` (Tenable). */
export async function fleetStatus(deps: StatusDeps): Promise<FleetStatus> {
  const { config, aws } = deps;
  const standalone = config.link.method === 'standalone';
  const tenable = standalone ? null : deps.tenable(); // fails (exit 2) before any call without TIO keys
  const [instances, ami, records] = await Promise.all([
    aws.ec2.fleetInstances(config.fleet),
    resolveAmi(config, aws),
    tenable ? tenable.listScanners() : Promise.resolve(null),
  ]);
  const now = deps.now();
  const scanners = statusRows(instances, records, ami.id, now);
  return {
    fleet: config.fleet,
    region: config.region,
    at: new Date(now).toISOString(),
    declared: config.scanners.list?.length ?? config.scanners.count,
    ami: {
      id: ami.id,
      ...(ami.name ? { name: ami.name } : {}),
      source: 'id' in config.ami ? 'pinned' : 'newest',
      outdated: scanners.filter((s) => !s.amiCurrent).length,
    },
    scanners,
    summary: {
      instances: scanners.length,
      running: scanners.filter((s) => s.state === 'running').length,
      linked: scanners.filter((s) => s.linked).length,
      ready: scanners.filter((s) => s.ready).length,
    },
  };
}
