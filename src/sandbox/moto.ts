import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RuntimeError } from '../core/errors.js';
import { freeLoopbackPort, sleep, waitForHttp } from './net.js';
import { sandboxAmiDocument } from './moto-amis.js';

export { SANDBOX_AMIS, MARKETPLACE_OWNER_ID, BYOL_PRODUCT_CODE, PREAUTHORIZED_PRODUCT_CODE } from './moto-amis.js';
export { sandboxAwsEnv } from './aws-env.js';
export { prepareMotoRegion } from './moto-region.js';

export const MOTO_INSTALL_HINT = 'Install it with: pip install "moto[server]"  (Python 3; puts moto_server on PATH)';

export interface StartMotoOptions {
  /** Holds the AMI document and moto.log. */
  stateDir: string;
  /** Images for MOTO_AMIS_PATH; defaults to the sandbox's Nessus images. */
  amis?: readonly object[];
  /** The moto_server command (tests may point it elsewhere). */
  command?: string;
  startTimeoutMs?: number;
}

export interface MotoServer {
  endpoint: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts moto_server on a free loopback port and waits until `GET /moto-api/` answers. */
export async function startMoto(opts: StartMotoOptions): Promise<MotoServer> {
  mkdirSync(opts.stateDir, { recursive: true });
  const amisPath = join(opts.stateDir, 'moto-amis.json');
  writeFileSync(amisPath, JSON.stringify(opts.amis ?? sandboxAmiDocument(), null, 2));
  let lastError: unknown;
  // A port can be taken between probing and moto binding it: retry with a new one.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(opts, amisPath, await freeLoopbackPort());
    } catch (e) {
      if (e instanceof RuntimeError && e.code === 'MOTO_MISSING') throw e;
      lastError = e;
    }
  }
  throw lastError;
}

async function startOnce(opts: StartMotoOptions, amisPath: string, port: number): Promise<MotoServer> {
  const command = opts.command ?? 'moto_server';
  const logPath = join(opts.stateDir, 'moto.log');
  const logFd = openSync(logPath, 'a');
  let child: ChildProcess;
  try {
    child = spawn(command, ['-H', '127.0.0.1', '-p', String(port)], {
      stdio: ['ignore', logFd, logFd],
      env: { ...process.env, MOTO_AMIS_PATH: amisPath, MOTO_IAM_LOAD_MANAGED_POLICIES: 'true' },
    });
  } finally {
    closeSync(logFd);
  }
  let spawnError: NodeJS.ErrnoException | undefined;
  let exitCode: number | null | undefined;
  child.on('error', (e: NodeJS.ErrnoException) => (spawnError = e));
  const exited = new Promise<void>((resolve) =>
    child.on('exit', (code) => {
      exitCode = code;
      resolve();
    }),
  );

  const endpoint = `http://127.0.0.1:${port}`;
  const up = await waitForHttp(`${endpoint}/moto-api/`, {
    timeoutMs: opts.startTimeoutMs ?? 30_000,
    gaveUp: () => spawnError !== undefined || exitCode !== undefined,
  });
  if (!up) {
    child.kill('SIGKILL');
    // exit code 127: a pyenv shim or `env` found no moto_server behind it.
    if (spawnError?.code === 'ENOENT' || exitCode === 127) {
      throw new RuntimeError('MOTO_MISSING', `${command} was not found; the sandbox needs it to stand in for AWS.`, {
        hint: MOTO_INSTALL_HINT,
      });
    }
    throw new RuntimeError('MOTO_START_FAILED', `${command} did not start on ${endpoint}.`, {
      hint: `Its output is in ${logPath}:\n${tail(logPath, 15)}`,
      cause: spawnError,
    });
  }
  const pid = child.pid ?? 0;
  return {
    endpoint,
    pid,
    async stop() {
      if (exitCode !== undefined) return;
      child.kill('SIGTERM');
      const killed = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
      if (!killed) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

function tail(path: string, lines: number): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no output)';
  }
}
