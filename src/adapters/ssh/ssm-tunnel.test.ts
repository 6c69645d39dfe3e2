import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freeLoopbackPort } from '../net/loopback.js';
import { findOnPath, ssmTunnelCommand } from './ssm-tunnel.js';

describe('SSM tunnel', () => {
  it('builds the aws ssm start-session port-forwarding command', () => {
    expect(ssmTunnelCommand({ instanceId: 'i-0abc1234def567890', localPort: 54022, region: 'eu-west-1' })).toEqual({
      command: 'aws',
      args: [
        'ssm',
        'start-session',
        '--target',
        'i-0abc1234def567890',
        '--document-name',
        'AWS-StartPortForwardingSession',
        '--parameters',
        'portNumber=22,localPortNumber=54022',
        '--region',
        'eu-west-1',
      ],
    });
  });

  it('passes the profile through', () => {
    const { args } = ssmTunnelCommand({
      instanceId: 'i-0abc1234',
      localPort: 1,
      region: 'us-gov-west-1',
      profile: 'ops',
    });
    expect(args.slice(-4)).toEqual(['--region', 'us-gov-west-1', '--profile', 'ops']);
  });

  it('finds executables on PATH only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'path-'));
    writeFileSync(join(dir, 'session-manager-plugin'), '#!/bin/sh\n');
    chmodSync(join(dir, 'session-manager-plugin'), 0o755);
    writeFileSync(join(dir, 'not-executable'), '');
    expect(findOnPath('session-manager-plugin', `/nonexistent:${dir}`)).toBe(join(dir, 'session-manager-plugin'));
    expect(findOnPath('not-executable', dir)).toBeNull();
    expect(findOnPath('session-manager-plugin', undefined)).toBeNull();
  });

  it('picks a free loopback port', async () => {
    const port = await freeLoopbackPort();
    expect(port).toBeGreaterThan(0);
  });
});
