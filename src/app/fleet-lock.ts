import type { SsmGateway } from '../adapters/aws/ssm.js';
import { RuntimeError } from '../core/errors.js';
import { fleetTags, lockParameter } from '../core/naming.js';

export interface LockHolder {
  owner: string;
  runId: string;
  command: string;
  acquiredAt: string;
  expiresAt: string;
}

export interface FleetLock {
  release(): Promise<void>;
}

/**
 * A fleet lock: an SSM parameter created with a conditional put (Overwrite=false) holding owner and
 * expiry. Keeps two up/rebuild/down runs on one fleet apart; an expired lock (a killed run) is taken
 * over, and --force-unlock removes a live one.
 */
export async function acquireFleetLock(
  ssm: SsmGateway,
  p: { fleet: string; owner: string; runId: string; command: string; ttlMs: number; now: () => number; forceUnlock: boolean },
): Promise<FleetLock> {
  const name = lockParameter(p.fleet);
  const holder: LockHolder = {
    owner: p.owner,
    runId: p.runId,
    command: p.command,
    acquiredAt: new Date(p.now()).toISOString(),
    expiresAt: new Date(p.now() + p.ttlMs).toISOString(),
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await ssm.putIfAbsent(name, JSON.stringify(holder), fleetTags(p.fleet, {}))) {
      return {
        release: async () => {
          const current = parseHolder(await ssm.readPlain(name));
          if (!current || current.runId === p.runId) await ssm.delete(name);
        },
      };
    }
    const current = parseHolder(await ssm.readPlain(name));
    const expired = !current || Date.parse(current.expiresAt) <= p.now();
    if (!expired && !p.forceUnlock) {
      throw new RuntimeError('FLEET_LOCKED', `Fleet "${p.fleet}" is locked by another run: ${current!.command} by ${current!.owner} since ${current!.acquiredAt} (expires ${current!.expiresAt}).`, {
        hint: `wait for that run to finish; if it was killed, re-run with --force-unlock (lock: SSM parameter ${name})`,
        data: { lock: current },
      });
    }
    await ssm.delete(name);
  }
  throw new RuntimeError('FLEET_LOCKED', `Could not take the lock of fleet "${p.fleet}" (${name}): another run keeps taking it.`, {
    hint: 'make sure only one run works on this fleet at a time',
  });
}

function parseHolder(text: string | null): LockHolder | null {
  if (!text) return null;
  try {
    const v = JSON.parse(text) as LockHolder;
    return typeof v.expiresAt === 'string' ? v : null;
  } catch {
    return null;
  }
}
