import { z } from 'zod';
import { numberish, optional, stringish } from './lenient.js';

/** A TVM scanner group (`scanner_pools` entry). Each group also appears in `GET /scanners` as a `pool`. */
export interface TenableScannerGroup {
  id: number;
  uuid: string;
  name: string;
  /** `load_balancing` for the groups we create. */
  type?: string;
  scannerCount?: number;
}

const groupSchema = z
  .object({
    id: numberish.pipe(z.number().int()),
    uuid: stringish,
    name: stringish,
    type: optional(stringish),
    scanner_count: optional(numberish),
  })
  .transform((r): TenableScannerGroup => {
    const g: TenableScannerGroup = { id: r.id, uuid: r.uuid, name: r.name };
    if (r.type !== undefined) g.type = r.type;
    if (r.scanner_count !== undefined) g.scannerCount = r.scanner_count;
    return g;
  });

/** Parses one group (`POST /scanner-groups`, `GET /scanner-groups/{id}`). */
export function parseScannerGroup(body: unknown): TenableScannerGroup {
  return groupSchema.parse(body);
}

/** Parses `{"scanner_pools":[…]}`; a null list is empty and malformed entries are skipped. */
export function parseScannerGroupList(body: unknown): TenableScannerGroup[] {
  const entries = z.object({ scanner_pools: z.array(z.unknown()).nullish() }).parse(body ?? {}).scanner_pools ?? [];
  return entries.flatMap((e) => {
    const r = groupSchema.safeParse(e);
    return r.success ? [r.data] : [];
  });
}
