import { z } from 'zod';
import { Secret } from '../../core/secret.js';
import { boolish, epochMs, numberish, optional, stringish } from './lenient.js';

/**
 * A TVM scanner ("sensor") record as the rest of the tool sees it. The record's `key` field (the
 * container's linking key on the default cloud scanner, a per-scanner key elsewhere) is never kept.
 */
export interface TenableScanner {
  id: number;
  uuid: string;
  name: string;
  /** `local` | `managed` | `managed_pvs` | `pool` | `remote` | `webapp` … */
  type?: string;
  status: 'on' | 'off' | (string & {});
  linked: boolean;
  /** Last check-in in epoch milliseconds, whatever unit Tenable used. */
  lastConnectMs: number | null;
  /** Present once the scanner has loaded its plugins, e.g. `202211090744`. */
  loadedPluginSet?: string;
  engineVersion?: string;
  uiVersion?: string;
  uiBuild?: string;
  group?: boolean;
  hostname?: string;
  ipAddresses?: string[];
  remoteUuid?: string;
}

const nonEmpty = stringish.transform((s) => s.trim()).pipe(z.string().min(1));

// z.object strips unknown keys, so `key` (and everything else we do not name) is dropped here.
const scannerSchema = z
  .object({
    id: numberish.pipe(z.number().int()),
    uuid: nonEmpty,
    name: optional(stringish),
    type: optional(nonEmpty),
    status: optional(nonEmpty),
    linked: boolish.optional().catch(false),
    last_connect: epochMs,
    loaded_plugin_set: optional(nonEmpty),
    engine_version: optional(nonEmpty),
    ui_version: optional(nonEmpty),
    ui_build: optional(nonEmpty),
    group: optional(boolish),
    hostname: optional(nonEmpty),
    ip_addresses: optional(z.array(z.string())),
    remote_uuid: optional(nonEmpty),
  })
  .transform((r): TenableScanner => {
    const s: TenableScanner = {
      id: r.id,
      uuid: r.uuid,
      // A scanner linked without a name shows up under its hostname.
      name: r.name ?? r.hostname ?? '',
      status: r.status ?? 'unknown',
      linked: r.linked ?? false,
      lastConnectMs: r.last_connect,
    };
    if (r.type !== undefined) s.type = r.type;
    if (r.loaded_plugin_set !== undefined) s.loadedPluginSet = r.loaded_plugin_set;
    if (r.engine_version !== undefined) s.engineVersion = r.engine_version;
    if (r.ui_version !== undefined) s.uiVersion = r.ui_version;
    if (r.ui_build !== undefined) s.uiBuild = r.ui_build;
    if (r.group !== undefined) s.group = r.group;
    if (r.hostname !== undefined) s.hostname = r.hostname;
    if (r.ip_addresses !== undefined) s.ipAddresses = r.ip_addresses;
    if (r.remote_uuid !== undefined) s.remoteUuid = r.remote_uuid;
    return s;
  });

/** Parses one scanner object (`GET /scanners/{id}`, `PUT /scanners/{id}`); throws on a missing id/uuid. */
export function parseScanner(body: unknown): TenableScanner {
  return scannerSchema.parse(body);
}

const listSchema = z.object({ scanners: z.array(z.unknown()).nullish() });

/**
 * Parses `{"scanners":[…]}` (`GET /scanners`, `GET /scanner-groups/{id}/scanners`). A null or
 * missing list is empty; an entry without a usable id/uuid is skipped rather than failing the
 * whole list, since it is someone else's record and cannot be one of ours anyway.
 */
export function parseScannerList(body: unknown): TenableScanner[] {
  const entries = listSchema.parse(body ?? {}).scanners ?? [];
  const out: TenableScanner[] = [];
  for (const entry of entries) {
    const r = scannerSchema.safeParse(entry);
    if (r.success) out.push(r.data);
  }
  return out;
}

/** Linked to the container (the first thing `nessuscli managed link` achieves). */
export function isLinked(s: TenableScanner): boolean {
  return s.linked;
}

/** Linked, online and done loading plugins: it can take scan jobs. */
export function isReady(s: TenableScanner): boolean {
  return s.linked && s.status === 'on' && s.loadedPluginSet !== undefined;
}

/** Parses `GET /scanners/{id}/key` (`{"key":"<64 hex>"}`) into a Secret; the value never leaves it. */
export function parseLinkingKey(body: unknown): Secret {
  return new Secret(z.object({ key: z.string().min(1) }).parse(body).key, 'linking key');
}
