import { fleetSchema } from '../../config/schema.js';

/** The fleet document being built, as it will be written (plain YAML data, no defaults applied). */
export type FleetDoc = Record<string, unknown>;
export type Path = ReadonlyArray<string | number>;

export function getIn(doc: FleetDoc, path: Path): unknown {
  let v: unknown = doc;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

export function isSet(doc: FleetDoc, path: Path): boolean {
  return getIn(doc, path) !== undefined;
}

export function setIn(doc: FleetDoc, path: Path, value: unknown): void {
  let v: Record<string | number, unknown> = doc;
  path.slice(0, -1).forEach((seg) => {
    const next = v[seg];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) v[seg] = {};
    v = v[seg] as Record<string | number, unknown>;
  });
  v[path[path.length - 1]!] = value;
}

/** Removes a value and any parent object it leaves empty. */
export function unsetIn(doc: FleetDoc, path: Path): void {
  const parent = getIn(doc, path.slice(0, -1));
  if (parent === null || typeof parent !== 'object') return;
  delete (parent as Record<string | number, unknown>)[path[path.length - 1]!];
  if (path.length > 1 && Object.keys(parent).length === 0) unsetIn(doc, path.slice(0, -1));
}

const startsWith = (full: readonly PropertyKey[], prefix: Path) => prefix.every((seg, i) => String(full[i]) === String(seg));

/**
 * Validates one answer with the same zod schema as the YAML path: the answer is put into a copy of
 * the document and only the problems at (or under) its path are reported, as the prompt's message.
 */
export function validateAt(doc: FleetDoc, path: Path, value: unknown): true | string {
  const candidate = structuredClone(doc);
  setIn(candidate, path, value);
  const result = fleetSchema.safeParse({ version: 1, fleet: 'wizard-check', ...candidate });
  if (result.success) return true;
  const issues = result.error.issues.filter((i) => startsWith(i.path, path));
  if (issues.length === 0) return true;
  return issues
    .map((i) => {
      const rest = i.path.slice(path.length);
      const item = rest.length > 0 ? getIn({ v: value }, ['v', ...rest.map((s) => (typeof s === 'symbol' ? String(s) : s))]) : undefined;
      return typeof item === 'string' || typeof item === 'number' ? `${item}: ${i.message}` : rest.length > 0 ? `${rest.map(String).join('.')}: ${i.message}` : i.message;
    })
    .join('; ');
}

/** Splits "a, b c" into ["a", "b", "c"] (lists typed at a prompt). */
export function splitList(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}
