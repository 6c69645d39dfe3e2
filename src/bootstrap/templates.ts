import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** A file every templates directory of this package has; tells it apart from unrelated folders. */
const MARKER = 'user-data/bootstrap.sh.tmpl';

/**
 * The package's `templates/` directory. From the sources (`src/bootstrap/*.ts`) it is two levels up;
 * from the bundle (`dist/*.js`) one level up. Both are tried relative to the module file.
 */
export function templatesDir(moduleUrl: string | URL = import.meta.url): string {
  const candidates = [new URL('../templates/', moduleUrl), new URL('../../templates/', moduleUrl)];
  for (const url of candidates) {
    const dir = fileURLToPath(url);
    if (existsSync(`${dir}${MARKER}`)) return dir;
  }
  throw new Error(
    `nessus-byol templates not found (looked in ${candidates.map((u) => fileURLToPath(u)).join(', ')}); ` +
      'the package is incomplete: reinstall it.',
  );
}

const cache = new Map<string, string>();

/** Reads a template file (path relative to `templates/`) once per process. */
export function loadTemplate(relativePath: string): string {
  let text = cache.get(relativePath);
  if (text === undefined) {
    text = readFileSync(`${templatesDir()}${relativePath}`, 'utf8');
    cache.set(relativePath, text);
  }
  return text;
}

const PLACEHOLDER = /\{\{([A-Z0-9_]+)\}\}/g;

/**
 * Replaces `{{NAME}}` placeholders. The values are already rendered shell fragments built from
 * validated, quoted inputs; a placeholder without a value or a value without a placeholder is a
 * programming error and throws.
 */
export function fillTemplate(template: string, values: Record<string, string>, label = 'template'): string {
  const used = new Set<string>();
  const out = template.replace(PLACEHOLDER, (_m, name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`${label}: no value for placeholder {{${name}}}`);
    used.add(name);
    return v;
  });
  const unused = Object.keys(values).filter((k) => !used.has(k));
  if (unused.length > 0) throw new Error(`${label}: values without a placeholder: ${unused.join(', ')}`);
  return out;
}
