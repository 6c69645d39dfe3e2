import { UsageError } from '../../core/errors.js';

/**
 * Scan targets: parsing what the user gives (`--targets`, `--target-file`), `--exclude`, and the
 * containment checks the egress warning needs. Pure; the EC2 look-ups live in the use case.
 */

export type TargetKind = 'ip' | 'cidr' | 'host';

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const HOST = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

function ipv4ToInt(ip: string): number | null {
  const m = IPV4.exec(ip);
  if (!m) return null;
  const o = m.slice(1).map(Number);
  if (o.some((x) => x > 255)) return null;
  return ((o[0]! << 24) >>> 0) + (o[1]! << 16) + (o[2]! << 8) + o[3]!;
}

function cidrRange(cidr: string): { lo: number; hi: number } | null {
  const [addr, bits, ...rest] = cidr.split('/');
  if (rest.length || addr === undefined || bits === undefined || !/^\d{1,2}$/.test(bits)) return null;
  const n = Number(bits);
  const base = ipv4ToInt(addr);
  if (base === null || n > 32) return null;
  const size = 2 ** (32 - n);
  const lo = Math.floor(base / size) * size;
  return { lo, hi: lo + size - 1 };
}

export function targetKind(t: string): TargetKind | null {
  if (ipv4ToInt(t) !== null) return 'ip';
  if (cidrRange(t) !== null) return 'cidr';
  if (/^[0-9.]+$/.test(t)) return null; // looks numeric but is not an address
  if (HOST.test(t)) return 'host';
  return null;
}

/** Splits on commas, whitespace and newlines; `#` starts a comment (target files). */
export function splitTargets(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.replace(/#.*$/, ''))
    .flatMap((l) => l.split(/[\s,]+/))
    .map((t) => t.trim())
    .filter(Boolean);
}

/** Validates every target, reporting all the bad ones at once (exit 2). */
export function checkTargets(targets: string[], source: string): string[] {
  const bad = targets.filter((t) => targetKind(t) === null);
  if (bad.length) {
    throw new UsageError(`${source} has ${bad.length} target(s) that are not an IPv4 address, CIDR or host name: ${bad.slice(0, 5).join(', ')}${bad.length > 5 ? ', …' : ''}.`, {
      hint: 'give IPv4 addresses (10.0.1.5), CIDRs (10.0.1.0/24) or host names, separated by commas or newlines',
      data: { invalid: bad },
    });
  }
  return [...new Set(targets)];
}

/** True when `target` (an IP or CIDR) lies wholly inside `cidr`; host names never do. */
export function within(target: string, cidr: string): boolean {
  const outer = cidrRange(cidr) ?? (ipv4ToInt(cidr) !== null ? { lo: ipv4ToInt(cidr)!, hi: ipv4ToInt(cidr)! } : null);
  if (!outer) return false;
  const ip = ipv4ToInt(target);
  const inner = ip !== null ? { lo: ip, hi: ip } : cidrRange(target);
  return inner !== null && inner.lo >= outer.lo && inner.hi <= outer.hi;
}

export interface Excluded {
  kept: string[];
  removed: string[];
  /** CIDR targets that contain an excluded address: Tenable scans them whole, so they are named. */
  overlapping: string[];
}

/** Removes excluded targets (exact, or IPs inside an excluded CIDR). */
export function applyExclude(targets: string[], exclude: string[]): Excluded {
  const kept: string[] = [];
  const removed: string[] = [];
  const overlapping: string[] = [];
  for (const t of targets) {
    if (exclude.some((x) => x === t || within(t, x))) removed.push(t);
    else {
      kept.push(t);
      if (targetKind(t) === 'cidr' && exclude.some((x) => within(x, t))) overlapping.push(t);
    }
  }
  return { kept, removed, overlapping };
}
