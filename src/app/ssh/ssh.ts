import { resolve } from 'node:path';
import type { Ec2Gateway } from '../../adapters/aws/ec2.js';
import type { TenableClient } from '../../adapters/tenable/client.js';
import type { ResolvedConfig } from '../../config/resolve.js';
import { InterruptedError, UsageError } from '../../core/errors.js';
import { SSH_OPERATIONS, type SshOperation } from './operation-names.js';
import type { Secret } from '../../core/secret.js';
import { linkTarget } from '../../core/user-data.js';
import type { Proxy } from '../../bootstrap/types.js';
import type { AwsGateways } from '../gateways.js';
import { connectToScanner, preflightSsm, type ConnectEvents } from './connect.js';
import { knownHostsPath, resolveIdentity } from './local-paths.js';
import { sshLogsCommand } from './logs-command.js';
import {
  sshActivate,
  sshFollowLogs,
  sshLink,
  sshLogs,
  sshRun,
  sshStatus,
  type FetchedLog,
  type LinkOutcome,
  type OperationEvents,
} from './operations.js';
import type { ScannerHostStatus } from './parse-status.js';
import { activationCodeForSsh, linkingKeyForSsh, proxyPasswordForSsh } from './secrets.js';
import { defaultVia, pickInstance, targetFromHost, type ScannerTarget, type SshVia } from './target.js';

export interface SshInput {
  config: ResolvedConfig;
  operation: SshOperation;
  scanner: string;
  host?: string | undefined;
  port: number;
  user: string;
  identity?: string | undefined;
  jump?: string | undefined;
  via?: SshVia | undefined;
  acceptNewHostKey: boolean;
  /** link/relink: confirm through the Tenable API (false with --no-confirm). */
  confirm: boolean;
  /** logs */
  out?: string | undefined;
  lines: number;
  follow: boolean;
  /** run */
  command: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Ends `logs --follow` and closes the connection (Ctrl-C). */
  signal?: AbortSignal;
}

export interface SshDeps {
  /** Loaded on first use: not at all with --host and secrets from the environment. */
  aws: () => Promise<AwsGateways>;
  /** Throws UsageError when TIO_ACCESS_KEY/TIO_SECRET_KEY are missing. */
  tenable: () => TenableClient;
}

export type SshEvents = ConnectEvents & OperationEvents;

export interface SshScannerInfo {
  name: string;
  instanceId?: string | undefined;
  connection: string;
}

export type SshOutcome =
  | { operation: 'status'; scanner: SshScannerInfo; status: ScannerHostStatus }
  | ({ operation: 'link' | 'relink'; scanner: SshScannerInfo } & LinkOutcome)
  | { operation: 'activate'; scanner: SshScannerInfo; activated: true }
  | { operation: 'logs'; scanner: SshScannerInfo; dir?: string; files?: FetchedLog[]; followed?: true }
  | { operation: 'run'; scanner: SshScannerInfo; exitCode: 0; stdout: string; stderr: string };

/** Checks flag combinations that make no sense, before anything is touched. */
export function checkSshInput(
  input: Pick<SshInput, 'operation' | 'command' | 'follow' | 'out' | 'lines' | 'host' | 'via'>,
): void {
  if (input.operation === 'run' && input.command.length === 0) {
    throw new UsageError('`ssh <scanner> run` needs a command after `--`.', {
      hint: "e.g. nessus-byol ssh scanner-1 run -- 'sudo systemctl status nessusd'",
    });
  }
  if (input.operation !== 'run' && input.command.length > 0) {
    throw new UsageError(`\`ssh <scanner> ${input.operation}\` takes no command (${input.command.join(' ')}).`, {
      hint: 'use `run -- <command>` for other commands',
    });
  }
  if (input.operation !== 'logs' && (input.follow || input.out))
    throw new UsageError('--follow and --out apply to `logs` only.');
  if (!Number.isInteger(input.lines) || input.lines < 1)
    throw new UsageError('--lines must be a positive whole number.');
  if (input.host && input.via === 'ssm') throw new UsageError('--host and --via ssm cannot be combined.');
}

interface Prepared {
  key?: Secret;
  proxyPassword?: Secret | undefined;
  proxy?: Proxy | undefined;
  code?: Secret;
  tenable?: TenableClient;
}

