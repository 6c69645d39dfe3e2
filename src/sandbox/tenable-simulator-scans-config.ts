import { AWS_AUDITS } from './tenable-simulator-scans-audits.js';
import { CLOUD_AUDIT, TEMPLATES, type SimTemplate } from './tenable-simulator-scans-catalog.js';
import type { SimScanCredential } from './tenable-simulator-scans-store.js';
import { record } from './tenable-simulator-http.js';
import { DEFAULT_SCANNER_UUID, type SimState, type WireRecord } from './tenable-simulator-state.js';

/**
 * Reading what a client sends when it creates or edits a scan: the template, the scanner (a scanner
 * or scanner group, by uuid or id), managed credentials by `id` under `credentials.add|edit`, and the
 * compliance audits. Errors are the scans API's legacy `{"error": "Invalid '<field>' field…"}` shape
 * (recorded in pyTenable's `test_scan_attachement_notfounderror.yaml` and friends).
 */

export class ScanInputError extends Error {}

export const templateByUuid = (uuid: unknown) => TEMPLATES.find((t) => t.uuid === uuid);

export interface ResolvedScanner {
  name: string;
  uuid: string;
  /** Null for the container's default cloud scanner, as `POST /scans` answers when none was chosen. */
  id: number | null;
  /** Why a launch on it would never start, if so. */
  unavailable?: string;
}

const isOnline = (s: WireRecord) => s.status === 'on' && s.linked === 1;

/** A scanner or scanner group by uuid or numeric id; the default cloud scanner when none is named. */
export function resolveScanner(state: SimState, ref: unknown): ResolvedScanner | undefined {
  const key = ref === undefined || ref === null || ref === '' ? DEFAULT_SCANNER_UUID : String(ref);
  const group = state.groups.find((g) => g.uuid === key || String(g.id) === key || String(g.scanner_id) === key);
  if (group) {
    const members = state.groupMembers.get(Number(group.id)) ?? new Set<number>();
    const online = state.scanners.some((s) => members.has(Number(s.id)) && isOnline(s));
    return {
      name: String(group.name),
      uuid: String(group.uuid),
      id: Number(group.scanner_id),
      ...(online
        ? {}
        : {
            unavailable: `No scanner of the scanner group "${String(group.name)}" is online: unable to find a matching scanner route.`,
          }),
    };
  }
  const s = state.scanners.find((x) => x.uuid === key || String(x.id) === key);
  if (!s) return undefined;
  const managedOffline = s.type === 'managed' && !isOnline(s);
  return {
    name: String(s.name),
    uuid: String(s.uuid),
    id: s.uuid === DEFAULT_SCANNER_UUID ? null : Number(s.id),
    ...(managedOffline
      ? { unavailable: `Scanner "${String(s.name)}" is offline: unable to find a matching scanner route.` }
      : {}),
  };
}

/** `credentials.add` is `{category: {type: [entry…]}}`; `edit` the same, or keyed by credential id. */
function credentialEntries(state: SimState, doc: unknown): SimScanCredential[] {
  const out: SimScanCredential[] = [];
  for (const [key, value] of Object.entries(record(doc))) {
    if (state.credentials.has(key)) {
      out.push({ category: '', type: '', id: key });
      continue;
    }
    for (const [type, entries] of Object.entries(record(value))) {
      for (const e of Array.isArray(entries) ? entries.map(record) : []) {
        if (typeof e.id === 'string' && e.id !== '') out.push({ category: key, type, id: e.id });
        else out.push({ category: key, type, settings: e });
      }
    }
  }
  return out;
}

/** The scan's credentials after applying `add`, `edit` and `delete` (managed ones must exist). */
export function applyCredentials(state: SimState, current: SimScanCredential[], doc: unknown): SimScanCredential[] {
  const c = record(doc);
  let list = [...current];
  const deleted = Array.isArray(c.delete) ? c.delete.map(String) : [];
  list = list.filter((x) => x.id === undefined || !deleted.includes(x.id));
  for (const e of [...credentialEntries(state, c.add), ...credentialEntries(state, c.edit)]) {
    if (e.id !== undefined) {
      const managed = state.credentials.get(e.id);
      if (!managed) throw new ScanInputError(`Invalid 'credentials' field: no credential with id ${e.id}`);
      const type = e.type || managed.type;
      if (list.some((x) => x.id === e.id)) continue;
      list.push({ category: e.category || 'Cloud Services', type, id: e.id });
    } else {
      list.push(e);
    }
  }
  // The template allows one Amazon AWS credential per scan ("max": 1).
  if (list.filter((x) => x.type === 'Amazon AWS').length > 1) {
    throw new ScanInputError("Invalid 'credentials' field: at most 1 Amazon AWS credential is allowed");
  }
  return list;
}

