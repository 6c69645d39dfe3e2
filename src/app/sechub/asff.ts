import { isIP } from 'node:net';
import { arn, partitionOf } from '../../core/partition.js';
import type { AsffFinding, AsffVulnerability, AwsAsset, TenableSeverity, TenableVuln } from './types.js';

/**
 * Tenable vulnerability finding + its EC2 asset → one ASFF finding. Pure: the same input gives the
 * same finding (no clock), so re-sending a finding updates it in place instead of duplicating it.
 */

export const SCHEMA_VERSION = '2018-10-08';
export const TITLE_MAX = 256;
export const DESCRIPTION_MAX = 1024;
export const REMEDIATION_TEXT_MAX = 512;
/** ProductFields: up to 50 pairs, values up to 2048 characters. */
export const PRODUCT_FIELD_VALUE_MAX = 2048;
export const RELATED_CVES_MAX = 50;

const SEVERITY_LABEL: Record<TenableSeverity, AsffFinding['Severity']['Label']> = {
  info: 'INFORMATIONAL',
  low: 'LOW',
  medium: 'MEDIUM',
  high: 'HIGH',
  critical: 'CRITICAL',
};

export function severityLabel(s: TenableSeverity): AsffFinding['Severity']['Label'] {
  return SEVERITY_LABEL[s];
}

export function defaultProductArn(region: string): string {
  return `arn:${partitionOf(region)}:securityhub:${region}::product/tenable/vulnerability-management`;
}

/** Stable per region/instance/plugin/port/protocol: the same check on two ports is two findings. */
export function findingId(p: {
  region: string;
  instanceId: string;
  pluginId: number;
  port: number;
  protocol: string;
}): string {
  return `${p.region}/${p.instanceId}/${p.pluginId}/${p.port}/${p.protocol.toLowerCase()}`;
}

export function ec2InstanceArn(asset: Pick<AwsAsset, 'region' | 'ownerId' | 'instanceId'>): string {
  return arn({
    partition: partitionOf(asset.region),
    service: 'ec2',
    region: asset.region,
    account: asset.ownerId,
    resource: `instance/${asset.instanceId}`,
  });
}

export function pluginUrl(pluginId: number): string {
  return `https://www.tenable.com/plugins/nessus/${pluginId}`;
}

/** At most `max` characters (code points, as AWS counts them), ending in "…" when cut. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return `${chars.slice(0, max - 1).join('')}…`;
}

const ACTIVE_STATES = new Set(['open', 'reopened']);

export interface AsffContext {
  productArn: string;
  /** Used only when Tenable gave no usable timestamp (CreatedAt/UpdatedAt are required). */
  fallbackTime: string;
}

export function toAsff(v: TenableVuln, asset: AwsAsset, ctx: AsffContext): AsffFinding {
  const firstFound = isoOrUndefined(v.firstFound);
  const lastFound = isoOrUndefined(v.lastFound);
  const lastFixed = isoOrUndefined(v.lastFixed);
  const createdAt = firstFound ?? lastFound ?? ctx.fallbackTime;
  // The latest thing Tenable observed: deterministic, and later whenever the finding changes state.
  const updatedAt = latest([createdAt, lastFound, v.state === 'fixed' ? lastFixed : undefined]);
  const webUrls = v.seeAlso.filter(isHttpUrl);
  const finding: AsffFinding = {
    SchemaVersion: SCHEMA_VERSION,
    Id: findingId({
      region: asset.region,
      instanceId: asset.instanceId,
      pluginId: v.pluginId,
      port: v.port,
      protocol: v.protocol,
    }),
    ProductArn: ctx.productArn,
    GeneratorId: `tenable-plugin-${v.pluginId}`,
    AwsAccountId: asset.ownerId,
    Types: [
      v.cves.length > 0
        ? 'Software and Configuration Checks/Vulnerabilities/CVE'
        : 'Software and Configuration Checks/Vulnerabilities',
    ],
    CreatedAt: createdAt,
    UpdatedAt: updatedAt,
    ...(firstFound ? { FirstObservedAt: firstFound } : {}),
    ...(lastFound ? { LastObservedAt: lastFound } : {}),
    Severity: { Label: severityLabel(v.severity), Original: v.severity },
    Title: truncate(oneLine(v.pluginName) || `Tenable plugin ${v.pluginId}`, TITLE_MAX),
    Description: truncate(
      (v.description ?? v.synopsis ?? v.pluginName).trim() || `Tenable plugin ${v.pluginId}`,
      DESCRIPTION_MAX,
    ),
    SourceUrl: pluginUrl(v.pluginId),
    ProductFields: productFields(v, asset),
    Resources: [
      {
        Type: 'AwsEc2Instance',
        Id: ec2InstanceArn(asset),
        Partition: partitionOf(asset.region),
        Region: asset.region,
        Details: { AwsEc2Instance: instanceDetails(asset) },
      },
    ],
    RecordState: ACTIVE_STATES.has(v.state) ? 'ACTIVE' : 'ARCHIVED',
  };
  const remediation = remediationOf(v, webUrls);
  if (remediation) finding.Remediation = { Recommendation: remediation };
  if (v.cves.length > 0) finding.Vulnerabilities = [vulnerabilityOf(v, webUrls)];
  return finding;
}

