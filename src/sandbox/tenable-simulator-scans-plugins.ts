/**
 * The plugins a simulated host reports. Plugin ids and families are real Nessus ones (severities near them);
 * which host reports which is made up, from a digest of its name (see `hostPlugins`), and every name
 * says "[simulated]".
 */

export type Severity = 0 | 1 | 2 | 3 | 4;

export interface SimPlugin {
  id: number;
  name: string;
  family: string;
  severity: Severity;
  port: number;
  protocol: 'tcp' | 'udp';
  svc: string;
  synopsis: string;
  solution: string;
}

const p = (
  id: number,
  name: string,
  family: string,
  severity: Severity,
  port: number,
  svc: string,
  synopsis: string,
  solution = 'n/a',
): SimPlugin => ({
  id,
  name: `[simulated] ${name}`,
  family,
  severity,
  port,
  protocol: 'tcp',
  svc,
  synopsis,
  solution,
});

/** Plugin ids and families are real ones; which host reports which is made up (see `hostPlugins`). */
export const PLUGINS = {
  scanInfo: p(
    19506,
    'Nessus Scan Information',
    'Settings',
    0,
    0,
    'general',
    'This plugin displays information about the Nessus scan.',
  ),
  synScanner: p(
    11219,
    'Nessus SYN scanner',
    'Port scanners',
    0,
    22,
    'ssh',
    'It is possible to determine which TCP ports are open.',
  ),
  serviceDetection: p(
    22964,
    'Service Detection',
    'Service detection',
    0,
    22,
    'ssh',
    'The remote service could be identified.',
  ),
  sshVersion: p(
    10267,
    'SSH Server Type and Version Information',
    'Service detection',
    0,
    22,
    'ssh',
    'An SSH server is listening on this port.',
  ),
  httpServer: p(
    10107,
    'HTTP Server Type and Version',
    'Web Servers',
    0,
    443,
    'www',
    'A web server is running on the remote host.',
  ),
  sslCertInfo: p(
    10863,
    'SSL Certificate Information',
    'General',
    0,
    443,
    'www',
    'This plugin displays the SSL certificate.',
  ),
  sshCbc: p(
    70658,
    'SSH Server CBC Mode Ciphers Enabled',
    'Misc.',
    1,
    22,
    'ssh',
    'The SSH server is configured to use Cipher Block Chaining.',
    'Disable CBC mode cipher encryption.',
  ),
  sshWeakMac: p(
    71049,
    'SSH Weak MAC Algorithms Enabled',
    'Misc.',
    1,
    22,
    'ssh',
    'The remote SSH server is configured to allow MD5 and 96-bit MAC algorithms.',
    'Disable MD5 and 96-bit MAC algorithms.',
  ),
  certUntrusted: p(
    51192,
    'SSL Certificate Cannot Be Trusted',
    'General',
    2,
    443,
    'www',
    'The SSL certificate for this service cannot be trusted.',
    'Purchase or generate a proper SSL certificate for this service.',
  ),
  selfSigned: p(
    57582,
    'SSL Self-Signed Certificate',
    'General',
    2,
    443,
    'www',
    'The SSL certificate chain for this service ends in an unrecognized self-signed certificate.',
    'Purchase or generate a proper SSL certificate for this service.',
  ),
  tls10: p(
    104743,
    'TLS Version 1.0 Protocol Detection',
    'Service detection',
    2,
    443,
    'www',
    'The remote service encrypts traffic using an older version of TLS.',
    'Enable support for TLS 1.2 and 1.3, and disable support for TLS 1.0.',
  ),
  sweet32: p(
    42873,
    'SSL Medium Strength Cipher Suites Supported (SWEET32)',
    'General',
    3,
    443,
    'www',
    'The remote service supports the use of medium strength SSL ciphers.',
    'Reconfigure the affected application to avoid use of medium strength ciphers.',
  ),
  unsupportedOs: p(
    33850,
    'Unix Operating System Unsupported Version Detection',
    'General',
    4,
    0,
    'general',
    'The operating system running on the remote host is no longer supported.',
    'Upgrade to a version of the Unix operating system that is currently supported.',
  ),
  debugLog: p(
    84239,
    'Debugging Log Report',
    'Settings',
    0,
    0,
    'general',
    'Logs were collected during the scan, as plugin debugging was enabled.',
  ),
} as const;

/** Deterministic per host: the same name always reports the same findings. */
export function hostPlugins(digest: Buffer, debug: boolean): SimPlugin[] {
  const b = (i: number) => digest[i] ?? 0;
  const list: SimPlugin[] = [
    PLUGINS.scanInfo,
    PLUGINS.synScanner,
    PLUGINS.serviceDetection,
    PLUGINS.sshVersion,
    PLUGINS.sshCbc,
  ];
  if (b(0) % 2 === 0) list.push(PLUGINS.sshWeakMac);
  if (b(1) % 4 !== 0) list.push(PLUGINS.httpServer, PLUGINS.sslCertInfo, PLUGINS.certUntrusted, PLUGINS.selfSigned);
  if (b(2) % 3 !== 0) list.push(PLUGINS.tls10);
  if (b(3) % 3 === 0) list.push(PLUGINS.sweet32);
  if (b(4) % 5 === 0) list.push(PLUGINS.unsupportedOs);
  if (debug) list.push(PLUGINS.debugLog);
  return list;
}
