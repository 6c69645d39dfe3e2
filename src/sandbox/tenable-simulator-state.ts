import { randomBytes, randomUUID } from 'node:crypto';

/**
 * The data behind the Tenable simulator. Records are kept in the wire shape of real TVM answers
 * (pyTenable's recorded cassettes), so handlers return them as they are.
 */

/** The container's default cloud scanner; `GET /scanners/{this}/key` is the linking key. */
export const DEFAULT_SCANNER_UUID = '00000000-0000-0000-0000-00000000000000000000000000001';

export type SimPermission =
  | 'linking-key'
  | 'scanners:read'
  | 'scanners:write'
  | 'scanner-groups'
  | 'credentials'
  | 'exports'
  /** Scan templates, folders, scans and their exports (tenable-simulator-scans.ts). */
  | 'scans';

export interface SimConfig {
  /** `/_sim/link` answers 403 (e.g. a container that refuses new scanners). */
  refuseLinking: boolean;
  /** How long after linking `loaded_plugin_set` appears. */
  pluginLoadDelayMs: number;
  /** Scanners link but never finish loading plugins. */
  neverLoadPlugins: boolean;
  /** Permissions the API keys lack: those calls answer 403 "Insufficient scope". */
  permissions: { deny: SimPermission[] };
}

export type WireRecord = Record<string, unknown>;

export interface SimCredential {
  uuid: string;
  name: string;
  description: string;
  type: string;
  settings: Record<string, unknown>;
  createdSec: number;
}

export interface SimExport {
  uuid: string;
  kind: 'vulns' | 'assets';
  chunks: unknown[][];
}

/** What `nessuscli managed link` sent (minus the key), so boot tests can assert the flags. */
export interface SimLinkCall {
  name?: string;
  host?: string;
  port?: number;
  cloud?: boolean;
  awsScanner?: boolean;
  argv?: string[];
  outcome: 'linked' | 'already-linked' | 'bad-key' | 'refused';
  scannerId?: number;
}

export interface SimState {
  linkingKey: string;
  config: SimConfig;
  scanners: WireRecord[];
  groups: WireRecord[];
  /** group id → scanner ids */
  groupMembers: Map<number, Set<number>>;
  credentials: Map<string, SimCredential>;
  exports: Map<string, SimExport>;
  vulnFindings: unknown[];
  assets: unknown[];
  linkCalls: SimLinkCall[];
  nextId: number;
}

export const OWNER = {
  owner: 'system',
  owner_id: 2258429,
  owner_name: 'system',
  owner_uuid: '3b647fab-98d0-4b65-ab04-2149c18553c4',
} as const;

export const nowSec = () => Math.floor(Date.now() / 1000);
export const hexKey = () => randomBytes(32).toString('hex');
/** Real `remote_uuid`s are a uuid with 16 more hex digits glued on (test_scanner_edit.yaml). */
const remoteUuid = () => `${randomUUID()}${randomBytes(8).toString('hex')}`;
/** A uuid-shaped id the container answers with (`container_uuid`), fixed per simulator. */
const CONTAINER_UUID = '58962e48-d891-40bb-0000-8b984452328d';

export function createState(linkingKey: string, config: SimConfig): SimState {
  const state: SimState = {
    linkingKey,
    config,
    scanners: [],
    groups: [],
    groupMembers: new Map(),
    credentials: new Map(),
    exports: new Map(),
    vulnFindings: [],
    assets: [],
    linkCalls: [],
    nextId: 412_900,
  };
  state.scanners.push(cloudScannerRecord(state, 'US Cloud Scanner', DEFAULT_SCANNER_UUID, linkingKey));
  state.scanners.push(cloudScannerRecord(state, 'EU Frankfurt Cloud Scanners', randomUUID(), hexKey()));
  return state;
}

/** Tenable's own cloud scanner pools, as every container lists them (type `local`, a pool, never connects). */
function cloudScannerRecord(state: SimState, name: string, uuid: string, key: string): WireRecord {
  const created = nowSec() - 86_400 * 400;
  return {
    creation_date: created,
    group: true,
    id: state.nextId++,
    key,
    last_connect: null,
    last_modification_date: created,
    // As test_scanner_linking_key.yaml / test_scanner_edit.yaml record it.
    license: {
      type: 'vm',
      agents: -1,
      ips: -1,
      scanners: -1,
      users: -1,
      enterprise_pause: false,
      expiration_date: created + 86_400 * 3650,
      evaluation: false,
      apps: { lumin: { mode: 'standard', expiration_date: created + 86_400 * 3650 } },
      scanners_used: 1,
      agents_used: 0,
    },
    linked: 1,
    name,
    network_name: 'Default',
    num_scans: 0,
    ...OWNER,
    pool: true,
    scan_count: 0,
    shared: 1,
    source: 'service',
    status: 'on',
    timestamp: created,
    type: 'local',
    user_permissions: 64,
    uuid,
    supports_remote_logs: false,
    supports_webapp: true,
  };
}

