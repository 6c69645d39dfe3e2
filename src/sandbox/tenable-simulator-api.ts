import { randomUUID } from 'node:crypto';
import {
  DEFAULT_SCANNER_UUID,
  nowSec,
  scannerEditAnswer,
  scannerGroupRecords,
  type SimPermission,
  type SimState,
  type WireRecord,
} from './tenable-simulator-state.js';

/** The TVM endpoints the tool uses, answering in the shapes recorded from the real service. */

export interface SimRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

/** `body` undefined means a 200 with an empty body, as TVM sends for link toggles and group membership. */
export interface SimAnswer {
  status: number;
  body?: unknown;
}

interface Route {
  method: string;
  pattern: RegExp;
  permission: SimPermission;
  handle: (state: SimState, req: SimRequest, params: string[]) => SimAnswer;
}

export const errorAnswer = (statusCode: number, error: string, message: string): SimAnswer => ({
  status: statusCode,
  body: { statusCode, error, message },
});
const notFound = (message: string) => errorAnswer(404, 'Not Found', message);
const ok = (body?: unknown): SimAnswer => ({ status: 200, body });

function findScanner(state: SimState, idOrUuid: string): WireRecord | undefined {
  return state.scanners.find((s) => String(s.id) === idOrUuid || s.uuid === idOrUuid);
}

function findGroup(state: SimState, id: string): WireRecord | undefined {
  return state.groups.find((g) => String(g.id) === id);
}

const record = (v: unknown): WireRecord => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as WireRecord) : {});

const MASK = '********';
const SECRET_SETTING = /pass|secret|token|private|key$/i;
const PUBLIC_SETTING = /(_id|username|^key_file)$/i;
const isSecretSetting = (name: string) => SECRET_SETTING.test(name) && !PUBLIC_SETTING.test(name);

const CREDENTIAL_CATEGORY: Record<string, string> = { 'Amazon AWS': 'Cloud Services', SSH: 'Host', Windows: 'Host' };

