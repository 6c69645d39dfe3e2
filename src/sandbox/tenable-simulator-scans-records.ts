import { randomBytes, randomUUID } from 'node:crypto';
import { resolveScanner } from './tenable-simulator-scans-config.js';
import { latestRun, runStatus, type ScanStore, type SimScan } from './tenable-simulator-scans-store.js';
import { OWNER, type SimState, type WireRecord } from './tenable-simulator-state.js';

/**
 * A scan as `POST /scans` (wrapped in `scan`) and `PUT /scans/{id}` (unwrapped) answer it, and as
 * `GET /scans` lists it — field for field as pyTenable's `test_scan_create_scan_success.yaml`,
 * `test_scan_configure.yaml` and `test_scan_export_bytesio.yaml` (github:tenable/pyTenable @
 * 9674fac2af92) record them.
 */

/** Real schedule uuids (`template-…`) are a uuid with 12 more hex digits glued on. */
export const longUuid = () => `${randomUUID()}${randomBytes(6).toString('hex')}`;

export function scanRecord(state: SimState, store: ScanStore, scan: SimScan): WireRecord {
  const scanner = resolveScanner(state, scan.settings.scanner_id);
  return {
    tag_type: null,
    container_id: store.containerId,
    owner_uuid: OWNER.owner_uuid,
    uuid: scan.scheduleUuid,
    name: scan.settings.name,
    description: typeof scan.settings.description === 'string' ? scan.settings.description : null,
    policy_id: scan.policyId,
    scanner_id: scanner?.id ?? null,
    scanner_uuid: scanner?.uuid ?? null,
    emails: null,
    sms: '',
    enabled: true,
    include_aggregate: true,
    scan_time_window: null,
    custom_targets: scan.settings.text_targets ?? null,
    target_network_uuid: null,
    auto_routed: 0,
    remediation: 0,
    starttime: null,
    rrules: null,
    timezone: null,
    notification_filters: null,
    shared: 0,
    user_permissions: 128,
    default_permissions: 0,
    owner: 'api@example.com',
    owner_id: OWNER.owner_id,
    last_modification_date: scan.modifiedSec,
    creation_date: scan.createdSec,
    type: 'public',
    id: scan.id,
  };
}

export function listEntry(scan: SimScan, now: number): WireRecord {
  const last = latestRun(scan);
  return {
    template_uuid: scan.templateUuid,
    permissions: 128,
    legacy: false,
    type: last ? 'ps' : null,
    read: scan.read,
    last_modification_date: scan.modifiedSec,
    creation_date: scan.createdSec,
    status: last ? runStatus(last, now) : 'empty',
    uuid: last?.uuid ?? null,
    shared: false,
    user_permissions: 128,
    owner: 'api@example.com',
    schedule_uuid: scan.scheduleUuid,
    timezone: null,
    rrules: null,
    starttime: null,
    enabled: true,
    control: true,
    wizard_uuid: scan.templateUuid,
    policy_id: scan.policyId,
    name: scan.settings.name,
    id: scan.id,
  };
}
