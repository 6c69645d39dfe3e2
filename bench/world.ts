import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFaultProxy, type FaultProxy } from '../src/sandbox/fault-proxy.js';
import { prepareMotoRegion, sandboxAwsEnv, startMoto, type MotoServer } from '../src/sandbox/moto.js';
import { randomHexKey } from '../src/sandbox/sandbox.js';
import { startTenableSimulator, type TenableSimulator } from '../src/sandbox/tenable-simulator.js';
import { startAutoLinker, type AutoLinker } from './auto-linker.js';

/**
 * The bench's world: moto on loopback behind the fault proxy (a fixed latency per AWS call), the
 * Tenable simulator, and an auto-linker standing in for the boot (see auto-linker.ts). No boot
 * watcher: the bench measures the tool, not the bash stand-in of a booting instance.
 */
export interface BenchWorld {
  dir: string;
  region: string;
  moto: MotoServer;
  proxy: FaultProxy;
  simulator: TenableSimulator;
  linker: AutoLinker;
  linkingKey: string;
  /** Environment for the CLI and the aws CLI: AWS through the proxy, Tenable at the simulator. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export interface BenchWorldOptions {
  latencyMs: number;
  linkDelayMs: number;
  pluginLoadDelayMs: number;
  region?: string;
}

export async function startBenchWorld(opts: BenchWorldOptions): Promise<BenchWorld> {
  const region = opts.region ?? 'us-east-1';
  const dir = mkdtempSync(join(tmpdir(), 'nessus-byol-bench-'));
  const keys = { accessKey: randomHexKey(), secretKey: randomHexKey(), linkingKey: randomHexKey() };
  const stoppers: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stoppers.splice(0).reverse()) await s().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const moto = await startMoto({ stateDir: join(dir, 'moto') });
    stoppers.push(() => moto.stop());
    await prepareMotoRegion(moto.endpoint, region);
    const simulator = await startTenableSimulator({ ...keys, pluginLoadDelayMs: opts.pluginLoadDelayMs });
    stoppers.push(() => simulator.stop());
    const proxy = await startFaultProxy({ target: moto.endpoint, latencyMs: opts.latencyMs });
    stoppers.push(() => proxy.stop());
    const linker = startAutoLinker({ motoEndpoint: moto.endpoint, region, simulatorUrl: simulator.url, linkingKey: keys.linkingKey, delayMs: opts.linkDelayMs });
    stoppers.push(() => linker.stop());
    const env = {
      ...sandboxAwsEnv(proxy.url, region),
      NESSUS_BYOL_TENABLE_API_URL: simulator.url,
      TIO_ACCESS_KEY: keys.accessKey,
      TIO_SECRET_KEY: keys.secretKey,
    };
    return { dir, region, moto, proxy, simulator, linker, linkingKey: keys.linkingKey, env, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
