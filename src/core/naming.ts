/** Names and tags of everything a fleet owns. IAM is global, so IAM names carry the region. */
export const TAG = {
  fleet: 'nessus-byol:fleet',
  managed: 'nessus-byol:managed',
  scannerName: 'nessus-byol:scanner-name',
  scannerId: 'nessus-byol:scanner-id',
  scannerUuid: 'nessus-byol:scanner-uuid',
  region: 'nessus-byol:region',
  runId: 'nessus-byol:run-id',
} as const;

export function securityGroupName(fleet: string): string {
  return `nessus-byol-${fleet}`;
}

export function iamRoleName(fleet: string, region: string): string {
  return `nessus-byol-${fleet}-${region}`;
}

export function instanceProfileName(fleet: string, region: string): string {
  return iamRoleName(fleet, region);
}

export function keyPairName(fleet: string): string {
  return `nessus-byol-${fleet}`;
}

export function ownedLinkingKeyParameter(fleet: string): string {
  return `/nessus-byol/${fleet}/linking-key`;
}

export function lockParameter(fleet: string): string {
  return `/nessus-byol/${fleet}/lock`;
}

export function defaultPrivateKeyPath(fleet: string, region: string): string {
  return `./nessus-byol-${fleet}-${region}.pem`;
}

/** Renders a scanner name template for display or for a known instance. */
export function scannerName(template: string, v: { fleet: string; region: string; index?: number; instanceId?: string }): string {
  return template
    .replaceAll('{fleet}', v.fleet)
    .replaceAll('{region}', v.region)
    .replaceAll('{index}', v.index === undefined ? '{index}' : String(v.index))
    .replaceAll('{instanceId}', v.instanceId ?? '{instanceId}');
}

/**
 * A pattern matching exactly the names the template renders for this fleet and region, with any
 * instance id / short suffix / index: `prod-{instanceId}` matches `prod-i-0abc…` but never
 * `prod-eu-i-0abc…` (another fleet sharing the prefix).
 */
export function scannerNamePattern(template: string, v: { fleet: string; region: string }): RegExp {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const parts = template.split(/(\{fleet\}|\{region\}|\{index\}|\{instanceId\})/);
  const source = parts
    .map((p) => {
      if (p === '{fleet}') return escape(v.fleet);
      if (p === '{region}') return escape(v.region);
      if (p === '{index}') return '\\d+';
      if (p === '{instanceId}') return '(?:i-[0-9a-f]{8,17}|[0-9a-f]{4})';
      return escape(p);
    })
    .join('');
  return new RegExp(`^${source}$`);
}

export function fleetTags(fleet: string, extra: Record<string, string>): Record<string, string> {
  return { ...extra, [TAG.fleet]: fleet, [TAG.managed]: 'true' };
}
