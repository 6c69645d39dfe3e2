import { has } from './tools.js';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { canConnect, freeLoopbackPort } from '../../src/adapters/net/loopback.js';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

/** Where Debian/Ubuntu's openssh-server puts sshd (`apt-get install -y openssh-server`). */
export const SSHD_PATH = ['/usr/sbin/sshd', '/usr/bin/sshd'].find((p) => existsSync(p));
export const HAS_SSHD = Boolean(SSHD_PATH) && has('sshd') && has('ssh-keygen');

export interface TestSshd {
  port: number;
  /** The login user: the current user (root in CI). */
  user: string;
  dir: string;
  /** Private key authorized for `user` (generated; use as --identity). */
  userKey: string;
  /** sshd's own log (LogLevel DEBUG3). */
  logFile: string;
  /** Every exec request sshd received, one JSON string per line (a ForceCommand records it, then runs it). */
  commandLog: string;
  /** SHA256 fingerprint of the current host key, as ssh-keygen shows it. */
  hostKeyFingerprint(): string;
  /** Restarts on the same port; with `newHostKey` a fresh host key is generated first. */
  restart(opts?: { newHostKey?: boolean }): Promise<void>;
  stop(): Promise<void>;
}

export interface SshdOptions {
  /** Variables set in every session (sshd_config SetEnv): PATH, NESSUS_BYOL_* … */
  env?: Record<string, string>;
}

function keygen(path: string, comment: string): void {
  const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ssh-keygen failed: ${r.stderr}`);
}

/**
 * A real OpenSSH sshd on a loopback port for the current user, with a throwaway host key, a
 * generated authorized user key, `LogLevel DEBUG3` into a file and the given session environment.
 * A ForceCommand records each exec request (what the remote login shell receives) and runs it.
 */
export async function startSshd(opts: SshdOptions = {}): Promise<TestSshd> {
  if (!SSHD_PATH) throw new Error('sshd is not installed: apt-get install -y openssh-server');
  const dir = mkdtempSync(join(tmpdir(), 'nessus-byol-sshd-'));
  const hostKey = join(dir, 'ssh_host_ed25519_key');
  const userKey = join(dir, 'id_ed25519');
  const logFile = join(dir, 'sshd.log');
  const commandLog = join(dir, 'commands.log');
  const recorder = join(dir, 'record-command');
  keygen(hostKey, 'test-host');
  keygen(userKey, 'test-user');
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(`${userKey}.pub`), { mode: 0o600 });
  writeFileSync(
    recorder,
    `#!/bin/bash
# Records the exec request exactly as sshd passes it to the login shell, then runs it the same way.
printf '%s' "\${SSH_ORIGINAL_COMMAND:-}" | jq -Rs . >>${JSON.stringify(commandLog)}
exec "\${SHELL:-/bin/sh}" -c "\${SSH_ORIGINAL_COMMAND:-}"
`,
    { mode: 0o755 },
  );
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const user = userInfo().username;
  const port = await freeLoopbackPort();
  const setEnv = Object.entries(opts.env ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const config = join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'StrictModes no',
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      `AllowUsers ${user}`,
      'UsePAM no',
      'LogLevel DEBUG3',
      ...(setEnv ? [`SetEnv ${setEnv}`] : []),
      `ForceCommand ${recorder}`,
      '',
    ].join('\n'),
  );
  const check = spawnSync(SSHD_PATH, ['-t', '-f', config], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`sshd -t: ${check.stderr}`);

  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(SSHD_PATH, ['-D', '-f', config, '-E', logFile], { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null)
        throw new Error(`sshd exited ${child.exitCode}: ${readFileSync(logFile, 'utf8').slice(-2000)}`);
      if (await canConnect(port)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('sshd did not start listening within 10s');
  };
  const stopChild = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGTERM');
    });
  };
  await start();
  return {
    port,
    user,
    dir,
    userKey,
    logFile,
    commandLog,
    hostKeyFingerprint: () => {
      const r = spawnSync('ssh-keygen', ['-lf', `${hostKey}.pub`], { encoding: 'utf8' });
      return /(SHA256:\S+)/.exec(r.stdout)?.[1] ?? '';
    },
    restart: async (o = {}) => {
      await stopChild();
      if (o.newHostKey) {
        rmSync(hostKey, { force: true });
        rmSync(`${hostKey}.pub`, { force: true });
        keygen(hostKey, 'test-host-2');
      }
      await start();
    },
    stop: async () => {
      await stopChild();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The exec requests sshd received (see `commandLog`). */
export function readCommandLog(path: string): string[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as string);
}
