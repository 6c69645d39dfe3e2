import type { SsmGateway } from '../adapters/aws/ssm.js';
import { TenableError, RuntimeError } from '../core/errors.js';
import { fleetTags } from '../core/naming.js';

/**
 * Tenable records a `down` or `rebuild` could not delete (Tenable unreachable or refusing) after it
 * had already terminated their instances. They are kept in one SSM parameter of the fleet so a later
 * `down` or `reconcile --fix` still finds them once AWS has forgotten the terminated instances (and
 * their tags); the parameter is deleted once the list is empty.
 */
export interface TenableLeftover {
  /** The Tenable scanner id; null when only the uuid was tagged and could not be resolved. */
  id: number | null;
  uuid: string | null;
  name: string;
}

export function leftoversParameter(fleet: string): string {
  return `/nessus-byol/${fleet}/tenable-leftovers`;
}

interface Stored {
  version: 1;
  records: TenableLeftover[];
}

/** The recorded leftovers; null when there is no record. A record that is not ours to read fails loudly. */
export async function readLeftovers(ssm: SsmGateway, fleet: string): Promise<TenableLeftover[] | null> {
  const name = leftoversParameter(fleet);
  const text = await ssm.readPlain(name);
  if (text === null) return null;
  const parsed = parseLeftovers(text);
  if (parsed === null) {
    throw new RuntimeError(
      'LEFTOVERS_UNREADABLE',
      `The SSM parameter ${name} does not hold a list of Tenable records nessus-byol can read.`,
      {
        hint: `look at it with \`aws ssm get-parameter --name ${name}\`; delete the Tenable records it names by hand, then delete the parameter`,
      },
    );
  }
  return parsed;
}

export function parseLeftovers(text: string): TenableLeftover[] | null {
  try {
    const doc = JSON.parse(text) as Partial<Stored>;
    if (doc.version !== 1 || !Array.isArray(doc.records)) return null;
    const out: TenableLeftover[] = [];
    for (const r of doc.records as unknown[]) {
      if (typeof r !== 'object' || r === null) return null;
      const { id, uuid, name } = r as Record<string, unknown>;
      const okId = id === null || (typeof id === 'number' && Number.isInteger(id) && id > 0);
      const okUuid = uuid === null || (typeof uuid === 'string' && uuid !== '');
      if (!okId || !okUuid || (id === null && uuid === null) || typeof name !== 'string') return null;
      out.push({ id: id as number | null, uuid: uuid as string | null, name });
    }
    return out;
  } catch {
    return null;
  }
}

/** Writes the list (or deletes the parameter when it is empty). Tagged as the fleet's own. */
export async function writeLeftovers(ssm: SsmGateway, fleet: string, records: TenableLeftover[]): Promise<void> {
  const name = leftoversParameter(fleet);
  if (records.length === 0) return ssm.delete(name);
  const doc: Stored = { version: 1, records };
  await ssm.putPlain(name, JSON.stringify(doc), fleetTags(fleet, {}), {
    description:
      'Tenable records nessus-byol could not delete yet; `nessus-byol down` or `reconcile --fix` deletes them',
  });
}

export const sameRecord = (
  a: { id: number | null; uuid: string | null },
  b: { id: number | null; uuid: string | null },
): boolean => (a.id !== null && a.id === b.id) || (a.uuid !== null && a.uuid === b.uuid);

/** `a` then the entries of `b` not already in it. */
export function mergeLeftovers(a: TenableLeftover[], b: TenableLeftover[]): TenableLeftover[] {
  const out = [...a];
  for (const r of b) {
    const i = out.findIndex((x) => sameRecord(x, r));
    if (i < 0) out.push(r);
    else out[i] = { id: out[i]!.id ?? r.id, uuid: out[i]!.uuid ?? r.uuid, name: out[i]!.name || r.name };
  }
  return out;
}

export const describeLeftover = (r: TenableLeftover): string =>
  `${r.name} (${[r.id !== null ? `id ${r.id}` : null, r.uuid !== null ? `uuid ${r.uuid}` : null].filter(Boolean).join(', ')})`;

/**
 * Whether a Tenable failure means Tenable is out of reach for this run (unreachable, refusing the
 * keys or the permission, an outage or rate limit that outlasted the retries): the other calls
 * would fail the same way, so they are not tried.
 */
export function tenableOutOfReach(e: unknown): e is TenableError {
  if (!(e instanceof TenableError)) return false;
  if (
    [
      'TENABLE_UNREACHABLE',
      'TENABLE_UNAUTHORIZED',
      'TENABLE_FORBIDDEN',
      'TENABLE_NOT_TENABLE',
      'TENABLE_HTTP_429',
    ].includes(e.code)
  )
    return true;
  return e.status !== undefined && e.status >= 500;
}
