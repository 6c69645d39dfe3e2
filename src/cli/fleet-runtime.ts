import { userInfo, hostname } from 'node:os';
import { createConsoleReader, type ConsoleReader } from '../app/console-reader.js';
import { createAwsGateways, type AwsGateways } from '../app/gateways.js';
import { tenableFromEnv } from '../app/tenable-from-env.js';
import { sleep } from '../app/time.js';
import type { TenableClient } from '../adapters/tenable/client.js';
import type { ResolvedConfig } from '../config/resolve.js';
import { UsageError } from '../core/errors.js';
import { isCi, type GlobalOptions } from './globals.js';
import type { Output } from './output.js';
import { listrProgress } from './progress/listr-progress.js';
import { plainProgress } from './progress/plain-progress.js';
import type { FleetProgress } from './progress/types.js';

/** Everything a fleet command needs at run time, built once from the resolved config. */
export interface FleetRuntime {
  aws: AwsGateways;
  tenable: () => TenableClient;
  readConsole: ConsoleReader;
  signal: AbortSignal;
  owner: string;
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Removes the Ctrl-C handler. */
  dispose(): void;
}

export function createFleetRuntime(config: ResolvedConfig, out: Output): FleetRuntime {
  const aws = createAwsGateways({ region: config.region, profile: config.profile });
  let tenable: TenableClient | undefined;
  const controller = new AbortController();
  let presses = 0;
  const onSigint = () => {
    presses++;
    if (presses === 1) {
      out.warn('interrupted: cleaning up what this run created (press Ctrl-C again to quit at once)');
      controller.abort(new Error('interrupted'));
    } else {
      process.exit(130);
    }
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  return {
    aws,
    tenable: () => (tenable ??= tenableFromEnv(config.tenableEndpoint, process.env, 'read the linking key and watch scanners link', (m) => out.debug(m))),
    readConsole: createConsoleReader(aws.ec2, process.env),
    signal: controller.signal,
    owner: `${safe(() => userInfo().username, 'unknown')}@${hostname()} (pid ${process.pid})`,
    now: Date.now,
    sleep,
    dispose: () => {
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigint);
    },
  };
}

function safe<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

/** The live view on a TTY, plain timestamped lines in CI, pipes and --json runs. */
export function progressFor(g: GlobalOptions, out: Output, until: 'linked' | 'ready'): FleetProgress {
  return out.interactive && !g.json && !isCi(process.env) ? listrProgress({ until, color: out.color }) : plainProgress(out);
}

/** Asks a yes/no question on a TTY; without one (or in CI) --yes is required. */
export async function confirmOrRefuse(g: GlobalOptions, out: Output, question: string, command: string): Promise<boolean> {
  if (g.yes) return true;
  if (!out.interactive) {
    throw new UsageError(`${command} needs confirmation and there is no terminal to ask on.`, { hint: `re-run with --yes (e.g. \`nessus-byol ${command} -f ${g.file ?? 'fleet.yaml'} --yes\`)` });
  }
  const { confirm } = await import('@inquirer/prompts');
  try {
    return await confirm({ message: question, default: false }, { output: process.stderr });
  } catch (e) {
    if ((e as Error).name === 'ExitPromptError') return false;
    throw e;
  }
}

/** Fails early, before touching anything, when a confirmation would be needed but cannot be asked. */
export function requireYesWithoutTty(g: GlobalOptions, out: Output, command: string): void {
  if (!g.yes && !out.interactive) {
    throw new UsageError(`${command} needs confirmation and there is no terminal to ask on.`, { hint: `re-run with --yes (e.g. \`nessus-byol ${command} -f ${g.file ?? 'fleet.yaml'} --yes\`)` });
  }
}
