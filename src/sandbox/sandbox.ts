import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { sandboxAwsEnv } from './aws-env.js';
import { startBootWatcher, type BootWatcher } from './boot-watcher.js';
import { startImds, type ImdsStandIn } from './imds.js';
import { prepareMotoRegion, startMoto, type MotoServer } from './moto.js';
import { startTenableSimulator, type TenableSimulator } from './tenable-simulator.js';

export interface SandboxTenableKeys {
  accessKey: string;
  secretKey: string;
  linkingKey: string;
}

export interface SandboxOptions {
  stateDir: string;
  /** The region the printed environment selects; default us-east-1. */
  region?: string;
  /** Regions prepared and watched for instances; default [region]. */
  regions?: string[];
  /** Default: random 64-hex keys, like real TVM API and linking keys. */
  tenable?: SandboxTenableKeys;
  pluginLoadDelayMs?: number;
  /** Boot watcher poll interval. */
  intervalMs?: number;
  /** Extra moto accounts the boot watcher watches (read on every poll; see BootWatcherOptions.accounts). */
  accounts?: () => readonly string[];
  log?: (line: string) => void;
}

export interface Sandbox {
  /** Everything a command needs to run against the sandbox. */
  env: Record<string, string>;
  stateDir: string;
  region: string;
  simulatorUrl: string;
  motoEndpoint: string;
  motoPid: number;
  imdsUrl: string;
  tenable: SandboxTenableKeys;
  simulator: TenableSimulator;
  watcher: BootWatcher;
  stop(): Promise<void>;
}

export const randomHexKey = (): string => randomBytes(32).toString('hex');

/**
 * Starts the embedded stand-ins in this process: moto (with the default VPC given an internet
 * gateway), the Tenable simulator, the IMDSv2 stand-in and the boot watcher.
 */
export async function startSandbox(opts: SandboxOptions): Promise<Sandbox> {
  const region = opts.region ?? 'us-east-1';
  const regions = [...new Set([region, ...(opts.regions ?? [])])];
  const tenable = opts.tenable ?? { accessKey: randomHexKey(), secretKey: randomHexKey(), linkingKey: randomHexKey() };
  mkdirSync(opts.stateDir, { recursive: true });

  // Whatever started is stopped again if a later part fails.
  const stoppers: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stoppers.splice(0).reverse()) await stop().catch(() => undefined);
  };
  try {
    const moto: MotoServer = await startMoto({ stateDir: opts.stateDir });
    stoppers.push(() => moto.stop());
    for (const r of regions) await prepareMotoRegion(moto.endpoint, r);

    const simulator = await startTenableSimulator({
      ...tenable,
      ...(opts.pluginLoadDelayMs === undefined ? {} : { pluginLoadDelayMs: opts.pluginLoadDelayMs }),
    });
    stoppers.push(() => simulator.stop());

    const imds: ImdsStandIn = await startImds();
    stoppers.push(() => imds.stop());

    const watcher = startBootWatcher({
      endpoint: moto.endpoint,
      regions,
      simulatorUrl: simulator.url,
      imds,
      stateDir: opts.stateDir,
      ...(opts.intervalMs === undefined ? {} : { intervalMs: opts.intervalMs }),
      ...(opts.log ? { log: opts.log } : {}),
      ...(opts.accounts ? { accounts: opts.accounts } : {}),
    });
    stoppers.push(() => watcher.stop());

    const env: Record<string, string> = {
      ...sandboxAwsEnv(moto.endpoint, region),
      // The Tenable API endpoint, as pyTenable reads it; the alias is kept equal for older scripts.
      TIO_URL: simulator.url,
      NESSUS_BYOL_TENABLE_API_URL: simulator.url,
      TIO_ACCESS_KEY: tenable.accessKey,
      TIO_SECRET_KEY: tenable.secretKey,
      NESSUS_BYOL_SANDBOX_DIR: opts.stateDir,
    };
    return {
      env,
      stateDir: opts.stateDir,
      region,
      simulatorUrl: simulator.url,
      motoEndpoint: moto.endpoint,
      motoPid: moto.pid,
      imdsUrl: imds.url,
      tenable,
      simulator,
      watcher,
      stop: stopAll,
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}
