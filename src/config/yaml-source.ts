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
    let pos = lineCounter.linePos(err.pos[0]);
    if (err.code === 'MISSING_CHAR' && /quote/i.test(err.message)) {
      // The parser notices an unclosed quote only at the end of the file; point at where it opened.
      const opened = unclosedQuoteLine(text);
      if (opened) pos = { line: opened, col: 1 };
    }
    if (/Nested mappings are not allowed|Implicit keys need to be on a single line/.test(err.message)) {
      // A key indented deeper than its siblings continues the value above; the culprit is below.
      const deeper = overIndentedLineAfter(text, pos.line);
      if (deeper) pos = { line: deeper, col: 1 };
    }
    const rawPath = err.code === 'MISSING_CHAR' ? '' : pathAtOffset(doc, err.pos[0]);
    const treePath = /^[A-Za-z0-9_$.-]*$/.test(rawPath) && !/\.\d+ /.test(rawPath) ? rawPath : '';
    problems.push({
      file,
      line: pos.line,
      col: pos.col,
      path: treePath.includes('.') || !keyPathOnLine(text, pos.line) ? treePath || keyPathOnLine(text, pos.line) : keyPathOnLine(text, pos.line),
      message: yamlMessage(err.code, err.message),
      hint: yamlHint(err.code, err.message),
    });
  }
  dedupe(problems);
  // One syntax error tends to cascade into several on the same line: keep the first.
  for (let i = problems.length - 1; i > 0; i--) if (problems.slice(0, i).some((p) => p.line === problems[i]!.line)) problems.splice(i, 1);

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

/**
 * The key path written on a line, from its indentation and the keys above it — for errors the
 * document tree cannot place (a tab-indented or over-indented key).
 */
function keyPathOnLine(text: string, line: number): string {
  const lines = text.split(/\r?\n/);
  const keyOf = (l: string) => /^([ \t-]*)([A-Za-z0-9_$-]+)\s*:/.exec(l);
  const own = keyOf(lines[line - 1] ?? '');
  if (!own) return '';
  const path = [own[2]!];
  let indent = own[1]!.replace(/\t/g, '  ').length;
  for (let i = line - 2; i >= 0 && indent > 0; i--) {
    const m = keyOf(lines[i]!);
    if (!m) continue;
    const ind = m[1]!.replace(/\t/g, '  ').length;
    if (ind < indent) {
      path.unshift(m[2]!);
      indent = ind;
    }
  }
  return path.join('.');
}

/** The line after `line` when it is indented deeper than `line` itself (an over-indented key). */
function overIndentedLineAfter(text: string, line: number): number | undefined {
  const lines = text.split(/\r?\n/);
  const indent = (l: string | undefined) => (l === undefined ? -1 : /^ */.exec(l)![0].length);
  const next = lines[line];
  return next !== undefined && /\S/.test(next) && indent(next) > indent(lines[line - 1]) ? line + 1 : undefined;
}

/** The first line whose double or single quotes do not pair up (comments ignored). */
function unclosedQuoteLine(text: string): number | undefined {
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.replace(/\\./g, '');
    const value = l.replace(/^[^:]*:\s*/, '');
    const code = value.replace(/\s#.*$/, '');
    if ((code.match(/"/g) ?? []).length % 2 === 1 || (code.startsWith("'") && (code.match(/'/g) ?? []).length % 2 === 1)) return i + 1;
  }
  return undefined;
}

function dedupe(problems: ConfigProblem[]): void {
  const seen = new Set<string>();
  for (let i = problems.length - 1; i >= 0; i--) {
    const p = problems[i]!;
    const key = `${p.line}:${p.path}:${p.message}`;
    if (seen.has(key)) problems.splice(i, 1);
    else seen.add(key);
  }
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
