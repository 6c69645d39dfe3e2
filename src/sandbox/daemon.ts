import { parseArgs } from 'node:util';
import { isNessusByolError } from '../core/errors.js';
import { startSandbox } from './sandbox.js';
import {
  defaultSandboxDir,
  errorFile,
  removeFile,
  stateFile,
  writeJsonAtomic,
  type SandboxState,
} from './state-file.js';

export interface DaemonArgs {
  stateDir: string;
  region?: string | undefined;
  regions?: string[] | undefined;
  pluginLoadDelayMs?: number | undefined;
}

/** `[--state-dir DIR] [--region R] [--watch-region R]… [--plugin-load-delay-ms N]`; the dir also from $NESSUS_BYOL_SANDBOX_DIR. */
export function parseDaemonArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): DaemonArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      'state-dir': { type: 'string' },
      region: { type: 'string' },
      'watch-region': { type: 'string', multiple: true },
      'plugin-load-delay-ms': { type: 'string' },
    },
    strict: true,
  });
  const delay = values['plugin-load-delay-ms'];
  return {
    stateDir: values['state-dir'] ?? defaultSandboxDir(env),
    region: values.region,
    regions: values['watch-region'],
    pluginLoadDelayMs: delay === undefined ? undefined : Number(delay),
  };
}

const log = (line: string) => console.log(`${new Date().toISOString()} ${line}`);

/**
 * The background sandbox: starts everything, publishes `sandbox.json` once ready, and on
 * SIGTERM/SIGINT removes it and stops everything. A start failure is written to
 * `sandbox-error.json` for the starter to rethrow, and the process exits 1.
 */
export async function runSandboxDaemon(args: DaemonArgs): Promise<void> {
  removeFile(errorFile(args.stateDir));
  log(`sandbox starting in ${args.stateDir} (pid ${process.pid})`);
  let sandbox;
  try {
    sandbox = await startSandbox({
      stateDir: args.stateDir,
      ...(args.region ? { region: args.region } : {}),
      ...(args.regions ? { regions: args.regions } : {}),
      ...(args.pluginLoadDelayMs === undefined ? {} : { pluginLoadDelayMs: args.pluginLoadDelayMs }),
      log,
    });
  } catch (e) {
    const failure = isNessusByolError(e)
      ? { code: e.code, message: e.message, hint: e.hint }
      : { code: 'SANDBOX_START_FAILED', message: (e as Error).message };
    writeJsonAtomic(errorFile(args.stateDir), failure);
    log(`sandbox failed to start: ${failure.message}`);
    process.exitCode = 1;
    return;
  }

  const state: SandboxState = {
    pid: process.pid,
    motoPid: sandbox.motoPid,
    env: sandbox.env,
    startedAt: new Date().toISOString(),
    stateDir: args.stateDir,
    motoEndpoint: sandbox.motoEndpoint,
    simulatorUrl: sandbox.simulatorUrl,
    imdsUrl: sandbox.imdsUrl,
  };
  writeJsonAtomic(stateFile(args.stateDir), state);
  log(`sandbox ready: moto ${sandbox.motoEndpoint} (pid ${sandbox.motoPid}), tenable ${sandbox.simulatorUrl}`);

  await new Promise<void>((resolve) => {
    let stopping = false;
    const shutdown = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log(`${signal}: stopping`);
      removeFile(stateFile(args.stateDir));
      sandbox
        .stop()
        .catch((e: unknown) => log(`stop failed: ${(e as Error).message}`))
        .finally(resolve);
    };
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    process.on('SIGINT', () => shutdown('SIGINT'));
    process.on('SIGHUP', () => shutdown('SIGHUP'));
  });
  log('sandbox stopped');
}