/** Audit file ids under `audits` (`feed.add` as a list or by category, as the UI and pyTenable send it). */
export function auditIds(doc: unknown): string[] {
  const ids: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') {
      const r = v as WireRecord;
      if (typeof r.id === 'string') ids.push(r.id);
      else Object.values(r).forEach(walk);
    }
  };
  walk(doc);
  for (const id of ids) {
    if (!AWS_AUDITS.some((a) => a.id === id))
      throw new ScanInputError(`Invalid 'audits' field: unknown audit file ${id}`);
  }
  return [...new Set(ids)];
}

/** A cloud audit needs an Amazon AWS credential that (still) exists, managed or embedded. */
export function awsCredentialProblem(state: SimState, creds: SimScanCredential[]): string | undefined {
  const aws = creds.filter((c) => c.type === 'Amazon AWS');
  const usable = aws.some((c) =>
    c.id !== undefined
      ? state.credentials.get(c.id)?.type === 'Amazon AWS'
      : Boolean(c.settings?.access_key_id && c.settings.secret_key),
  );
  return usable
    ? undefined
    : 'No Amazon AWS credentials were supplied: the Audit Cloud Infrastructure scan cannot authenticate to AWS.';
}

const scannerOption = (s: WireRecord) => ({
  id: s.uuid,
  name: s.name,
  type: s.type,
  environment_name: 'Default',
  linked: s.linked === 1,
  status: s.status,
});

/** `GET /editor/scan/templates/{uuid}`, trimmed to the parts a scan client reads. */
export function templateDetails(state: SimState, t: SimTemplate, folders: { id: number; name: string }[]): WireRecord {
  const isCloud = t.name === CLOUD_AUDIT;
  const scanners = state.scanners.filter((s) => ['local', 'managed', 'pool'].includes(String(s.type)));
  const basicInputs: WireRecord[] = [
    { type: 'entry', name: 'Name', id: 'name', required: true },
    { type: 'textarea', name: 'Description', id: 'description' },
    { type: 'select', id: 'folder_id', name: 'Folder', options: folders.map((f) => ({ name: f.name, id: f.id })) },
    // Cloud audits run on Tenable's own cloud scanners ("Tenable Cloud Sensor") first in the list.
    {
      type: 'select',
      id: 'scanner_id',
      name: 'Scanner',
      default: null,
      options: (isCloud
        ? [...scanners.filter((s) => s.type === 'local'), ...scanners.filter((s) => s.type !== 'local')]
        : scanners
      ).map(scannerOption),
    },
    ...(isCloud
      ? []
      : [
          {
            type: 'textarea',
            id: 'text_targets',
            name: 'Targets',
            placeholder: 'Example: 192.168.1.1-192.168.1.5, 192.168.2.0/24, test.com',
            required: true,
          },
        ]),
  ];
  const awsCredential = {
    inputs: [
      { id: 'access_key_id', name: 'AWS Access Key ID', type: 'password', required: true },
      { id: 'secret_key', name: 'AWS Secret Key', type: 'password', required: true },
    ],
    max: 1,
    name: 'Amazon AWS',
    expand_settings: true,
    instances: [],
    settings: null,
  };
  const audits = [
    {
      inputs: [{ id: 'file', name: 'Audit file', type: 'file', default: null, required: true }],
      type: 'custom',
      name: '(Upload a custom Amazon AWS audit file)',
      free: 1,
      unlimited: true,
    },
    ...AWS_AUDITS.map((a) => ({ id: a.id, inputs: [], type: 'feed', name: a.name, free: 1 })),
  ];
  return {
    credentials: { data: [{ types: [awsCredential], name: 'Cloud Services', default_expand: 0 }] },
    compliance: {
      data:
        isCloud || t.name === 'compliance' || t.name === 'advanced'
          ? [{ name: 'Amazon AWS', required_creds: ['Amazon AWS'], audits }]
          : [],
    },
    is_was: t.is_was,
    user_permissions: null,
    is_agent: t.is_agent,
    owner: null,
    title: t.title,
    uuid: t.uuid,
    plugins: { families: {} },
    filter_attributes: [],
    settings: {
      basic: { inputs: basicInputs, title: 'Basic', groups: [], sections: [] },
      advanced: {
        inputs: null,
        title: 'Advanced',
        groups: [],
        sections: [
          {
            inputs: [
              {
                type: 'checkbox',
                id: 'enable_plugin_debugging',
                label: 'Enable plugin debugging',
                default: 'no',
                hint: 'Attaches available debug logs from plugins to the vulnerability output of this scan.',
              },
            ],
            title: 'Debug Settings',
            name: 'advanced_debug',
          },
        ],
      },
    },
    name: t.name,
  };
}
