import type { FleetFile } from '../config/schema.js';
import { TENABLE_SITES } from '../config/resolve.js';

export interface SgRule {
  protocol: 'tcp';
  port: number;
  cidr: string;
  description: string;
}

/** Inbound: nothing unless CIDRs are configured (8834 web UI, 22 SSH). */
export function ingressRules(network: FleetFile['network']): SgRule[] {
  return [
    ...network.allowUiFrom.map((cidr) => ({ protocol: 'tcp' as const, port: 8834, cidr, description: 'Nessus web UI' })),
    ...network.allowSshFrom.map((cidr) => ({ protocol: 'tcp' as const, port: 22, cidr, description: 'SSH' })),
  ];
}

/**
 * Outbound: only what linking needs. 443 reaches Tenable, SSM and Secrets Manager (their addresses
 * are not fixed, so the destination stays 0.0.0.0/0); a custom link port or proxy port is added when
 * configured; 80 only for the optional OS update (Amazon Linux repositories).
 */
export function egressRules(config: Pick<FleetFile, 'tenable' | 'link' | 'bootstrap'>): SgRule[] {
  const rules: SgRule[] = [{ protocol: 'tcp', port: 443, cidr: '0.0.0.0/0', description: 'HTTPS to Tenable, SSM and Secrets Manager' }];
  const t = config.tenable;
  const linkPort = t.site === 'custom' ? (t.linkPort ?? 443) : TENABLE_SITES[t.site].linkPort;
  if (linkPort !== 443) rules.push({ protocol: 'tcp', port: linkPort, cidr: '0.0.0.0/0', description: 'Tenable link port' });
  const proxy = config.link.proxy;
  if (proxy && !rules.some((r) => r.port === proxy.port)) {
    rules.push({ protocol: 'tcp', port: proxy.port, cidr: '0.0.0.0/0', description: `proxy ${proxy.host}` });
  }
  if (config.bootstrap.osUpdate && !rules.some((r) => r.port === 80)) {
    rules.push({ protocol: 'tcp', port: 80, cidr: '0.0.0.0/0', description: 'OS package repositories (osUpdate)' });
  }
  return rules;
}

/** An outbound rule for scanning: all traffic to a target CIDR or security group (`scan.egress`). */
export interface ScanEgressRule {
  protocol: '-1';
  /** A CIDR (`10.0.0.0/16`) or a security group id (`sg-…`). */
  destination: string;
  description: string;
}

/**
 * Outbound rules that let the scanners reach their targets. The fleet's group otherwise allows only
 * 443 out, so a network scan from it sees nothing; `scan.egress` lists the networks (CIDRs) or
 * security groups to open, all protocols (port scans, UDP and ICMP probes).
 */
export function scanEgressRules(config: { scan?: { egress?: readonly string[] } | undefined }): ScanEgressRule[] {
  return [...new Set(config.scan?.egress ?? [])].map((destination) => ({
    protocol: '-1' as const,
    destination,
    description: destination.startsWith('sg-') ? `Nessus scans to security group ${destination} (scan.egress)` : `Nessus scans to ${destination} (scan.egress)`,
  }));
}
