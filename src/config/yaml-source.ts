import { LineCounter, parseDocument, isMap, isPair, isScalar, type Document, type Node } from 'yaml';
import type { ConfigProblem } from '../core/errors.js';

/** A parsed YAML document that can answer "where is this key path?" for error messages. */
export interface YamlSource {
  file: string;
  data: unknown;
  problems: ConfigProblem[];
  locate(path: readonly PropertyKey[], opts?: { key?: boolean }): { line: number; col: number } | undefined;
}

export function parseYamlSource(file: string, text: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true });
  const problems: ConfigProblem[] = [];

  for (const err of doc.errors) {
    const pos = lineCounter.linePos(err.pos[0]);
    problems.push({
      file,
      line: pos.line,
      col: pos.col,
      path: pathAtOffset(doc, err.pos[0]) || keyOnLine(text, pos.line),
      message: yamlMessage(err.code, err.message),
      hint: yamlHint(err.code, err.message),
    });
  }

  const locate: YamlSource['locate'] = (path, opts = {}) => {
    const node = findNode(doc, path, opts.key ?? false);
    if (!node?.range) return undefined;
    return lineCounter.linePos(node.range[0]);
  };

  const data = problems.length === 0 ? doc.toJS({ maxAliasCount: 100 }) : undefined;
  return { file, data, problems, locate };
}

/** The node at a key path; for a missing key, the nearest existing ancestor. */
function findNode(doc: Document, path: readonly PropertyKey[], wantKey: boolean): Node | undefined {
  let current: unknown = doc.contents;
  let found: Node | undefined = (doc.contents as Node | null) ?? undefined;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    if (!current || typeof current !== 'object' || !('items' in current)) break;
    const items = (current as { items: unknown[] }).items;
    let next: unknown;
    if (isMap(current)) {
      const pair = items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair || !isPair(pair)) break;
      const last = i === path.length - 1;
      next = pair.value;
      found = (last && wantKey ? (pair.key as Node) : ((pair.value as Node | null) ?? (pair.key as Node))) ?? found;
    } else {
      next = items[Number(segment)];
      if (next) found = next as Node;
    }
    current = next;
  }
  return found;
}

/** The key written on a line, for errors the document tree cannot place (e.g. a tab-indented key). */
function keyOnLine(text: string, line: number): string {
  const match = /^[\s-]*([A-Za-z0-9_$-]+)\s*:/.exec(text.split(/\r?\n/)[line - 1] ?? '');
  return match?.[1] ?? '';
}

/** The key path of the deepest mapping entry that contains a text offset (for syntax errors). */
function pathAtOffset(doc: Document, offset: number): string {
  const path: string[] = [];
  let node: unknown = doc.contents;
  for (let depth = 0; depth < 32 && node && typeof node === 'object' && 'items' in node; depth++) {
    const items = (node as { items: unknown[] }).items;
    let next: unknown;
    let segment: string | undefined;
    items.forEach((item, i) => {
      const key = isPair(item) ? item.key : null;
      const value = isPair(item) ? item.value : item;
      const start = (isScalar(key) || (key && typeof key === 'object' && 'range' in key) ? (key as Node).range?.[0] : undefined) ?? (value as Node | null)?.range?.[0];
      const end = (value as Node | null)?.range?.[2] ?? (key as Node | null)?.range?.[2];
      if (start !== undefined && end !== undefined && offset >= start && offset < end) {
        segment = isPair(item) && isScalar(item.key) ? String(item.key.value) : String(i);
        next = value;
      }
    });
    if (next === undefined || segment === undefined) break;
    path.push(segment);
    node = next;
  }
  return path.join('.');
}

function yamlMessage(code: string, message: string): string {
  const first = message.split('\n')[0] ?? message;
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'duplicate key: a key appears twice in the same mapping';
    case 'TAB_AS_INDENT':
      return 'tab character used for indentation';
    default:
      return `YAML syntax error: ${first.replace(/ at line \d+, column \d+.*$/, '')}`;
  }
}

function yamlHint(code: string, _message: string): string {
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'remove one of the two entries (the later one would silently win in other tools)';
    case 'TAB_AS_INDENT':
      return 'YAML indentation must use spaces; replace the tab with spaces';
    default:
      return 'check indentation and quoting around this line (strings with ": " or "#" need quotes)';
  }
}
