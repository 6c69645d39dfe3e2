/**
 * Lenient parsing of export records. Tenable's export shapes drift (asset export v1 has flat
 * `aws_*` fields, v2 nests them under `cloud.aws`; numbers arrive as strings), so every field accepts
 * the forms seen in the wild, and a record missing what we need is reported, never a crash.
 */

export type TenableSeverity = 'info' | 'low' | 'medium' | 'high' | 'critical';
export type TenableState = 'open' | 'reopened' | 'fixed';

/** One vulnerability finding from `/vulns/export` chunks: only what the mapping reads. */
export interface TenableVuln {
  assetUuid: string;
  pluginId: number;
  pluginName: string;
  pluginFamily?: string | undefined;
  pluginType?: string | undefined;
  description?: string | undefined;
  synopsis?: string | undefined;
  solution?: string | undefined;
  seeAlso: string[];
  cves: string[];
  cvss3BaseScore?: number | undefined;
  cvss3Vector?: string | undefined;
  vprScore?: number | undefined;
  hasPatch?: boolean | undefined;
  severity: TenableSeverity;
  state: TenableState;
  port: number;
  protocol: string;
  service?: string | undefined;
  firstFound?: string | undefined;
  lastFound?: string | undefined;
  lastFixed?: string | undefined;
}

/** An asset from `/assets/export`; `aws` is present only for EC2 instances with owner and region. */
export interface TenableAsset {
  uuid: string;
  aws?: {
    instanceId: string;
    ownerId: string;
    region: string;
    instanceType?: string | undefined;
    amiId?: string | undefined;
    subnetId?: string | undefined;
    vpcId?: string | undefined;
  };
  ipv4s: string[];
  ipv6s: string[];
}

export interface ExportStatus {
  /** QUEUED | PROCESSING | FINISHED | CANCELLED | ERROR (upper-cased). */
  status: string;
  chunksAvailable: number[];
  chunksFailed: number[];
  totalChunks?: number | undefined;
}

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : {});
const str = (v: unknown): string | undefined => {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  return t === '' ? undefined : t;
};
const num = (v: unknown): number | undefined => {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v.trim())) return Number(v);
  return undefined;
};
const strings = (v: unknown): string[] => {
  if (typeof v === 'string') return v.split(/[\s,]+/).filter(Boolean);
  if (!Array.isArray(v)) return [];
  return v.map((x) => str(typeof x === 'object' ? rec(x).value : x)).filter((x): x is string => x !== undefined);
};
const bool = (v: unknown): boolean | undefined =>
  typeof v === 'boolean' ? v : v === 1 || v === 'true' ? true : v === 0 || v === 'false' ? false : undefined;

const SEVERITY_BY_ID: TenableSeverity[] = ['info', 'low', 'medium', 'high', 'critical'];

function severityOf(r: Rec): TenableSeverity | undefined {
  const s = str(r.severity)?.toLowerCase();
  if (s === 'informational') return 'info';
  if (s && (SEVERITY_BY_ID as string[]).includes(s)) return s as TenableSeverity;
  const id = num(r.severity_id);
  return id === undefined ? undefined : SEVERITY_BY_ID[id];
}

function stateOf(r: Rec): TenableState | undefined {
  const s = str(r.state)?.toLowerCase();
  if (s === 'open' || s === 'new' || s === 'active') return 'open';
  if (s === 'reopened' || s === 'resurfaced') return 'reopened';
  if (s === 'fixed') return 'fixed';
  return undefined;
}

