import { Secret } from '../core/secret.js';
import type { BootstrapInput, KeySource, Proxy, StandaloneInput } from './types.js';

/** The linking key used by the tests (64 hex digits, like a real one). */
export const TEST_KEY = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';
export const TEST_PROXY_PASSWORD = 'pr0xy-Pa55word';
export const TEST_CODE = 'ABCD-EFGH-IJKL-MNOP';

export const ssmKey: KeySource = { kind: 'ssm', parameter: '/nessus/linking-key', region: 'us-east-1' };
export const smKey: KeySource = { kind: 'secretsmanager', secretId: 'nessus/linking-key', region: 'us-east-1' };
export const embeddedKey = (): KeySource => ({ kind: 'embedded', key: new Secret(TEST_KEY, 'linking key') });

export const proxyPlain: Proxy = { host: 'proxy.corp.example', port: 3128 };
export const proxyAuth: Proxy = {
  host: '10.0.0.5',
  port: 8080,
  username: 'svc-nessus',
  password: { kind: 'ssm', parameter: '/nessus/proxy-password', region: 'us-east-1' },
  agent: 'Mozilla/5.0 (Nessus)',
};

export function bootstrapInput(overrides: Partial<BootstrapInput> = {}): BootstrapInput {
  return {
    fleet: 'prod-scanners',
    region: 'us-east-1',
    nameTemplate: '{fleet}-{instanceId}',
    target: { kind: 'cloud' },
    awsScanner: false,
    key: ssmKey,
    osUpdate: false,
    toolVersion: '0.1.0',
    ...overrides,
  };
}

export function standaloneInput(overrides: Partial<StandaloneInput> = {}): StandaloneInput {
  return {
    fleet: 'prod-scanners',
    region: 'us-east-1',
    activationCode: { kind: 'ssm', parameter: '/nessus/activation-code', region: 'us-east-1' },
    osUpdate: false,
    toolVersion: '0.1.0',
    ...overrides,
  };
}

/** The `nessuscli managed link` line of a rendered script. */
export function linkLine(script: string): string {
  const lines = script.split('\n').filter((l) => l.includes('managed link'));
  if (lines.length !== 1) throw new Error(`expected one link line, found ${lines.length}`);
  return lines[0]!.trim();
}

export function nameLine(script: string): string {
  const line = script.split('\n').find((l) => l.startsWith('NAME='));
  if (!line) throw new Error('no NAME= line');
  return line;
}
