import type { FleetInstance } from '../../adapters/aws/ec2.js';
import type { ResolvedConfig } from '../../config/resolve.js';
import { RuntimeError, UsageError } from '../../core/errors.js';
import { TAG, scannerName } from '../../core/naming.js';

export type SshVia = 'direct' | 'ssm';

/** The scanner an `ssh` operation is about, and how to reach it. */
export interface ScannerTarget {
  /** The scanner name (as linked in Tenable). */
  name: string;
  instanceId?: string | undefined;
  /** Address to connect to (direct), or undefined for SSM (the tunnel gives a loopback port). */
  host?: string | undefined;
  via: SshVia;
  /**
   * The name its host key is recorded under: the instance id when it came from AWS (public IPs are
   * reused by other instances), else `[host]:port`.
   */
  hostKeyName?: string | undefined;
}

export interface TargetOptions {
  scanner: string;
  /** Given: no AWS lookup; `scanner` is taken as the name (an instance id is rendered through the name template). */
  host?: string | undefined;
  via?: SshVia | undefined;
  jump?: string | undefined;
}

const INSTANCE_ID_RE = /^i-[0-9a-f]{8,17}$/;

export function isInstanceId(s: string): boolean {
  return INSTANCE_ID_RE.test(s);
}

/** How to reach a fleet's scanners when the user did not say: SSM when the instances have no key pair. */
export function defaultVia(config: Pick<ResolvedConfig, 'access'>, opts: Pick<TargetOptions, 'jump' | 'via'>): SshVia {
  if (opts.via) return opts.via;
  if (opts.jump) return 'direct';
  return config.access.keyPair === 'none' ? 'ssm' : 'direct';
}

/** A target given with --host: nothing is looked up in AWS. */
export function targetFromHost(config: ResolvedConfig, opts: TargetOptions & { host: string }): ScannerTarget {
  if (opts.via === 'ssm')
    throw new UsageError('--host and --via ssm cannot be combined.', {
      hint: 'drop --host to reach the instance through Session Manager',
    });
  if (!isInstanceId(opts.scanner)) return { name: opts.scanner, host: opts.host, via: 'direct' };
  const template = config.scanners.name;
  if (template.includes('{index}') || config.scanners.list) {
    throw new UsageError(
      `With --host, the scanner name of ${opts.scanner} cannot be derived from the name template ${template}.`,
      {
        hint: 'give the scanner name instead of the instance id',
      },
    );
  }
  return {
    name: scannerName(template, { fleet: config.fleet, region: config.region, instanceId: opts.scanner }),
    instanceId: opts.scanner,
    host: opts.host,
    via: 'direct',
  };
}

/** Finds the scanner among the fleet's instances by instance id, scanner name or Name tag. */
export function pickInstance(config: ResolvedConfig, instances: FleetInstance[], opts: TargetOptions): ScannerTarget {
  const wanted = opts.scanner;
  const matches = instances.filter(
    (i) => i.instanceId === wanted || i.tags[TAG.scannerName] === wanted || i.tags.Name === wanted,
  );
  if (matches.length === 0) {
    const known = instances.map(
      (i) => `${i.tags[TAG.scannerName] ?? i.tags.Name ?? '?'} (${i.instanceId}, ${i.state})`,
    );
    throw new UsageError(`No scanner named ${wanted} in fleet ${config.fleet} (${config.region}).`, {
      hint: known.length
        ? `the fleet has: ${known.join(', ')}`
        : 'the fleet has no instances; `nessus-byol status` lists scanners',
    });
  }
  const running = matches.filter((i) => i.state === 'running');
  if (running.length > 1) {
    throw new UsageError(
      `${wanted} matches ${running.length} running instances: ${running.map((i) => i.instanceId).join(', ')}.`,
      { hint: 'give the instance id' },
    );
  }
  const instance = running[0];
  if (!instance) {
    throw new RuntimeError(
      'SCANNER_NOT_RUNNING',
      `${wanted} (${matches.map((i) => `${i.instanceId} ${i.state}`).join(', ')}) is not running.`,
      {
        hint: 'start the instance, or replace it with `nessus-byol rebuild`',
      },
    );
  }
  const via = defaultVia(config, opts);
  const name =
    instance.tags[TAG.scannerName] ??
    instance.tags.Name ??
    scannerName(config.scanners.name, { fleet: config.fleet, region: config.region, instanceId: instance.instanceId });
  const host = instance.publicIp ?? instance.privateIp;
  if (via === 'direct' && !host) {
    throw new RuntimeError('SCANNER_NO_ADDRESS', `${name} (${instance.instanceId}) has no IP address to connect to.`, {
      hint: 'use --via ssm or --host',
    });
  }
  return { name, instanceId: instance.instanceId, host, via, hostKeyName: instance.instanceId };
}
