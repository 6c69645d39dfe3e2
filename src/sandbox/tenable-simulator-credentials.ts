import { randomUUID } from 'node:crypto';
import { notFound, ok, errorAnswer, record, type Route } from './tenable-simulator-http.js';
import { nowSec } from './tenable-simulator-state.js';

/**
 * `/credentials…`: managed credentials as TVM answers them. GET masks every setting its type declares
 * as a `password` field — for "Amazon AWS" both `access_key_id` and `secret_key` — and PUT answers
 * `{"updated": true}`. The types below are our own subset of `GET /credentials/types`, with the field
 * ids and input types of pyTenable's recorded answer (tests/io/cassettes/test_credentials_types_success.yaml;
 * see test/fixtures/tenable/README.md for the commit).
 */

const MASK = '********';

interface Field {
  type: 'password' | 'text' | 'select' | 'file' | 'checkbox';
  name: string;
  id: string;
  required?: boolean;
}
interface CredentialType {
  category: string;
  id: string;
  max: number;
  configuration: Field[];
  expand_settings?: boolean;
}

const TYPES: CredentialType[] = [
  {
    category: 'Cloud Services',
    id: 'Amazon AWS',
    max: 1,
    expand_settings: true,
    configuration: [
      { type: 'password', name: 'AWS Access Key ID', required: true, id: 'access_key_id' },
      { type: 'password', name: 'AWS Secret Key', required: true, id: 'secret_key' },
    ],
  },
  {
    category: 'Host',
    id: 'SSH',
    max: -1,
    configuration: [
      { type: 'select', name: 'Authentication method', id: 'auth_method' },
      { type: 'text', name: 'Username', id: 'username' },
      { type: 'password', name: 'Password', id: 'password' },
      { type: 'file', name: 'Private key', id: 'private_key' },
      { type: 'password', name: 'Private key passphrase', id: 'private_key_passphrase' },
      { type: 'text', name: 'Custom password prompt', id: 'custom_password_prompt' },
      { type: 'select', name: 'Elevate privileges with', id: 'elevate_privileges_with' },
      { type: 'password', name: 'Escalation password', id: 'escalation_password' },
    ],
  },
  {
    category: 'Host',
    id: 'Windows',
    max: -1,
    configuration: [
      { type: 'select', name: 'Authentication method', id: 'auth_method' },
      { type: 'text', name: 'Username', id: 'username' },
      { type: 'password', name: 'Password', id: 'password' },
      { type: 'text', name: 'Domain', id: 'domain' },
    ],
  },
];

const TYPE_BY_ID = new Map(TYPES.map((t) => [t.id, t]));
// A type the simulator does not model: mask anything that looks secret (never unmask an `*_id`:
// real types declare ids as passwords too, e.g. `access_key_id`, `hashicorp_role_secret_id`).
const LOOKS_SECRET = /pass|secret|token|private|key/i;

function isPasswordSetting(type: string, name: string): boolean {
  const t = TYPE_BY_ID.get(type);
  if (t) return t.configuration.some((f) => f.id === name && f.type === 'password');
  return LOOKS_SECRET.test(name);
}

const CREDENTIAL_CATEGORY = (type: string) => TYPE_BY_ID.get(type)?.category ?? 'Host';

/** `GET /credentials/types`: `{credentials: [{id, category, default_expand, types: [{id, name, max, configuration}]}]}`. */
function typesAnswer() {
  const categories = [...new Set(TYPES.map((t) => t.category))];
  return {
    credentials: categories.map((category) => ({
      id: category,
      category,
      default_expand: false,
      types: TYPES.filter((t) => t.category === category).map((t) => ({
        id: t.id,
        name: t.id,
        max: t.max,
        configuration: t.configuration,
        ...(t.expand_settings !== undefined ? { expand_settings: t.expand_settings } : {}),
      })),
    })),
  };
}

export const credentialRoutes: Route[] = [
  {
    method: 'GET',
    pattern: /^\/credentials\/types$/,
    permission: 'credentials',
    handle: () => ok(typesAnswer()),
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
        category: { id: CREDENTIAL_CATEGORY(c.type), name: CREDENTIAL_CATEGORY(c.type) },
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
      const settings = Object.fromEntries(
        Object.entries(c.settings).map(([k, v]) => [k, isPasswordSetting(c.type, k) && v !== '' ? MASK : v]),
      );
      return ok({
        name: c.name,
        description: c.description,
        category: { id: CREDENTIAL_CATEGORY(c.type), name: CREDENTIAL_CATEGORY(c.type) },
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