const routes: Route[] = [
  {
    method: 'GET',
    pattern: /^\/scanners$/,
    permission: 'scanners:read',
    handle: (state) => ok({ scanners: state.scanners }),
  },
  {
    method: 'GET',
    pattern: /^\/scanners\/([^/]+)\/key$/,
    permission: 'linking-key',
    handle: (state, _req, [id = '']) => {
      const s = findScanner(state, id);
      if (!s) return notFound(`Scanner with id ${id} not found.`);
      return ok({ key: s.uuid === DEFAULT_SCANNER_UUID ? state.linkingKey : s.key });
    },
  },
  {
    method: 'GET',
    pattern: /^\/scanners\/([^/]+)$/,
    permission: 'scanners:read',
    handle: (state, _req, [id = '']) => {
      const s = findScanner(state, id);
      return s ? ok(s) : notFound(`Scanner with id ${id} not found.`);
    },
  },
  {
    method: 'DELETE',
    pattern: /^\/scanners\/([^/]+)$/,
    permission: 'scanners:write',
    handle: (state, _req, [id = '']) => {
      const s = findScanner(state, id);
      if (!s || s.type !== 'managed') return notFound(`Scanner with id ${id} not found.`);
      state.scanners.splice(state.scanners.indexOf(s), 1);
      for (const members of state.groupMembers.values()) members.delete(Number(s.id));
      return ok({});
    },
  },
  {
    method: 'PUT',
    pattern: /^\/scanners\/([^/]+)\/link$/,
    permission: 'scanners:write',
    handle: (state, req, [id = '']) => {
      const s = findScanner(state, id);
      if (!s) return notFound(`Scanner with id ${id} not found.`);
      const link = Number(record(req.body).link) === 1 ? 1 : 0;
      Object.assign(s, { linked: link, status: link ? 'on' : 'off', last_modification_date: nowSec() });
      return ok();
    },
  },
  {
    method: 'PUT',
    pattern: /^\/scanners\/([^/]+)$/,
    permission: 'scanners:write',
    handle: (state, req, [id = '']) => {
      const s = findScanner(state, id);
      if (!s) return notFound(`Scanner with id ${id} not found.`);
      const b = record(req.body);
      if (typeof b.name === 'string') s.name = b.name;
      if (b.force_plugin_update !== undefined) s.force_plugin_update = Number(b.force_plugin_update) ? 1 : 0;
      s.last_modification_date = nowSec();
      return ok(scannerEditAnswer(s));
    },
  },
  {
    method: 'GET',
    pattern: /^\/scanner-groups$/,
    permission: 'scanner-groups',
    handle: (state) =>
      ok({
        scanner_pools: state.groups.map((g) => ({ ...g, scanner_count: state.groupMembers.get(Number(g.id))?.size ?? 0 })),
      }),
  },
  {
    method: 'POST',
    pattern: /^\/scanner-groups$/,
    permission: 'scanner-groups',
    handle: (state, req) => {
      const b = record(req.body);
      if (typeof b.name !== 'string' || b.name === '') return errorAnswer(400, 'Bad Request', 'Invalid name');
      const { group, pool } = scannerGroupRecords(state, b.name);
      state.groups.push(group);
      state.scanners.push(pool);
      state.groupMembers.set(Number(group.id), new Set());
      const { scanner_count: _count, scanner_id: _sid, scanner_uuid: _su, shared: _sh, user_permissions: _up, ...created } = group;
      return ok(created);
    },
  },
  {
    method: 'DELETE',
    pattern: /^\/scanner-groups\/([^/]+)$/,
    permission: 'scanner-groups',
    handle: (state, _req, [gid = '']) => {
      const g = findGroup(state, gid);
      if (!g) return notFound(`ScannerGroup with id ${gid} not found.`);
      state.groups.splice(state.groups.indexOf(g), 1);
      state.scanners = state.scanners.filter((s) => s.id !== g.scanner_id);
      state.groupMembers.delete(Number(g.id));
      return ok();
    },
  },
  {
    method: 'GET',
    pattern: /^\/scanner-groups\/([^/]+)\/scanners$/,
    permission: 'scanner-groups',
    handle: (state, _req, [gid = '']) => {
      const g = findGroup(state, gid);
      if (!g) return notFound(`ScannerGroup with id ${gid} not found.`);
      const members = state.groupMembers.get(Number(g.id)) ?? new Set();
      return ok({ scanners: state.scanners.filter((s) => members.has(Number(s.id))) });
    },
  },
  {
    method: 'POST',
    pattern: /^\/scanner-groups\/([^/]+)\/scanners\/([^/]+)$/,
    permission: 'scanner-groups',
    handle: (state, _req, [gid = '', sid = '']) => {
      const g = findGroup(state, gid);
      if (!g) return notFound(`ScannerGroup with id ${gid} not found.`);
      const s = findScanner(state, sid);
      if (!s) return notFound(`Scanner with id ${sid} not found.`);
      state.groupMembers.get(Number(g.id))?.add(Number(s.id));
      return ok();
    },
  },
  {
    method: 'DELETE',
    pattern: /^\/scanner-groups\/([^/]+)\/scanners\/([^/]+)$/,
    permission: 'scanner-groups',
    handle: (state, _req, [gid = '', sid = '']) => {
      const g = findGroup(state, gid);
      if (!g) return notFound(`ScannerGroup with id ${gid} not found.`);
      const members = state.groupMembers.get(Number(g.id));
      if (!members?.delete(Number(sid))) return notFound(`Scanner with id ${sid} not found.`);
      return ok();
    },
  },
  {
    method: 'GET',
    pattern: /^\/credentials$/,
    permission: 'credentials',
    handle: (state, req) => {
      const all = [...state.credentials.values()];
      const limit = Number(req.query.get('limit') ?? 50) || 50;
      const offset = Number(req.query.get('offset') ?? 0) || 0;
      const credentials = all.slice(offset, offset + limit).map((c) => ({
        uuid: c.uuid,
        name: c.name,
        description: c.description,
        category: { id: CREDENTIAL_CATEGORY[c.type] ?? 'Host', name: CREDENTIAL_CATEGORY[c.type] ?? 'Host' },
        type: { id: c.type, name: c.type },
        created_date: c.createdSec,
        created_by: { id: 3, display_name: 'api@example.com' },
        last_used_by: { id: 3, display_name: 'api@example.com' },
        permission: 64,
        user_permissions: 64,
      }));
      return ok({ credentials, pagination: { total: all.length, limit, offset, sort: [{ name: 'created_date', order: 'desc' }] } });
    },
  },
  {
    method: 'POST',
    pattern: /^\/credentials$/,
    permission: 'credentials',
    handle: (state, req) => {
      const b = record(req.body);
      if (typeof b.name !== 'string' || typeof b.type !== 'string') {
        return errorAnswer(400, 'Bad Request', 'Credential name and type are required');
      }
      const uuid = randomUUID();
      state.credentials.set(uuid, {
        uuid,
        name: b.name,
        description: typeof b.description === 'string' ? b.description : '',
        type: b.type,
        settings: { ...record(b.settings) },
        createdSec: nowSec(),
      });
      return ok({ uuid });
    },
  },
  {
    method: 'GET',
    pattern: /^\/credentials\/([^/]+)$/,
    permission: 'credentials',
    handle: (state, _req, [uuid = '']) => {
      const c = state.credentials.get(uuid);
      if (!c) return notFound(`Credential with uuid ${uuid} not found.`);
      const settings = Object.fromEntries(
        Object.entries(c.settings).map(([k, v]) => [k, isSecretSetting(k) && v !== '' ? MASK : v]),
      );
      return ok({
        name: c.name,
        description: c.description,
        category: { id: CREDENTIAL_CATEGORY[c.type] ?? 'Host', name: CREDENTIAL_CATEGORY[c.type] ?? 'Host' },
        type: { id: c.type, name: c.type },
        ad_hoc: false,
        user_permissions: 64,
        settings,
        permissions: [{ grantee_uuid: randomUUID(), type: 'user', permissions: 64, name: 'api@example.com' }],
      });
    },
  },
  {
    method: 'PUT',
    pattern: /^\/credentials\/([^/]+)$/,
    permission: 'credentials',
    handle: (state, req, [uuid = '']) => {
      const c = state.credentials.get(uuid);
      if (!c) return notFound(`Credential with uuid ${uuid} not found.`);
      const b = record(req.body);
      if (typeof b.name === 'string') c.name = b.name;
      if (typeof b.description === 'string') c.description = b.description;
      for (const [k, v] of Object.entries(record(b.settings))) {
        // Sending back the mask keeps the stored secret, as TVM does.
        if (v !== MASK) c.settings[k] = v;
      }
      return ok({ updated: true });
    },
  },
  {
    method: 'DELETE',
    pattern: /^\/credentials\/([^/]+)$/,
    permission: 'credentials',
    handle: (state, _req, [uuid = '']) =>
      state.credentials.delete(uuid) ? ok({ deleted: true }) : notFound(`Credential with uuid ${uuid} not found.`),
  },
  {
    method: 'POST',
    pattern: /^\/(vulns|assets)\/export$/,
    permission: 'exports',
    handle: (state, req, [kind = '']) => {
      const b = record(req.body);
      const isVulns = kind === 'vulns';
      const items = isVulns ? filterFindings(state.vulnFindings, record(b.filters)) : state.assets;
      const size = Math.max(1, Number(isVulns ? b.num_assets : b.chunk_size) || (isVulns ? 50 : 100));
      const chunks: unknown[][] = [];
      for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
      const uuid = randomUUID();
      state.exports.set(uuid, { uuid, kind: isVulns ? 'vulns' : 'assets', chunks });
      return ok({ export_uuid: uuid });
    },
  },
  {
    method: 'GET',
    pattern: /^\/(vulns|assets)\/export\/([^/]+)\/status$/,
    permission: 'exports',
    handle: (state, _req, [kind = '', uuid = '']) => {
      const e = state.exports.get(uuid);
      if (!e || e.kind !== kind) return notFound(`Export ${uuid} not found.`);
      const chunks_available = e.chunks.map((_, i) => i + 1);
      return ok(
        kind === 'vulns'
          ? { status: 'FINISHED', chunks_available, chunks_failed: [], chunks_cancelled: [] }
          : { status: 'FINISHED', chunks_available },
      );
    },
  },
  {
    method: 'GET',
    pattern: /^\/(vulns|assets)\/export\/([^/]+)\/chunks\/(\d+)$/,
    permission: 'exports',
    handle: (state, _req, [kind = '', uuid = '', n = '']) => {
      const e = state.exports.get(uuid);
      const chunk = e?.kind === kind ? e.chunks[Number(n) - 1] : undefined;
      return chunk ? ok(chunk) : notFound(`Chunk ${n} of export ${uuid} not found.`);
    },
  },
];