/** A finding, or the reason it cannot be used. */
export function parseVuln(raw: unknown): TenableVuln | { unreadable: string } {
  const r = rec(raw);
  const asset = rec(r.asset);
  const plugin = rec(r.plugin);
  const port = rec(r.port);
  const assetUuid = str(asset.uuid) ?? str(asset.id);
  const pluginId = num(plugin.id);
  const severity = severityOf(r);
  const state = stateOf(r);
  if (!assetUuid) return { unreadable: 'no asset.uuid' };
  if (pluginId === undefined) return { unreadable: 'no plugin.id' };
  if (!severity) return { unreadable: `unknown severity ${String(r.severity)}` };
  if (!state) return { unreadable: `unknown state ${String(r.state)}` };
  const cvss3Vector = rec(plugin.cvss3_vector);
  return {
    assetUuid,
    pluginId,
    pluginName: str(plugin.name) ?? `Tenable plugin ${pluginId}`,
    pluginFamily: str(plugin.family),
    pluginType: str(plugin.type),
    description: str(plugin.description),
    synopsis: str(plugin.synopsis),
    solution: str(plugin.solution),
    seeAlso: strings(plugin.see_also),
    cves: strings(plugin.cve)
      .filter((c) => /^CVE-\d{4}-\d+$/i.test(c))
      .map((c) => c.toUpperCase()),
    cvss3BaseScore: num(plugin.cvss3_base_score),
    cvss3Vector: str(cvss3Vector.raw) ?? str(plugin.cvss3_vector),
    vprScore: num(rec(plugin.vpr).score),
    hasPatch: bool(plugin.has_patch),
    severity,
    state,
    port: num(port.port) ?? 0,
    protocol: str(port.protocol)?.toLowerCase() ?? 'tcp',
    service: str(port.service),
    firstFound: str(r.first_found),
    lastFound: str(r.last_found),
    lastFixed: str(r.last_fixed),
  };
}

const INSTANCE_RE = /^i-[0-9a-f]{8,17}$/;
const ACCOUNT_RE = /^\d{12}$/;
const REGION_RE = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** Both asset export versions: v1 `aws_ec2_instance_id`…, v2 `cloud.aws.ec2_instance_id`…. */
export function parseAsset(raw: unknown): TenableAsset | undefined {
  const r = rec(raw);
  const uuid = str(r.id) ?? str(r.uuid);
  if (!uuid) return undefined;
  const v2 = rec(rec(r.cloud).aws);
  const network = rec(r.network);
  const pick = (v1: string, v2key: string) => str(r[v1]) ?? str(v2[v2key]);
  const instanceId = pick('aws_ec2_instance_id', 'ec2_instance_id');
  // The owner id is a 12-digit account; a leading-zero account exported as a number loses digits.
  const ownerRaw = pick('aws_owner_id', 'owner_id');
  const ownerId = ownerRaw && /^\d{1,12}$/.test(ownerRaw) ? ownerRaw.padStart(12, '0') : ownerRaw;
  const region = pick('aws_region', 'region') ?? regionOfZone(pick('aws_availability_zone', 'availability_zone'));
  const asset: TenableAsset = {
    uuid,
    ipv4s: strings(r.ipv4s ?? network.ipv4s),
    ipv6s: strings(r.ipv6s ?? network.ipv6s),
  };
  if (
    instanceId &&
    INSTANCE_RE.test(instanceId) &&
    ownerId &&
    ACCOUNT_RE.test(ownerId) &&
    region &&
    REGION_RE.test(region)
  ) {
    asset.aws = {
      instanceId,
      ownerId,
      region,
      instanceType: pick('aws_ec2_instance_type', 'ec2_instance_type'),
      amiId: pick('aws_ec2_instance_ami_id', 'ec2_instance_ami_id'),
      subnetId: pick('aws_subnet_id', 'subnet_id'),
      vpcId: pick('aws_vpc_id', 'vpc_id'),
    };
  }
  return asset;
}

function regionOfZone(zone: string | undefined): string | undefined {
  return zone && /^[a-z]{2}(-[a-z]+)+-\d+[a-z]$/.test(zone) ? zone.slice(0, -1) : undefined;
}

export function parseExportUuid(body: unknown): string {
  const uuid = str(rec(body).export_uuid);
  if (!uuid) throw new Error('export_uuid missing');
  return uuid;
}

export function parseExportStatus(body: unknown): ExportStatus {
  const r = rec(body);
  const status = str(r.status)?.toUpperCase();
  if (!status) throw new Error('status missing');
  const chunks = (v: unknown) => (Array.isArray(v) ? v.map(num).filter((n): n is number => n !== undefined) : []);
  return {
    status,
    chunksAvailable: chunks(r.chunks_available),
    chunksFailed: chunks(r.chunks_failed),
    totalChunks: num(r.total_chunks),
  };
}

export function parseChunk(body: unknown): unknown[] {
  if (!Array.isArray(body)) throw new Error('a chunk must be a JSON array');
  return body;
}
