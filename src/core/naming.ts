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

export function fleetTags(fleet: string, extra: Record<string, string>): Record<string, string> {
  return { ...extra, [TAG.fleet]: fleet, [TAG.managed]: 'true' };
}