function productFields(v: TenableVuln, asset: AwsAsset): Record<string, string> {
  const fields: Record<string, string | number | undefined> = {
    'tenable/plugin/id': v.pluginId,
    'tenable/plugin/family': v.pluginFamily,
    'tenable/plugin/type': v.pluginType,
    'tenable/asset/uuid': asset.uuid,
    'tenable/port': v.port,
    'tenable/protocol': v.protocol.toLowerCase(),
    'tenable/service': v.service,
    'tenable/state': v.state,
    'tenable/cves': v.cves.length > 0 ? v.cves.join(', ') : undefined,
    'tenable/vpr': v.vprScore,
    'tenable/last_fixed': v.state === 'fixed' ? isoOrUndefined(v.lastFixed) : undefined,
  };
  const out: Record<string, string> = {};
  for (const [k, value] of Object.entries(fields)) {
    if (value !== undefined && value !== '') out[k] = truncate(String(value), PRODUCT_FIELD_VALUE_MAX);
  }
  return out;
}

function instanceDetails(a: AwsAsset): AsffFinding['Resources'][number]['Details']['AwsEc2Instance'] {
  const ipv4 = a.ipv4s.filter((ip) => isIP(ip) === 4);
  const ipv6 = a.ipv6s.filter((ip) => isIP(ip) === 6);
  return {
    ...(a.instanceType ? { Type: a.instanceType } : {}),
    ...(a.amiId ? { ImageId: a.amiId } : {}),
    ...(ipv4.length ? { IpV4Addresses: ipv4 } : {}),
    ...(ipv6.length ? { IpV6Addresses: ipv6 } : {}),
    ...(a.subnetId ? { SubnetId: a.subnetId } : {}),
    ...(a.vpcId ? { VpcId: a.vpcId } : {}),
  };
}

function remediationOf(v: TenableVuln, webUrls: string[]): { Text?: string; Url?: string } | undefined {
  const text = v.solution?.trim();
  const url = webUrls[0];
  if (!text && !url) return undefined;
  return { ...(text ? { Text: truncate(text, REMEDIATION_TEXT_MAX) } : {}), ...(url ? { Url: url } : {}) };
}

function vulnerabilityOf(v: TenableVuln, webUrls: string[]): AsffVulnerability {
  const [first, ...rest] = v.cves;
  return {
    Id: first!,
    ...(rest.length ? { RelatedVulnerabilities: rest.slice(0, RELATED_CVES_MAX) } : {}),
    Vendor: { Name: 'Tenable', Url: pluginUrl(v.pluginId) },
    ...(webUrls.length ? { ReferenceUrls: webUrls.slice(0, 10) } : {}),
    ...(v.hasPatch === undefined ? {} : { FixAvailable: v.hasPatch ? ('YES' as const) : ('NO' as const) }),
    ...(v.cvss3BaseScore === undefined
      ? {}
      : {
          Cvss: [
            { Version: '3.0', BaseScore: v.cvss3BaseScore, ...(v.cvss3Vector ? { BaseVector: v.cvss3Vector } : {}) },
          ],
        }),
  };
}

function isoOrUndefined(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

function latest(times: (string | undefined)[]): string {
  return times.filter((t): t is string => t !== undefined).reduce((a, b) => (Date.parse(b) > Date.parse(a) ? b : a));
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

function isHttpUrl(s: string): boolean {
  return /^https?:\/\/\S+$/i.test(s.trim()) && s.length <= 1024;
}
