import type { NodeSSH } from 'node-ssh';
import type { Duplex } from 'node:stream';
import { RuntimeError, UsageError } from '../../core/errors.js';
import { decideHostKey, hostKeyChangedError, type HostKeyDecision } from './host-key-policy.js';
import { algorithmsFor, type HostKey, type KnownHostsFile } from './known-hosts.js';

/** One SSH server to log in to. `knownAs` is the name its host key is recorded under. */
export interface SshEndpoint {
  host: string;
  port: number;
  user: string;
  knownAs: string;
}

export interface SshAuth {
  /** Private key file contents (OpenSSH or PEM), unencrypted. */
  privateKey?: Buffer | undefined;
  /** ssh-agent socket ($SSH_AUTH_SOCK). */
  agent?: string | undefined;
}

export interface HostKeyEvent {
  knownAs: string;
  kind: 'first-use' | 'replaced';
  key: HostKey;
  previous?: HostKey[];
}

export interface OpenSshOptions {
  target: SshEndpoint;
  /** Optional bastion: the target is reached through a direct-tcpip channel over it. */
  jump?: SshEndpoint | undefined;
  auth: SshAuth;
  knownHosts: KnownHostsFile;
  acceptNewHostKey: boolean;
  /** Name of the flag that replaces a changed key, for the refusal's hint. */
  acceptFlag: string;
  onHostKey?: (e: HostKeyEvent) => void;
  readyTimeoutMs?: number;
}

export interface ExecOptions {
  /** Written to the channel's stdin, which is then closed. The only way secrets travel. */
  stdin?: string;
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
  /** Closes the channel (e.g. `tail -F` on Ctrl-C). */
  signal?: AbortSignal;
}

export interface ExecResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** The narrow SSH surface nessus-byol uses: run a command with optional stdin, then close. */
export interface SshSession {
  exec(command: string, opts?: ExecOptions): Promise<ExecResult>;
  close(): void;
}

/**
 * node-ssh (and ssh2 under it) is bundled into its own chunk, loaded only by the commands that use SSH.
 * ssh2 tries two optional native addons inside try/catch (`cpu-features` and its `sshcrypto.node`);
 * the build leaves those two external, so they fail to load and ssh2 uses its pure-JS code, as it
 * does wherever the addons were never compiled (npm no longer runs their install scripts by default).
 */
let nodeSsh: Promise<typeof import('node-ssh')> | undefined;
async function newNodeSsh(): Promise<NodeSSH> {
  const { NodeSSH: Ctor } = await (nodeSsh ??= import('node-ssh'));
  return new Ctor();
}

export async function openSsh(opts: OpenSshOptions): Promise<SshSession> {
  const opened: NodeSSH[] = [];
  const close = () => {
    for (const c of opened.reverse()) c.dispose();
    opened.length = 0;
  };
  try {
    let sock: Duplex | undefined;
    if (opts.jump) {
      const jump = await connectOne(opts, opts.jump, undefined);
      opened.push(jump);
      sock = await forward(jump, opts.target);
    }
    const target = await connectOne(opts, opts.target, sock);
    opened.push(target);
    return {
      exec: (command, o = {}) => exec(target, command, o),
      close,
    };
  } catch (e) {
    close();
    throw e;
  }
}

async function forward(jump: NodeSSH, target: SshEndpoint): Promise<Duplex> {
  try {
    return (await jump.forwardOut('127.0.0.1', 0, target.host, target.port)) as unknown as Duplex;
  } catch (e) {
    throw new RuntimeError(
      'SSH_UNREACHABLE',
      `The jump host could not open a connection to ${target.host}:${target.port}: ${messageOf(e)}.`,
      {
        hint: 'check that the jump host can reach the scanner on that port (security group network.allowSshFrom, routes)',
        cause: e,
      },
    );
  }
}

