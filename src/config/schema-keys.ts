import type { z } from 'zod';

/**
 * The keys a fleet-file mapping may contain at a key path, read from the zod schema itself so
 * "did you mean" suggestions can never drift from what the schema accepts.
 */
export function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let candidates: z.ZodType[] = [schema];
  for (const segment of path) {
    candidates = candidates.flatMap((c) => objects(c)).flatMap((o) => child(o, segment));
  }
  return [...new Set(candidates.flatMap((c) => objects(c)).flatMap((o) => Object.keys(shapeOf(o))))];
}

/** Allowed values of a discriminated union's tag (e.g. `key.from`) at a path. */
export function discriminatorValuesAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let candidates: z.ZodType[] = [schema];
  for (const segment of path.slice(0, -1)) {
    candidates = candidates.flatMap((c) => objects(c)).flatMap((o) => child(o, segment));
  }
  const last = path[path.length - 1];
  const values: string[] = [];
  for (const o of candidates.flatMap((c) => objects(c))) {
    const field = last === undefined ? undefined : shapeOf(o)[String(last)];
    const def = field ? defOf(field) : undefined;
    if (def?.type === 'literal') values.push(...(def.values as unknown[]).map(String));
  }
  return [...new Set(values)];
}

interface Def {
  type: string;
  [k: string]: unknown;
}

function defOf(s: z.ZodType): Def {
  return (s as unknown as { _zod: { def: Def } })._zod.def;
}

function shapeOf(o: z.ZodType): Record<string, z.ZodType> {
  return defOf(o).shape as Record<string, z.ZodType>;
}

/** Unwraps defaults, optionals, pipes and unions down to the object schemas they may hold. */
function objects(s: z.ZodType): z.ZodType[] {
  const def = defOf(s);
  switch (def.type) {
    case 'object':
      return [s];
    case 'default':
    case 'prefault':
    case 'optional':
    case 'nullable':
    case 'readonly':
      return objects(def.innerType as z.ZodType);
    case 'pipe':
      return objects(def.in as z.ZodType);
    case 'union':
      return (def.options as z.ZodType[]).flatMap(objects);
    case 'array':
      return objects(def.element as z.ZodType);
    default:
      return [];
  }
}

function child(o: z.ZodType, segment: PropertyKey): z.ZodType[] {
  if (typeof segment === 'number') return [o];
  const field = shapeOf(o)[String(segment)];
  return field ? [field] : [];
}
