import { z } from 'zod';

/**
 * The shapes of real TVM answers, written down from pyTenable's recorded cassettes
 * (github.com/tenable/pyTenable, tests/io/cassettes, commit 9674fac2af9275beffbbe424ee096d42fd067f28;
 * which cassette each schema follows is named on it). Strict objects: a field the recording does not
 * have, a missing field, or a value of another kind (a number where Tenable sends a string, seconds
 * where it sends milliseconds) fails. Our fixtures (test/fixtures/tenable) and the Tenable simulator
 * are both checked against these, so neither can drift from the recordings or from each other.
 * Parse-only: these describe what Tenable sends, not what our parsers accept (they are lenient).
 */

const int = z.number().int();
/** Epoch seconds (the list answers): 10 digits. */
const epochSec = int.min(1_000_000_000).max(9_999_999_999);
/** Epoch milliseconds (the PUT /scanners/{id} answer): 13 digits. */
const epochMs = int.min(1_000_000_000_000).max(9_999_999_999_999);
const flag01 = z.union([z.literal(0), z.literal(1)]);
const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
/** Tenable's own cloud scanners carry longer, odd uuids (`00000000-…-00000000000000000000000000001`). */
const longUuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12,29}$/);
/** A `remote_uuid` is a uuid with 16 more hex digits glued on. */
const remoteUuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{28}$/);
/** `loaded_plugin_set` is a 12-digit stamp (`202211090744`), absent until plugins have loaded. */
const pluginSet = z.string().regex(/^\d{12}$/);
const owner = {
  owner: z.string(),
  owner_id: int,
  owner_name: z.string(),
  owner_uuid: uuid,
};

/** A linked Nessus scanner in `GET /scanners` — test_scanner_edit.yaml (2022, the newest recording of one). */
export const managedScannerShape = z.strictObject({
  creation_date: epochSec,
  distro: z.string(),
  engine_version: z.string(),
  force_plugin_update: flag01,
  group: z.literal(false),
  hostname: z.string(),
  id: int,
  ip_addresses: z.array(z.string()),
  key: hex64,
  last_connect: epochSec.nullable(),
  last_modification_date: epochSec,
  linked: flag01,
  loaded_plugin_set: pluginSet.optional(),
  name: z.string(),
  network_name: z.string(),
  num_scans: int,
  ...owner,
  platform: z.string(),
  pool: z.literal(false),
  scan_count: int,
  shared: flag01,
  source: z.literal('service'),
  status: z.enum(['on', 'off']),
  timestamp: epochSec,
  type: z.literal('managed'),
  ui_build: z.string().regex(/^\d+$/),
  ui_version: z.string(),
  user_permissions: int,
  uuid,
  remote_uuid: remoteUuid,
  supports_remote_logs: z.boolean(),
  supports_webapp: z.boolean(),
  supports_remote_settings: z.boolean(),
});

const licenseShape = z.strictObject({
  type: z.string().optional(), // present in the 2022 recording, absent in 2021
  agents: int,
  ips: int,
  scanners: int,
  users: int,
  enterprise_pause: z.boolean(),
  expiration_date: epochSec,
  evaluation: z.boolean(),
  apps: z.record(z.string(), z.looseObject({ mode: z.string(), expiration_date: epochSec })),
  scanners_used: int,
  agents_used: int,
});

/** Tenable's cloud scanners (`type: local`) — test_scanner_linking_key.yaml (2021) and test_scanner_edit.yaml (2022). */
export const cloudScannerShape = z.strictObject({
  creation_date: epochSec,
  group: z.literal(true),
  id: int,
  key: hex64,
  last_connect: z.null(),
  last_modification_date: epochSec,
  license: licenseShape,
  linked: flag01,
  name: z.string(),
  network_name: z.string(),
  num_scans: int,
  ...owner,
  pool: z.literal(true),
  scan_count: int,
  shared: flag01,
  source: z.literal('service'),
  status: z.enum(['on', 'off']),
  timestamp: epochSec,
  type: z.literal('local'),
  user_permissions: int,
  uuid: longUuid,
  supports_remote_logs: z.boolean(),
  supports_webapp: z.boolean(),
  supports_remote_settings: z.boolean().optional(), // 2022 only
});

/** A scanner group's own entry in `GET /scanners` (`type: pool`) — test_list_scanners.yaml (2018, the only recording of one). */
export const poolScannerShape = z.strictObject({
  creation_date: epochSec,
  group: z.literal(true),
  id: int,
  key: hex64,
  last_connect: z.null(),
  last_modification_date: epochSec,
  linked: flag01,
  name: z.string(),
  num_scans: int,
  ...owner,
  pool: z.literal(true),
  scan_count: int,
  shared: flag01,
  source: z.literal('service'),
  status: z.enum(['on', 'off']),
  timestamp: epochSec,
  type: z.literal('pool'),
  user_permissions: int,
  uuid,
});

