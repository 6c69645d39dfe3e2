import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ResolvedConfig } from '../../config/resolve.js';
import { UsageError } from '../../core/errors.js';
import { defaultPrivateKeyPath } from '../../core/naming.js';

/** nessus-byol's per-user configuration directory: $NESSUS_BYOL_CONFIG_DIR, $XDG_CONFIG_HOME/nessus-byol or ~/.config/nessus-byol. */
export function configDir(env: NodeJS.ProcessEnv): string {
  if (env.NESSUS_BYOL_CONFIG_DIR) return env.NESSUS_BYOL_CONFIG_DIR;
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'nessus-byol');
}

export function knownHostsPath(env: NodeJS.ProcessEnv): string {
  return join(configDir(env), 'known_hosts');
}

function expandHome(path: string, env: NodeJS.ProcessEnv): string {
  return path === '~' || path.startsWith('~/') ? join(env.HOME || homedir(), path.slice(1)) : path;
}

export interface Identity {
  /** The private key file used, when one is. */
  path?: string | undefined;
  privateKey?: Buffer | undefined;
  agent?: string | undefined;
}

/**
 * The SSH identity: --identity, else the fleet's key file (access.privateKeyPath, the private half
 * of an imported key, or the default `./nessus-byol-<fleet>-<region>.pem`), plus ssh-agent when
 * SSH_AUTH_SOCK is set.
 */
export function resolveIdentity(
  config: Pick<ResolvedConfig, 'fleet' | 'region' | 'access'>,
  identity: string | undefined,
  env: NodeJS.ProcessEnv,
  cwd: string,
): Identity {
  const agent = env.SSH_AUTH_SOCK || undefined;
  if (identity) {
    const path = resolve(cwd, expandHome(identity, env));
    if (!existsSync(path))
      throw new UsageError(`--identity ${identity}: no such file.`, {
        hint: 'pass the private key file of the fleet key pair',
      });
    return { path, privateKey: readFileSync(path), agent };
  }
  const candidates: string[] = [];
  if (config.access.privateKeyPath) candidates.push(config.access.privateKeyPath);
  const kp = config.access.keyPair;
  if (typeof kp === 'object' && 'import' in kp && kp.import.endsWith('.pub'))
    candidates.push(kp.import.slice(0, -'.pub'.length));
  candidates.push(defaultPrivateKeyPath(config.fleet, config.region));
  for (const c of candidates) {
    const path = resolve(cwd, expandHome(c, env));
    if (existsSync(path)) return { path, privateKey: readFileSync(path), agent };
  }
  if (agent) return { agent };
  throw new UsageError(`No SSH private key found for fleet ${config.fleet} (looked for ${candidates.join(', ')}).`, {
    hint:
      kp === 'none'
        ? 'the fleet uses access.keyPair: none, so its instances hold no key: pass --identity with a key authorized on the instance, or set access.keyPair: create (new instances)'
        : 'pass --identity <private key file>, or load the key into ssh-agent',
  });
}
