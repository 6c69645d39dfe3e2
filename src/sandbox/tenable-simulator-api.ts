import {
  DEFAULT_SCANNER_UUID,
  nowSec,
  scannerEditAnswer,
  scannerGroupRecords,
  type SimState,
  type WireRecord,
} from './tenable-simulator-state.js';
import { credentialRoutes } from './tenable-simulator-credentials.js';
import { exportRoutes } from './tenable-simulator-exports.js';
import { scanRoutes } from './tenable-simulator-scans.js';
import { errorAnswer, notFound, ok, record, type Route, type SimAnswer, type SimRequest } from './tenable-simulator-http.js';

export { errorAnswer, type SimAnswer, type SimRequest } from './tenable-simulator-http.js';

/** The TVM endpoints the tool uses, answering in the shapes recorded from the real service. */

function findScanner(state: SimState, idOrUuid: string): WireRecord | undefined {
  return state.scanners.find((s) => String(s.id) === idOrUuid || s.uuid === idOrUuid);
}

function findGroup(state: SimState, id: string): WireRecord | undefined {
  return state.groups.find((g) => String(g.id) === id);
}

const scannerRoutes: Route[] = [
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
        scanner_pools: state.groups.map((g) => ({
          ...g,
          scanner_count: state.groupMembers.get(Number(g.id))?.size ?? 0,
        })),
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
      // Members are listed without `shared`/`user_permissions` (test_list_scanners_in_scanner_group.yaml).
      const listed = state.scanners
        .filter((s) => members.has(Number(s.id)))
        .map(({ shared: _shared, user_permissions: _perms, ...rest }) => rest);
      return ok({ scanners: listed });
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
];

const routes: Route[] = [...scannerRoutes, ...credentialRoutes, ...exportRoutes, ...scanRoutes];

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
  return pathMatched ? errorAnswer(405, 'Method Not Allowed', `${req.method} is not allowed on ${req.path}`) : notFound('Not Found');
}
