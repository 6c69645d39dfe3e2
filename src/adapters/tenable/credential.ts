import { z } from 'zod';
import type { Secret } from '../../core/secret.js';
import { numberish, optional, stringish } from './lenient.js';

/** What we send to create or update a managed credential; Secret values are revealed only on the wire. */
export interface CredentialInput {
  name: string;
  description?: string;
  /** e.g. `Amazon AWS` */
  type: string;
  settings: Record<string, string | number | boolean | Secret>;
}

/** A managed credential as listed by `GET /credentials`. */
export interface TenableCredentialSummary {
  uuid: string;
  name: string;
  description?: string;
  /** The type id, e.g. `Amazon AWS`. */
  type?: string;
  createdAtMs?: number;
}

/**
 * `GET /credentials/{uuid}`. Every setting the credential type declares as a `password` field comes
 * back masked (`********`) — for "Amazon AWS" that is `access_key_id` as well as `secret_key`
 * (pyTenable cassettes `test_credentials_types_success`, `test_credentials_details_success`).
 */
export interface TenableCredential {
  name: string;
  description?: string;
  type?: string;
  settings: Record<string, unknown>;
}

// `type` is `{id, name}` in answers but a plain string in requests; accept both.
const typeId = z.union([stringish, z.object({ id: stringish }).transform((t) => t.id)]);

const summarySchema = z
  .object({
    uuid: stringish,
    name: stringish,
    description: optional(stringish),
    type: optional(typeId),
    created_date: optional(numberish),
  })
  .transform((r): TenableCredentialSummary => {
    const c: TenableCredentialSummary = { uuid: r.uuid, name: r.name };
    if (r.description !== undefined) c.description = r.description;
    if (r.type !== undefined) c.type = r.type;
    if (r.created_date !== undefined) c.createdAtMs = r.created_date * 1000;
    return c;
  });

export interface CredentialPage {
  credentials: TenableCredentialSummary[];
  total: number | undefined;
}

export function parseCredentialPage(body: unknown): CredentialPage {
  const r = z
    .object({
      credentials: z.array(z.unknown()).nullish(),
      pagination: optional(z.object({ total: optional(numberish) })),
    })
    .parse(body ?? {});
  const credentials = (r.credentials ?? []).flatMap((e) => {
    const p = summarySchema.safeParse(e);
    return p.success ? [p.data] : [];
  });
  return { credentials, total: r.pagination?.total };
}

export function parseCredential(body: unknown): TenableCredential {
  const r = z
    .object({
      name: stringish,
      description: optional(stringish),
      type: optional(typeId),
      settings: z.record(z.string(), z.unknown()).nullish(),
    })
    .parse(body);
  const c: TenableCredential = { name: r.name, settings: r.settings ?? {} };
  if (r.description !== undefined) c.description = r.description;
  if (r.type !== undefined) c.type = r.type;
  return c;
}

/** `POST /credentials` answers `{"uuid": …}`: the write counts only with a uuid. */
export function parseCreatedUuid(body: unknown): string {
  return z.object({ uuid: stringish }).parse(body).uuid;
}

/** Tenable's mask for `password` fields in `GET /credentials/{uuid}`. */
export const CREDENTIAL_MASK = '********';

/** A masked setting tells nothing about the value behind it: treat it as unknown. */
export function isMaskedSetting(v: unknown): boolean {
  return typeof v === 'string' && /^\*+$/.test(v);
}

/** A setting in clear text, or undefined when it is absent, empty, masked or not a string. */
export function clearSetting(settings: Record<string, unknown>, name: string): string | undefined {
  const v = settings[name];
  return typeof v === 'string' && v !== '' && !isMaskedSetting(v) ? v : undefined;
}

/**
 * `PUT /credentials/{uuid}` answers `{"updated": true}` (pyTenable cassette
 * `test_credentials_edit_success`): true only then, false when Tenable says `updated: false`,
 * undefined when the answer does not say (an empty or unexpected body).
 */
export function parseUpdateAnswer(body: unknown): boolean | undefined {
  if (body === null || typeof body !== 'object' || !('updated' in body)) return undefined;
  const v = (body as { updated: unknown }).updated;
  return v === true ? true : v === false ? false : undefined;
}
