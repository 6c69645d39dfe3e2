import { randomUUID } from 'node:crypto';
import { notFound, ok, errorAnswer, record, type Route } from './tenable-simulator-http.js';
import { nowSec } from './tenable-simulator-state.js';

/** `/credentials…`: managed credentials, answered with secret settings masked as TVM does. */

const MASK = '********';
const SECRET_SETTING = /pass|secret|token|private|key$/i;
const PUBLIC_SETTING = /(_id|username|^key_file)$/i;
const isSecretSetting = (name: string) => SECRET_SETTING.test(name) && !PUBLIC_SETTING.test(name);

const CREDENTIAL_CATEGORY: Record<string, string> = { 'Amazon AWS': 'Cloud Services', SSH: 'Host', Windows: 'Host' };

export const credentialRoutes: Route[] = [
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
      return ok({
        credentials,
        pagination: { total: all.length, limit, offset, sort: [{ name: 'created_date', order: 'desc' }] },
      });
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
      const settings = Object.fromEntries(Object.entries(c.settings).map(([k, v]) => [k, isSecretSetting(k) && v !== '' ? MASK : v]));
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
];
