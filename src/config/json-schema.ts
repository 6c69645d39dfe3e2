import { z } from 'zod';
import { fleetSchema, SCHEMA_URL } from './schema.js';

/** The JSON Schema of the fleet file as users write it (defaults optional). */
export function fleetJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(fleetSchema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  return { ...schema, $id: SCHEMA_URL, title: 'nessus-byol fleet file', description: 'A fleet of Tenable Nessus BYOL scanners in AWS (version 1).' };
}