/** `GET /scanners` — test_list_scanners.yaml, test_scanner_linking_key.yaml, test_scanner_edit.yaml. */
export const scannerListShape = z.strictObject({
  scanners: z.array(z.discriminatedUnion('type', [managedScannerShape, cloudScannerShape, poolScannerShape])),
});

/** `GET /scanners/{id}`: the same record as in the list — test_scanner_details.yaml. */
export const scannerDetailsShape = managedScannerShape;

/** `GET /scanners/{id}/key` — test_scanner_key.yaml. */
export const linkingKeyShape = z.strictObject({ key: hex64 });

/** `GET /scanner-groups/{id}/scanners`: members without `shared`/`user_permissions` — test_list_scanners_in_scanner_group.yaml. */
export const groupMembersShape = z.strictObject({
  scanners: z.array(managedScannerShape.omit({ shared: true, user_permissions: true })),
});

/** A `scanner_pools` entry — test_list_scanner_groups.yaml, test_scannergroup_details.yaml. */
export const scannerGroupShape = z.strictObject({
  creation_date: epochSec,
  last_modification_date: epochSec,
  owner_id: int,
  owner: z.string(),
  owner_uuid: uuid,
  default_permissions: int,
  user_permissions: int,
  shared: flag01,
  scan_count: int,
  scanner_count: int,
  uuid,
  type: z.literal('load_balancing'),
  name: z.string(),
  id: int,
  scanner_id: int,
  scanner_uuid: uuid,
  owner_name: z.string(),
});

/** `GET /scanner-groups` — test_list_scanner_groups.yaml. */
export const scannerGroupListShape = z.strictObject({ scanner_pools: z.array(scannerGroupShape) });

/** `POST /scanner-groups` answers less than the list — test_create_scanner_group.yaml. */
export const scannerGroupCreatedShape = scannerGroupShape.omit({
  user_permissions: true,
  shared: true,
  scanner_count: true,
  scanner_id: true,
  scanner_uuid: true,
});

/** `PUT /scanners/{id}` answers a richer record, times in milliseconds — test_scanner_edit.yaml. */
export const scannerEditAnswerShape = z.strictObject({
  owner_uuid: uuid,
  created: epochMs,
  modified: epochMs,
  container_uuid: uuid,
  uuid,
  id: int,
  name: z.string(),
  type: z.literal('managed'),
  distributed: z.boolean(),
  network_name: z.string(),
  default_permissions: int,
  shared: flag01,
  user_permissions: int,
  supports_webapp: z.boolean(),
  remote_uuid: remoteUuid,
  key: hex64,
  system: z.boolean(),
  linked: flag01,
  last_connect: epochMs.nullable(),
  max_tasks: int,
  max_targets: int,
  task_max_targets: int,
  platform: z.string(),
  distro: z.string(),
  ui_version: z.string(),
  ui_build: z.string().regex(/^\d+$/),
  engine_version: z.string(),
  loaded_plugin_set: pluginSet.optional(),
  force_plugin_update: flag01,
  settings: z.record(z.string(), z.unknown()),
  ip_addresses: z.array(z.string()),
  hostname: z.string(),
  remote_settings: z.array(z.looseObject({ name: z.string(), setting: z.string(), type: z.string(), value: z.string() })),
  settings_pending: z.boolean(),
  restart_pending: z.boolean(),
  status: z.enum(['on', 'off']),
  group: z.literal(false),
  pvs: z.boolean(),
  given_nessus_updates: z.boolean(),
  industrial_security: z.boolean(),
  lce: z.boolean(),
  aws: z.boolean(),
  system_scanner_scanner: z.boolean(),
  pool: z.literal(false),
  cloud_group: z.boolean(),
  webapp: z.boolean(),
  system_group_scanner: z.boolean(),
  can_factory_reset: z.boolean(),
  system_webapp_scanner: z.boolean(),
  supports_remote_logs: z.boolean(),
  supports_remote_settings: z.boolean(),
  active_directory: z.boolean(),
  scanner_scanner: z.boolean(),
  created_in_seconds: epochSec,
  modified_in_seconds: epochSec,
  network_id: uuid,
});

/** Errors: `DELETE /scanners/1` (test_scanner_delete_notfound.yaml), 403 (test_list_scanners_permissionerror.yaml). */
export const errorShape = z.strictObject({ statusCode: int, error: z.string(), message: z.string() });

/**
 * Checks `body` against `shape` and returns the problems as `path: message` lines (empty when it
 * conforms), so a failing test names every field that drifted.
 */
export function contractProblems(shape: z.ZodType, body: unknown): string[] {
  const r = shape.safeParse(body);
  if (r.success) return [];
  return r.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`);
}