/** Everything that can fail without touching the scanner: flags, identity, secrets, Tenable keys. */
async function prepare(input: SshInput, deps: SshDeps, events: SshEvents): Promise<Prepared> {
  const { config, operation } = input;
  if (operation === 'link' || operation === 'relink') {
    if (config.link.method === 'standalone') {
      throw new UsageError(
        `Fleet ${config.fleet} uses link.method: standalone; its scanners are activated, not linked.`,
        {
          hint: `use \`nessus-byol ssh ${input.scanner} activate\``,
        },
      );
    }
    let tenable: TenableClient | undefined;
    if (input.confirm) {
      try {
        tenable = deps.tenable();
      } catch (e) {
        if (e instanceof UsageError) {
          throw new UsageError(e.message, {
            hint: `${e.hint ?? ''}; or pass --no-confirm to link without confirming through the Tenable API`,
          });
        }
        throw e;
      }
    } else {
      events.notice('--no-confirm: the link will not be confirmed through the Tenable API');
    }
    const secretDeps = {
      env: input.env,
      aws: deps.aws,
      tenable: deps.tenable,
      notice: (m: string) => events.notice(m),
    };
    const key = await linkingKeyForSsh(config, secretDeps);
    const proxyPassword = await proxyPasswordForSsh(config, secretDeps);
    const p = config.link.proxy;
    const proxy: Proxy | undefined = p
      ? {
          host: p.host,
          port: p.port,
          ...(p.username ? { username: p.username } : {}),
          ...(p.password
            ? {
                password:
                  p.password.from === 'ssm'
                    ? { kind: 'ssm', parameter: p.password.parameter, region: config.region }
                    : { kind: 'secretsmanager', secretId: p.password.secretId, region: config.region },
              }
            : {}),
          ...(p.agent ? { agent: p.agent } : {}),
        }
      : undefined;
    return { key, proxyPassword, proxy, ...(tenable ? { tenable } : {}) };
  }
  if (operation === 'activate') {
    return { code: await activationCodeForSsh(config, { env: input.env, aws: deps.aws, tenable: deps.tenable }) };
  }
  return {};
}

async function resolveTarget(
  input: SshInput,
  ec2: () => Promise<Pick<Ec2Gateway, 'fleetInstances'>>,
): Promise<ScannerTarget> {
  if (input.host) return targetFromHost(input.config, { scanner: input.scanner, host: input.host, via: input.via });
  const instances = await (await ec2()).fleetInstances(input.config.fleet);
  return pickInstance(input.config, instances, {
    scanner: input.scanner,
    via: defaultVia(input.config, input),
    jump: input.jump,
  });
}

/** Runs one `ssh` operation on one scanner of the fleet. */
export async function runSshOperation(input: SshInput, deps: SshDeps, events: SshEvents): Promise<SshOutcome> {
  checkSshInput(input);
  const identity = resolveIdentity(input.config, input.identity, input.env, input.cwd);
  if (!input.host && defaultVia(input.config, input) === 'ssm') preflightSsm(input.env);
  const prepared = await prepare(input, deps, events);
  const target = await resolveTarget(input, async () => (await deps.aws()).ec2);
  const conn = await connectToScanner(
    target,
    {
      port: input.port,
      user: input.user,
      jump: input.jump,
      identity,
      knownHostsFile: knownHostsPath(input.env),
      acceptNewHostKey: input.acceptNewHostKey,
      region: input.config.region,
      profile: input.config.profile,
      env: input.env,
    },
    events,
  );
  const onAbort = () => conn.close();
  input.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (input.signal?.aborted) throw new InterruptedError();
    events.info(`connected to ${target.name} (${conn.description})`);
    const scanner: SshScannerInfo = {
      name: target.name,
      ...(target.instanceId ? { instanceId: target.instanceId } : {}),
      connection: conn.description,
    };
    const ctx = {
      session: conn.session,
      name: target.name,
      events,
      logsCommand: sshLogsCommand(input.config.file, target.name),
    };
    switch (input.operation) {
      case 'status':
        return { operation: 'status', scanner, status: await sshStatus(ctx) };
      case 'link':
      case 'relink': {
        const outcome = await sshLink(ctx, {
          target: linkTarget(input.config),
          awsScanner: input.config.link.awsScanner,
          proxy: prepared.proxy,
          reset: input.operation === 'relink',
          key: prepared.key!,
          proxyPassword: prepared.proxyPassword,
          tenable: prepared.tenable,
        });
        return { operation: input.operation, scanner, ...outcome };
      }
      case 'activate':
        return { operation: 'activate', scanner, ...(await sshActivate(ctx, prepared.code!)) };
      case 'logs':
        if (input.follow) {
          await sshFollowLogs(ctx, { lines: input.lines, ...(input.signal ? { signal: input.signal } : {}) });
          return { operation: 'logs', scanner, followed: true };
        }
        return {
          operation: 'logs',
          scanner,
          ...(await sshLogs(ctx, {
            dir: resolve(input.cwd, input.out ?? `nessus-byol-logs/${safeDirName(target.name)}`),
            lines: input.lines,
          })),
        };
      case 'run':
        return { operation: 'run', scanner, ...(await sshRun(ctx, input.command)) };
      default:
        throw new UsageError(`Unknown ssh operation ${String(input.operation)}.`, {
          hint: `use one of ${SSH_OPERATIONS.join(', ')}`,
        });
    }
  } finally {
    input.signal?.removeEventListener('abort', onAbort);
    conn.close();
  }
}

function safeDirName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_');
}
