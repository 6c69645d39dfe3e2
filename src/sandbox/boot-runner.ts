import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sandboxAwsEnv } from './aws-env.js';
import { bootDir, publishConsole } from './console.js';
import { runToFile, type RunResult } from './run-process.js';
import { decodeUserData, preauthorizedLinkArgs, type DecodedUserData } from './user-data.js';

export interface BootRecord {
  instanceId: string;
  region: string;
  /** What the user-data was: a script run with bash, pre-authorized JSON, nothing, or something not emulated. */
  kind: DecodedUserData['kind'];
  /** undefined while the boot runs. */
  exitCode: number | undefined;
  timedOut: boolean;
  consoleLines: string[];
  startedAt: string;
  finishedAt: string | undefined;
}

export interface BootContext {
  stateDir: string;
  /** Holds the stand-ins; put first on PATH. */
  binDir: string;
  motoEndpoint: string;
  simulatorUrl: string;
  /** This instance's IMDS endpoint (the script's IMDS_ENDPOINT). */
  imdsEndpoint: string;
  /** Extra variables for the boot (overridden by the ones the sandbox sets). */
  env?: Record<string, string> | undefined;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

const PHASE = 'nessus-byol-bootstrap:';

/**
 * Boots one instance: runs its exact user-data script with bash (stand-ins first on PATH, the real
 * `aws` CLI against moto, IMDS on loopback), or emulates the pre-authorized AMI's first boot for JSON
 * user-data. The console output lands in `<stateDir>/boot/<id>/console.log` and `<stateDir>/console/<id>.log`.
 */
export async function runBoot(
  instance: { instanceId: string; region: string; hostname?: string | undefined; userDataBase64: string | undefined },
  ctx: BootContext,
  record: BootRecord,
): Promise<BootRecord> {
  const dir = bootDir(ctx.stateDir, instance.instanceId);
  mkdirSync(dir, { recursive: true });
  const consolePath = join(dir, 'console.log');
  writeFileSync(consolePath, '');
  const work = mkdtempSync(join(tmpdir(), `nessus-byol-boot-${instance.instanceId}-`));
  const env = bootEnv(instance, ctx, dir, work);
  const userData = decodeUserData(instance.userDataBase64);
  record.kind = userData.kind;
  let result: RunResult = { exitCode: 0, timedOut: false, aborted: false };
  const run = { cwd: work, env, outPath: consolePath, timeoutMs: ctx.timeoutMs, signal: ctx.signal };
  try {
    switch (userData.kind) {
      case 'script': {
        const script = join(dir, 'user-data');
        writeFileSync(script, userData.text, { mode: 0o700 });
        result = await runToFile('bash', [script], run);
        break;
      }
      case 'json': {
        appendFileSync(consolePath, `${PHASE} start\n`);
        result = await runToFile(join(ctx.binDir, 'nessuscli'), preauthorizedLinkArgs(userData.doc), run);
        const lastError = lastLine(readFileSync(consolePath, 'utf8'), /\[error\]/);
        appendFileSync(
          consolePath,
          result.exitCode === 0
            ? `${PHASE} link-ok\n${PHASE} nessusd-started\n`
            : `${PHASE} link-failed ${lastError?.replace(/^.*\[error\]\s*/, '') ?? `exit ${result.exitCode}`}\n`,
        );
        break;
      }
      case 'none':
        appendFileSync(consolePath, 'nessus-byol-sandbox: no user-data\n');
        break;
      case 'unsupported':
        appendFileSync(consolePath, `nessus-byol-sandbox: user-data not run: ${userData.reason}\n`);
        break;
    }
    if (result.timedOut)
      appendFileSync(consolePath, `nessus-byol-sandbox: boot timed out after ${ctx.timeoutMs / 1000}s\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const text = readFileSync(consolePath, 'utf8');
  publishConsole(ctx.stateDir, instance.instanceId, text);
  record.exitCode = result.exitCode;
  record.timedOut = result.timedOut;
  record.consoleLines = text.split('\n').filter((l, i, all) => l !== '' || i < all.length - 1);
  record.finishedAt = new Date().toISOString();
  writeFileSync(join(dir, 'boot.json'), `${JSON.stringify(record, null, 2)}\n`);
  return record;
}

function bootEnv(
  instance: { instanceId: string; region: string; hostname?: string | undefined },
  ctx: BootContext,
  dir: string,
  work: string,
): Record<string, string> {
  const inherited: Record<string, string> = {};
  // Only what tools need to run; never the operator's AWS profile or credentials.
  for (const k of ['PATH', 'LANG', 'LC_ALL', 'TZ', 'PYENV_ROOT', 'PYENV_VERSION', 'SYSTEMROOT']) {
    const v = process.env[k];
    if (v !== undefined) inherited[k] = v;
  }
  return {
    ...inherited,
    HOME: work,
    TMPDIR: work,
    // The bootstrap's retry backoffs (10 s / 5 s on EC2) shortened so failures show in seconds.
    NESSUS_BYOL_LINK_BACKOFF_SECONDS: '1',
    NESSUS_BYOL_FETCH_BACKOFF_SECONDS: '1',
    ...ctx.env,
    ...sandboxAwsEnv(ctx.motoEndpoint, instance.region),
    PATH: `${ctx.binDir}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    AWS_EC2_METADATA_DISABLED: 'true',
    NESSUS_BYOL_NESSUSCLI: join(ctx.binDir, 'nessuscli'),
    NESSUS_BYOL_IMDS_ENDPOINT: ctx.imdsEndpoint,
    NESSUS_BYOL_LOG_FILE: join(dir, 'bootstrap.log'),
    NESSUS_BYOL_SIM_URL: ctx.simulatorUrl,
    NESSUS_BYOL_STANDIN_LOG: join(dir, 'nessuscli.jsonl'),
    NESSUS_BYOL_STANDIN_STATE_DIR: dir,
    // What the scanner reports to TVM as its hostname (EC2's private DNS name).
    NESSUS_BYOL_HOSTNAME: instance.hostname || `ip-${instance.instanceId}.${instance.region}.compute.internal`,
  };
}

function lastLine(text: string, pattern: RegExp): string | undefined {
  return text
    .split('\n')
    .filter((l) => pattern.test(l))
    .pop();
}
