import { KnownHostsFile, knownHostsName, type HostKey } from '../../adapters/ssh/known-hosts.js';
import { openSsh, type SshEndpoint, type SshSession } from '../../adapters/ssh/session.js';
import { SSM_PLUGIN, SSM_PLUGIN_INSTALL_URL, findOnPath, startSsmTunnel } from '../../adapters/ssh/ssm-tunnel.js';
import { UsageError } from '../../core/errors.js';
import type { Identity } from './local-paths.js';
import type { ScannerTarget } from './target.js';

export const ACCEPT_NEW_HOST_KEY_FLAG = '--accept-new-host-key';

export interface ConnectOptions {
  port: number;
  user: string;
  /** `user@host[:port]` of a bastion. */
  jump?: string | undefined;
  identity: Identity;
  knownHostsFile: string;
  acceptNewHostKey: boolean;
  region: string;
  profile?: string | undefined;
  env: NodeJS.ProcessEnv;
  readyTimeoutMs?: number;
}

export interface ConnectEvents {
  info(message: string): void;
  notice(message: string): void;
  warn(message: string): void;
}

export interface ScannerConnection {
  session: SshSession;
  /** `user@host:port` (via …), for messages. */
  description: string;
  close(): void;
}

/** Parses `user@host[:port]` (user defaults to the target's user). */
export function parseJump(spec: string, defaultUser: string): Omit<SshEndpoint, 'knownAs'> {
  const m = /^(?:([^@\s]+)@)?(\[[^\]]+\]|[^:@\s]+)(?::(\d{1,5}))?$/.exec(spec);
  const port = m?.[3] ? Number(m[3]) : 22;
  if (!m || !m[2] || port < 1 || port > 65535)
    throw new UsageError(`--jump ${spec} is not user@host[:port].`, {
      hint: 'e.g. --jump ec2-user@bastion.example.com',
    });
  return { user: m[1] ?? defaultUser, host: m[2].replace(/^\[|\]$/g, ''), port };
}

/** Checks, before anything starts, that Session Manager can be used from here. */
export function preflightSsm(env: NodeJS.ProcessEnv): void {
  const missing = [
    findOnPath('aws', env.PATH) ? null : 'the AWS CLI (aws)',
    findOnPath(SSM_PLUGIN, env.PATH) ? null : SSM_PLUGIN,
  ].filter(Boolean);
  if (missing.length > 0) {
    throw new UsageError(`Reaching this scanner through SSM Session Manager needs ${missing.join(' and ')} on PATH.`, {
      hint: `install the Session Manager plugin (${SSM_PLUGIN_INSTALL_URL}) and AWS CLI v2; or reach the scanner directly with --via direct (port 22 open to you in network.allowSshFrom), --jump user@bastion, or --host`,
    });
  }
}

/**
 * Opens an SSH session to the scanner: directly, through a jump host, or through a Session
 * Manager tunnel. Host keys are checked against the known_hosts file under the name the scanner is
 * known by (its instance id when it came from AWS, `[host]:port` with --host).
 */
export async function connectToScanner(
  target: ScannerTarget,
  opts: ConnectOptions,
  events: ConnectEvents,
): Promise<ScannerConnection> {
  const knownHosts = new KnownHostsFile(opts.knownHostsFile);
  const onHostKey = (e: { knownAs: string; kind: 'first-use' | 'replaced'; key: HostKey; previous?: HostKey[] }) => {
    if (e.kind === 'first-use') {
      events.notice(
        `first connection to ${e.knownAs}: recorded its ${e.key.type} host key ${e.key.fingerprint} in ${knownHosts.path}`,
      );
    } else {
      events.warn(
        `replaced the recorded host key of ${e.knownAs} (${(e.previous ?? []).map((p) => p.fingerprint).join(', ')}) with ${e.key.type} ${e.key.fingerprint}`,
      );
    }
  };
  const auth = { privateKey: opts.identity.privateKey, agent: opts.identity.agent };
  let closeTunnel = () => undefined as void;
  let host: string;
  let port: number;
  let knownAs: string;
  let via = '';
  if (target.via === 'ssm') {
    if (!target.instanceId)
      throw new UsageError('--via ssm needs a scanner from the fleet (an instance id), not --host.');
    preflightSsm(opts.env);
    events.info(`opening a Session Manager tunnel to ${target.instanceId}…`);
    const tunnel = await startSsmTunnel(
      { instanceId: target.instanceId, region: opts.region, profile: opts.profile },
      opts.env,
    );
    closeTunnel = () => tunnel.close();
    host = '127.0.0.1';
    port = tunnel.port;
    knownAs = target.instanceId;
    via = ' via SSM';
  } else {
    host = target.host!;
    port = opts.port;
    knownAs = target.hostKeyName ?? knownHostsName(host, port);
  }
  const jump = opts.jump ? parseJump(opts.jump, opts.user) : undefined;
  if (jump) via = ` via ${jump.user}@${jump.host}:${jump.port}`;
  const description = `${opts.user}@${target.via === 'ssm' ? target.instanceId : host}${target.via === 'ssm' ? '' : `:${port}`}${via}`;
  try {
    const session = await openSsh({
      target: { host, port, user: opts.user, knownAs },
      ...(jump ? { jump: { ...jump, knownAs: knownHostsName(jump.host, jump.port) } } : {}),
      auth,
      knownHosts,
      acceptNewHostKey: opts.acceptNewHostKey,
      acceptFlag: ACCEPT_NEW_HOST_KEY_FLAG,
      onHostKey,
      ...(opts.readyTimeoutMs ? { readyTimeoutMs: opts.readyTimeoutMs } : {}),
    });
    return {
      session,
      description,
      close: () => {
        session.close();
        closeTunnel();
      },
    };
  } catch (e) {
    closeTunnel();
    throw e;
  }
}
