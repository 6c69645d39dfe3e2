import { CST, LineCounter, Parser, parseDocument, isMap, isPair, isScalar, type Document, type Node } from 'yaml';
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

  // The parser notices an unclosed "[", "{" or quote only where the value ends (often the next key,
  // or the end of the file); the token stream still knows where it opened and under which key.
  const unclosed = doc.errors.length > 0 ? unclosedOpeners(text) : [];
  for (const u of unclosed) {
    const pos = lineCounter.linePos(u.offset);
    problems.push({ file, line: pos.line, col: pos.col, path: u.path.join('.'), message: unclosedMessage(u.char), hint: unclosedHint(u.char, u.path) });
  }

  for (const err of doc.errors) {
    if (unclosed.some((u) => err.pos[0] >= u.offset && err.pos[0] <= u.end) || (unclosed.length > 0 && isUnclosedError(err.message))) continue;
    let pos = lineCounter.linePos(err.pos[0]);
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
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
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

type Opener = '[' | '{' | '"' | "'";

interface Unclosed {
  /** Offset of the opening character. */
  offset: number;
  /** Offset where the unclosed value ends (the parser's error for it lies within). */
  end: number;
  char: Opener;
  /** Key path of the value it opens. */
  path: string[];
}

/**
 * Flow collections and quoted scalars that never close, from the parser's token stream (CST): a
 * flow collection without its `]`/`}` end token, a quoted scalar without its closing quote. Only the
 * innermost is reported (an unclosed quote inside `{ … }` swallows the `}` too).
 */
function unclosedOpeners(text: string): Unclosed[] {
  const found: Unclosed[] = [];
  const walk = (token: CST.Token | null | undefined, path: string[]): boolean => {
    if (!token) return false;
    switch (token.type) {
      case 'document':
        return walk(token.value, path);
      case 'block-map':
      case 'block-seq':
      case 'flow-collection': {
        const isMapping = token.type === 'block-map' || (token.type === 'flow-collection' && token.start.source === '{');
        let inner = false;
        token.items.forEach((item, i) => {
          const keyName = item.key ? scalarText(item.key) : undefined;
          const segment = isMapping || keyName !== undefined ? (keyName ?? String(i)) : String(i);
          if (item.key && walk(item.key, path)) inner = true;
          if (walk(item.value, [...path, segment])) inner = true;
        });
        if (token.type !== 'flow-collection' || inner) return inner;
        const closer = token.start.source === '[' ? 'flow-seq-end' : 'flow-map-end';
        if (token.end.some((t) => t.type === closer)) return false;
        found.push({ offset: token.start.offset, end: tokenEnd(token), char: token.start.source === '[' ? '[' : '{', path });
        return true;
      }
      case 'double-quoted-scalar':
      case 'single-quoted-scalar':
        if (isClosedQuote(token.source, token.type === 'double-quoted-scalar' ? '"' : "'")) return false;
        found.push({ offset: token.offset, end: tokenEnd(token), char: token.type === 'double-quoted-scalar' ? '"' : "'", path });
        return true;
      default:
        return false;
    }
  };
  for (const token of new Parser().parse(text)) walk(token, []);
  return found;
}

/** A quoted scalar's source ends with its closing quote (not an escaped `\"`, not a doubled `''`). */
function isClosedQuote(source: string, quote: '"' | "'"): boolean {
  const body = source.slice(1);
  if (!body.endsWith(quote)) return false;
  if (quote === "'") return (/'+$/.exec(body)![0].length % 2) === 1;
  const backslashes = /\\*$/.exec(body.slice(0, -1))![0].length;
  return backslashes % 2 === 0;
}

/** The text of a plain or quoted key, or undefined for anything else. */
function scalarText(token: CST.Token): string | undefined {
  if (token.type !== 'scalar' && token.type !== 'single-quoted-scalar' && token.type !== 'double-quoted-scalar') return undefined;
  return CST.resolveAsScalar(token)?.value ?? token.source;
}

/** The offset just past a token and everything inside it. */
function tokenEnd(token: CST.Token | CST.SourceToken | null | undefined): number {
  if (!token) return 0;
  let end = token.offset + ('source' in token && typeof token.source === 'string' ? token.source.length : 0);
  const more = (t: CST.Token | CST.SourceToken | null | undefined) => {
    end = Math.max(end, tokenEnd(t));
  };
  if ('items' in token) for (const item of token.items) [...item.start, item.key, ...(item.sep ?? []), item.value].forEach(more);
  if ('start' in token && token.start && !Array.isArray(token.start)) more(token.start);
  if ('end' in token && Array.isArray(token.end)) token.end.forEach(more);
  if (token.type === 'document') more(token.value);
  return end;
}

function isUnclosedError(message: string): boolean {
  return /Missing closing .?quote|Flow (sequence|map).*must .*end with/i.test(message);
}

function unclosedMessage(char: Opener): string {
  switch (char) {
    case '[':
      return 'unclosed "[" (YAML syntax error: the list opened here has no closing "]")';
    case '{':
      return 'unclosed "{" (YAML syntax error: the mapping opened here has no closing "}")';
    case '"':
      return `unclosed '"' (YAML syntax error: Missing closing "quote)`;
    case "'":
      return `unclosed "'" (YAML syntax error: Missing closing 'quote)`;
  }
}

function unclosedHint(char: Opener, path: string[]): string {
  const key = path.length > 0 ? ` of ${path.join('.')}` : '';
  switch (char) {
    case '[':
      return `close the list${key} with "]" (a list on several lines needs each line indented deeper than its key)`;
    case '{':
      return `close the mapping${key} with "}" (a mapping on several lines needs each line indented deeper than its key)`;
    case '"':
      return `end the string${key} with " on the same line (quoting a value that contains " needs \\" or single quotes)`;
    case "'":
      return `end the string${key} with ' on the same line (quoting a value that contains ' needs it doubled: '')`;
  }
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
