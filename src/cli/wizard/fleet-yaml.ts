import { isMap, isScalar, isPair, parseDocument, Document, Scalar, type Node, type Pair, type YAMLMap } from 'yaml';
import { SCHEMA_URL } from '../../config/schema.js';
import type { FleetDoc, Path } from './document.js';

/** Comments the saved file carries where they help (added only when the key has none yet). */
const COMMENTS: Record<string, string> = {
  fleet: ' tag value and name prefix of everything this fleet creates',
  region: ' GovCloud (us-gov-*) works too; this file wins over AWS_REGION',
  tenable: ' cloud | fedramp | custom (url, linkHost, linkPort)',
  'scanners.instanceType': ' or a list, tried in order on InsufficientInstanceCapacity',
  'scanners.subnetIds': ' scanners are spread over these subnets',
  'scanners.volume': ' always encrypted (gp3); add kmsKeyId for your own key',
  'link.method': ' bootstrap | preauthorized-json | standalone',
  'link.key': ' where the linking key comes from (ssm | secretsmanager | tenable-api | env); never the key itself',
  'link.groups': ' joined through the Tenable API once the scanners link',
  network: ' no inbound rule unless CIDRs are listed; 0.0.0.0/0 needs --allow-world',
  'access.keyPair': ' none | create | { import: ~/.ssh/id.pub } | { name: existing }',
  tags: ' added to every resource, beside the nessus-byol:* tags',
};

const HEADER = [
  ` yaml-language-server: $schema=${SCHEMA_URL}`,
  ' Written by `nessus-byol init`. Replay it with `nessus-byol up -f <this file>`;',
  ' `nessus-byol plan -f <this file>` shows what it creates. Secrets never go in here.',
].join('\n');

/** Small values written inline (`key: { from: ssm, … }`), as in the docs. */
const FLOW = new Set(['link.key', 'ami', 'tenable', 'scanners.volume', 'access.keyPair', 'link.activationCode']);

/**
 * The fleet file text: the existing file's document when there is one (its comments and order kept,
 * changed keys updated in place), else a new one; then the comments and the $schema line.
 */
export function fleetYamlText(doc: FleetDoc, opts: { existingText?: string; comments?: ReadonlyMap<string, string> } = {}): string {
  const yaml = opts.existingText ? parseDocument(opts.existingText) : new Document({ version: 1 });
  sync(yaml, [], opts.existingText ? doc : ordered(doc));
  const comments = new Map([...Object.entries(COMMENTS), ...(opts.comments ?? new Map<string, string>())]);
  for (const [dotted, text] of comments) {
    const pair = pairAt(yaml, dotted.split('.'));
    if (!pair || !isScalar(pair.key)) continue;
    const forced = opts.comments?.has(dotted);
    if (forced || (!pair.key.commentBefore && !(pair.value as Node | null)?.comment)) pair.key.commentBefore = text;
  }
  if (!yaml.commentBefore?.includes('yaml-language-server')) {
    yaml.commentBefore = yaml.commentBefore ? `${HEADER}\n${yaml.commentBefore}` : HEADER;
  }
  return yaml.toString({ lineWidth: 0 });
}

function sync(yaml: Document, path: Path, value: unknown): void {
  const current = path.length ? yaml.getIn(path, true) : yaml.contents;
  if (isPlainObject(value) && !FLOW.has(path.join('.')) && (isMap(current) || path.length === 0 || current === undefined)) {
    if (current === undefined && path.length > 0) yaml.setIn(path, yaml.createNode({}));
    for (const [k, v] of Object.entries(value)) sync(yaml, [...path, k], v);
    if (isMap(current)) {
      for (const item of [...(current as YAMLMap).items]) {
        const key = isScalar(item.key) ? String(item.key.value) : String(item.key);
        if (!(key in value)) yaml.deleteIn([...path, key]);
      }
    }
    return;
  }
  const existing = path.length ? yaml.getIn(path) : undefined;
  const plain = existing && typeof existing === 'object' && 'toJSON' in existing ? (existing as { toJSON(): unknown }).toJSON() : existing;
  if (JSON.stringify(plain) === JSON.stringify(value)) return;
  const node = yaml.createNode(value, { flow: FLOW.has(path.join('.')) || (Array.isArray(value) && value.every((v) => typeof v !== 'object')) });
  yaml.setIn(path, node);
}

const ORDER = ['$schema', 'version', 'fleet', 'region', 'tenable', 'scanners', 'ami', 'link', 'bootstrap', 'network', 'access', 'iam', 'wait', 'tags'];

function ordered(doc: FleetDoc): FleetDoc {
  const rank = (k: string) => (ORDER.includes(k) ? ORDER.indexOf(k) : ORDER.length);
  return Object.fromEntries(Object.entries(doc).sort(([a], [b]) => rank(a) - rank(b)));
}

function pairAt(yaml: Document, keys: string[]): Pair | undefined {
  let map: unknown = yaml.contents;
  let found: Pair | undefined;
  for (const key of keys) {
    if (!isMap(map)) return undefined;
    found = map.items.find((p) => isPair(p) && String(isScalar(p.key) ? p.key.value : p.key) === key) as Pair | undefined;
    if (!found) return undefined;
    // Keys added with setIn are plain strings; a comment needs a node.
    if (!isScalar(found.key)) found.key = new Scalar(found.key);
    map = found.value;
  }
  return found;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