/** Vuln export filters we honour: `state`, `severity` (case-insensitive) and `since` (epoch seconds). */
function filterFindings(findings: unknown[], filters: WireRecord): unknown[] {
  const list = (v: unknown) => (Array.isArray(v) ? v.map((x) => String(x).toLowerCase()) : undefined);
  const states = list(filters.state);
  const severities = list(filters.severity);
  const since = Number(filters.since) || 0;
  return findings.filter((f) => {
    const r = record(f);
    if (states && !states.includes(String(r.state).toLowerCase())) return false;
    if (severities && !severities.includes(String(r.severity).toLowerCase())) return false;
    if (since && typeof r.last_found === 'string' && Date.parse(r.last_found) / 1000 < since) return false;
    return true;
  });
}

/** Routes one authenticated API request; 403 for denied permissions, 404 for unknown paths. */
export function handleApi(state: SimState, req: SimRequest): SimAnswer {
  let pathMatched = false;
  for (const route of routes) {
    const m = route.pattern.exec(req.path);
    if (!m) continue;
    pathMatched = true;
    if (route.method !== req.method) continue;
    if (state.config.permissions.deny.includes(route.permission)) {
      return errorAnswer(403, 'Forbidden', 'Insufficient scope');
    }
    return route.handle(state, req, m.slice(1));
  }
  return pathMatched
    ? errorAnswer(405, 'Method Not Allowed', `${req.method} is not allowed on ${req.path}`)
    : notFound('Not Found');
}
