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

/** `GET /credentials/{uuid}`; secret settings come back masked (`********`) by Tenable. */
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

export function parseCreatedUuid(body: unknown): string {
  return z.object({ uuid: stringish }).parse(body).uuid;
}
