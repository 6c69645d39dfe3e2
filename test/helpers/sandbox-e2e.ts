import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { SSMClient } from '@aws-sdk/client-ssm';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import { startFaultProxy, type FaultProxy } from '../../src/sandbox/fault-proxy.js';
import { REPO_ROOT, runCli, type CliResult } from './cli.js';

/** One sandbox for an end-to-end test file, with a fault proxy in front of moto for the CLI. */
export interface E2eSandbox {
  sandbox: Sandbox;
  proxy: FaultProxy;
  dir: string;
  /** Env for the CLI under test: AWS through the fault proxy, Tenable at the simulator. */
  env: Record<string, string>;
  ec2(region?: string): EC2Client;
  iam(region?: string): IAMClient;
  ssm(region?: string): SSMClient;
  cli(args: string[], extraEnv?: Record<string, string | undefined>): Promise<CliResult>;
  /** Copies an example into the temp dir with short waits (and optional edits), returns its path. */
  fleetFrom(example: string, edit?: (doc: ReturnType<typeof parseDocument>) => void): string;
  stop(): Promise<void>;
}

export async function startE2eSandbox(opts: { regions?: string[]; pluginLoadDelayMs?: number } = {}): Promise<E2eSandbox> {
  const dir = mkdtempSync(join(tmpdir(), 'nessus-byol-e2e-'));
  const sandbox = await startSandbox({ stateDir: join(dir, 'sandbox'), region: 'us-east-1', regions: opts.regions ?? ['us-east-1'], pluginLoadDelayMs: opts.pluginLoadDelayMs ?? 300 });
  const proxy = await startFaultProxy({ target: sandbox.motoEndpoint });
  const env = { ...sandbox.env, AWS_ENDPOINT_URL: proxy.url };
  const clientConfig = (region = 'us-east-1') => ({ region, endpoint: sandbox.motoEndpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  let n = 0;
  return {
    sandbox,
    proxy,
    dir,
    env,
    ec2: (region) => new EC2Client(clientConfig(region)),
    iam: (region) => new IAMClient(clientConfig(region)),
    ssm: (region) => new SSMClient(clientConfig(region)),
    cli: (args, extraEnv = {}) => runCli(args, { env: { ...env, ...extraEnv }, cwd: dir, timeoutMs: 180_000 }),
    fleetFrom(example, edit) {
      const doc = parseDocument(readFileSync(join(REPO_ROOT, 'examples', example), 'utf8'));
      doc.setIn(['wait'], doc.createNode({ until: 'ready', timeout: '90s', interval: '1s' }));
      edit?.(doc);
      const path = join(dir, `fleet-${++n}-${example}`);
      writeFileSync(path, doc.toString());
      return path;
    },
    async stop() {
      await proxy.stop();
      await sandbox.stop();
    },
  };
}

/** Parses the single JSON document a --json run printed. */
export function jsonOf(r: CliResult): Record<string, unknown> {
  try {
    return JSON.parse(r.stdout) as Record<string, unknown>;
  } catch {
    throw new Error(`stdout is not one JSON document (exit ${r.code}):\n${r.stdout}\n--- stderr ---\n${r.stderr}`);
  }
}