async function connectOne(opts: OpenSshOptions, ep: SshEndpoint, sock: Duplex | undefined): Promise<NodeSSH> {
  const recorded = opts.knownHosts.lookup(ep.knownAs);
  // Ask for the key type we recorded, as OpenSSH does, so a second host key is not mistaken for a change.
  const restrict = !opts.acceptNewHostKey && recorded.length > 0;
  let decision: HostKeyDecision | undefined;
  const config = {
    username: ep.user,
    ...(sock ? { sock } : { host: ep.host, port: ep.port }),
    ...(opts.auth.privateKey ? { privateKey: opts.auth.privateKey.toString('utf8') } : {}),
    ...(opts.auth.agent ? { agent: opts.auth.agent } : {}),
    readyTimeout: opts.readyTimeoutMs ?? 20_000,
    keepaliveInterval: 15_000,
    ...(restrict
      ? { algorithms: { serverHostKey: [...new Set(recorded.flatMap((k) => algorithmsFor(k.type)))] } }
      : {}),
    hostVerifier: (blob: Buffer): boolean => {
      decision = decideHostKey(opts.knownHosts, ep.knownAs, blob, opts.acceptNewHostKey);
      if (decision.kind === 'first-use' || decision.kind === 'replaced') {
        opts.onHostKey?.({
          knownAs: ep.knownAs,
          kind: decision.kind,
          key: decision.key,
          ...(decision.kind === 'replaced' ? { previous: decision.previous } : {}),
        });
      }
      return decision.kind !== 'changed';
    },
  };
  const ssh = await newNodeSsh();
  try {
    // node-ssh's Config type is `any` here (ssh2 ships no types); the object above is what ssh2 reads.
    await ssh.connect(config);
    // node-ssh listens for 'error' only while connecting: a reset later (an SSM tunnel or a jump
    // host going away) would be an unhandled 'error' event and crash the process with a stack trace.
    // With a listener, the command under way fails instead and is reported as a lost connection.
    ssh.connection?.on('error', () => undefined);
    return ssh;
  } catch (e) {
    ssh.dispose();
    if (decision?.kind === 'changed')
      throw hostKeyChangedError(ep.knownAs, opts.knownHosts.path, decision.key, decision.previous, opts.acceptFlag);
    if (restrict && !decision && /host key|no matching/i.test(messageOf(e))) {
      throw hostKeyChangedError(ep.knownAs, opts.knownHosts.path, undefined, recorded, opts.acceptFlag);
    }
    throw toSshError(e, ep);
  }
}

function exec(ssh: NodeSSH, command: string, o: ExecOptions): Promise<ExecResult> {
  return ssh.execCommand(command, {
    ...(o.stdin !== undefined ? { stdin: o.stdin } : {}),
    noTrim: true,
    ...(o.onStdout ? { onStdout: o.onStdout } : {}),
    ...(o.onStderr ? { onStderr: o.onStderr } : {}),
    onChannel: (channel: { close(): void }) => {
      if (!o.signal) return;
      if (o.signal.aborted) channel.close();
      else o.signal.addEventListener('abort', () => channel.close(), { once: true });
    },
  });
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Maps ssh2/node-ssh/socket failures to the tool's errors, naming the endpoint. */
export function toSshError(e: unknown, ep: Pick<SshEndpoint, 'host' | 'port' | 'user'>): Error {
  const where = `${ep.user}@${ep.host}:${ep.port}`;
  const msg = messageOf(e);
  const code = (e as { code?: unknown; level?: unknown }).code;
  const level = (e as { level?: unknown }).level;
  if (/Cannot parse privateKey|Encrypted private/i.test(msg)) {
    return new UsageError(`The SSH private key cannot be used: ${msg.replace(/^Cannot parse privateKey: /, '')}.`, {
      hint: 'pass an unencrypted key with --identity, or load it into ssh-agent (SSH_AUTH_SOCK is used when set)',
      cause: e,
    });
  }
  if (level === 'client-authentication' || /authentication methods failed/i.test(msg)) {
    return new RuntimeError('SSH_AUTH_FAILED', `${where} refused the SSH key.`, {
      hint: 'the key must be the one of the fleet key pair (access.keyPair) or authorized for that user; pass --identity <file> or --user <name>',
      cause: e,
    });
  }
  if (code === 'ECONNREFUSED') {
    return new RuntimeError('SSH_UNREACHABLE', `Nothing answers SSH on ${ep.host}:${ep.port} (connection refused).`, {
      hint: 'is sshd running and is this the right --port?',
      cause: e,
    });
  }
  if (
    code === 'ETIMEDOUT' ||
    level === 'client-timeout' ||
    code === 'EHOSTUNREACH' ||
    code === 'ENETUNREACH' ||
    code === 'ENOTFOUND'
  ) {
    return new RuntimeError('SSH_UNREACHABLE', `${ep.host}:${ep.port} could not be reached over SSH (${msg}).`, {
      hint: 'allow your address in network.allowSshFrom (security group, port 22), use --jump user@bastion, or --via ssm (Session Manager)',
      cause: e,
    });
  }
  return new RuntimeError('SSH_FAILED', `SSH to ${where} failed: ${msg}.`, { cause: e });
}