/** A linked Nessus scanner as `GET /scanners` lists it; `overrides` can plant any field (e.g. stale `off`). */
export function managedScannerRecord(state: SimState, overrides: WireRecord = {}): WireRecord {
  const now = nowSec();
  const hostname = typeof overrides.hostname === 'string' ? overrides.hostname : 'ip-10-0-1-23.ec2.internal';
  return {
    creation_date: now,
    distro: 'es8-x86-64',
    engine_version: '10.8.3',
    force_plugin_update: 0,
    group: false,
    hostname,
    id: state.nextId++,
    ip_addresses: ['10.0.1.23'],
    key: hexKey(),
    last_connect: now,
    last_modification_date: now,
    linked: 1,
    name: hostname,
    network_name: 'Default',
    num_scans: 0,
    ...OWNER,
    platform: 'LINUX',
    pool: false,
    scan_count: 0,
    shared: 1,
    source: 'service',
    status: 'on',
    timestamp: now,
    type: 'managed',
    ui_build: '20',
    ui_version: '10.8.3',
    user_permissions: 128,
    uuid: randomUUID(),
    remote_uuid: remoteUuid(),
    supports_remote_logs: true,
    supports_webapp: false,
    supports_remote_settings: true,
    ...overrides,
  };
}

/** A scanner group, plus the `pool` entry that real TVM also lists under `GET /scanners` (test_list_scanners.yaml). */
export function scannerGroupRecords(state: SimState, name: string): { group: WireRecord; pool: WireRecord } {
  const now = nowSec();
  const uuid = randomUUID();
  const poolId = state.nextId++;
  const pool: WireRecord = {
    creation_date: now,
    group: true,
    id: poolId,
    key: hexKey(),
    last_connect: null,
    last_modification_date: now,
    linked: 1,
    name,
    num_scans: 0,
    ...OWNER,
    pool: true,
    scan_count: 0,
    shared: 1,
    source: 'service',
    status: 'on',
    timestamp: now,
    type: 'pool',
    user_permissions: 128,
    uuid,
  };
  const group: WireRecord = {
    creation_date: now,
    last_modification_date: now,
    ...OWNER,
    default_permissions: 16,
    user_permissions: 128,
    shared: 1,
    scan_count: 0,
    scanner_count: 0,
    uuid,
    type: 'load_balancing',
    name,
    id: state.nextId++,
    scanner_id: poolId,
    scanner_uuid: uuid,
  };
  return { group, pool };
}

/**
 * `PUT /scanners/{id}` answers a different, richer shape, with `created`, `modified` and
 * `last_connect` in milliseconds (test_scanner_edit.yaml): the same fields, in the same order.
 */
export function scannerEditAnswer(r: WireRecord): WireRecord {
  const ms = (v: unknown) => (typeof v === 'number' ? v * 1000 : v);
  return {
    owner_uuid: OWNER.owner_uuid,
    created: ms(r.creation_date),
    modified: ms(r.last_modification_date),
    container_uuid: CONTAINER_UUID,
    uuid: r.uuid,
    id: r.id,
    name: r.name,
    type: r.type,
    distributed: true,
    network_name: r.network_name,
    default_permissions: 16,
    shared: 1,
    user_permissions: 128,
    supports_webapp: r.supports_webapp,
    remote_uuid: r.remote_uuid,
    key: r.key,
    system: false,
    linked: r.linked,
    last_connect: ms(r.last_connect),
    max_tasks: 50,
    max_targets: 1499,
    task_max_targets: 100,
    platform: r.platform,
    distro: r.distro,
    ui_version: r.ui_version,
    ui_build: r.ui_build,
    engine_version: r.engine_version,
    ...(r.loaded_plugin_set === undefined ? {} : { loaded_plugin_set: r.loaded_plugin_set }),
    force_plugin_update: r.force_plugin_update,
    settings: {},
    ip_addresses: r.ip_addresses,
    hostname: r.hostname,
    remote_settings: [
      { name: 'Automatic Updates', setting: 'auto_update', type: 'select', value: 'yes', default: 'yes' },
    ],
    settings_pending: false,
    restart_pending: false,
    status: r.status,
    group: false,
    pvs: false,
    given_nessus_updates: true,
    industrial_security: false,
    lce: false,
    aws: false,
    system_scanner_scanner: false,
    pool: false,
    cloud_group: false,
    webapp: false,
    system_group_scanner: false,
    can_factory_reset: false,
    system_webapp_scanner: false,
    supports_remote_logs: r.supports_remote_logs,
    supports_remote_settings: r.supports_remote_settings,
    active_directory: false,
    scanner_scanner: true,
    created_in_seconds: r.creation_date,
    modified_in_seconds: r.last_modification_date,
    network_id: '00000000-0000-0000-0000-000000000000',
  };
}
