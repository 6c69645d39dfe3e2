import { describe, expect, it } from 'vitest';
import type { FleetInstance } from '../../adapters/aws/ec2.js';
import type { ResolvedConfig } from '../../config/resolve.js';
import { TAG } from '../../core/naming.js';
import { parseJump, preflightSsm } from './connect.js';
import { resolveIdentity } from './local-paths.js';
import { sshLogsCommand } from './logs-command.js';
import { defaultVia, pickInstance, targetFromHost } from './target.js';
import { configDir, knownHostsPath } from './local-paths.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const config = (over: Partial<ResolvedConfig> = {}) =>
  ({
    fleet: 'prod',
    region: 'us-east-1',
    scanners: { name: '{fleet}-{instanceId}', count: 2 },
    access: { keyPair: 'create' },
    ...over,
  }) as unknown as ResolvedConfig;

const inst = (
  id: string,
  name: string,
  state = 'running',
  ip: Partial<FleetInstance> = { publicIp: '203.0.113.7', privateIp: '10.0.0.7' },
): FleetInstance => ({
  instanceId: id,
  state,
  instanceType: 'm5.xlarge',
  imageId: 'ami-1',
  tags: { [TAG.scannerName]: name, Name: name },
  ...ip,
});

describe('scanner target', () => {
  it('finds a scanner by name or instance id, preferring the public IP; its host key is known by instance id', () => {
    const all = [
      inst('i-0aaa1111', 'prod-i-0aaa1111'),
      inst('i-0bbb2222', 'prod-i-0bbb2222', 'running', { privateIp: '10.0.0.8' }),
    ];
    expect(pickInstance(config(), all, { scanner: 'prod-i-0aaa1111' })).toEqual({
      name: 'prod-i-0aaa1111',
      instanceId: 'i-0aaa1111',
      host: '203.0.113.7',
      via: 'direct',
      hostKeyName: 'i-0aaa1111',
    });
    expect(pickInstance(config(), all, { scanner: 'i-0bbb2222' })).toMatchObject({
      name: 'prod-i-0bbb2222',
      host: '10.0.0.8',
    });
  });

  it('names the fleet scanners when nothing matches (exit 2), and refuses a stopped one (exit 1)', () => {
    const all = [inst('i-0aaa1111', 'prod-i-0aaa1111'), inst('i-0ccc3333', 'old', 'stopped')];
    expect(() => pickInstance(config(), all, { scanner: 'nope' })).toThrowError(
      expect.objectContaining({ exitCode: 2, hint: expect.stringContaining('prod-i-0aaa1111') }),
    );
    expect(() => pickInstance(config(), all, { scanner: 'old' })).toThrowError(
      expect.objectContaining({ code: 'SCANNER_NOT_RUNNING', exitCode: 1 }),
    );
  });

  it('goes through SSM by default when the fleet has no key pair', () => {
    expect(defaultVia(config({ access: { keyPair: 'none' } } as Partial<ResolvedConfig>), {})).toBe('ssm');
    expect(
      defaultVia(config({ access: { keyPair: 'none' } } as Partial<ResolvedConfig>), { jump: 'ec2-user@bastion' }),
    ).toBe('direct');
    expect(defaultVia(config(), {})).toBe('direct');
    expect(defaultVia(config(), { via: 'ssm' })).toBe('ssm');
  });

  it('with --host, takes the argument as the name, or renders it from an instance id', () => {
    expect(targetFromHost(config(), { scanner: 'scanner-1', host: '127.0.0.1' })).toEqual({
      name: 'scanner-1',
      host: '127.0.0.1',
      via: 'direct',
    });
    expect(targetFromHost(config(), { scanner: 'i-0abc12345', host: '127.0.0.1' })).toMatchObject({
      name: 'prod-i-0abc12345',
      instanceId: 'i-0abc12345',
    });
    expect(() =>
      targetFromHost(config({ scanners: { name: '{fleet}-{index}' } } as Partial<ResolvedConfig>), {
        scanner: 'i-0abc12345',
        host: 'h',
      }),
    ).toThrowError(/cannot be derived/);
    expect(() => targetFromHost(config(), { scanner: 's', host: 'h', via: 'ssm' })).toThrowError(/cannot be combined/);
  });
});

describe('connection details', () => {
  it('parses --jump', () => {
    expect(parseJump('ops@bastion.example.com:2222', 'ec2-user')).toEqual({
      user: 'ops',
      host: 'bastion.example.com',
      port: 2222,
    });
    expect(parseJump('bastion', 'ec2-user')).toEqual({ user: 'ec2-user', host: 'bastion', port: 22 });
    expect(() => parseJump('a@b:99999', 'u')).toThrowError(/user@host/);
  });

  it('says what to install when Session Manager cannot be used', () => {
    expect(() => preflightSsm({ PATH: '/nonexistent' })).toThrowError(
      expect.objectContaining({
        exitCode: 2,
        message: expect.stringContaining('session-manager-plugin'),
        hint: expect.stringContaining('session-manager-working-with-install-plugin'),
      }),
    );
  });

  it('keeps known_hosts under the user config directory', () => {
    expect(configDir({ NESSUS_BYOL_CONFIG_DIR: '/x' })).toBe('/x');
    expect(knownHostsPath({ XDG_CONFIG_HOME: '/cfg' })).toBe('/cfg/nessus-byol/known_hosts');
    expect(knownHostsPath({ HOME: '/home/u' })).toBe('/home/u/.config/nessus-byol/known_hosts');
  });

  it('finds the fleet key file, and explains keyPair: none when there is none', () => {
    const dir = mkdtempSync(join(tmpdir(), 'id-'));
    writeFileSync(join(dir, 'nessus-byol-prod-us-east-1.pem'), 'KEY');
    expect(resolveIdentity(config(), undefined, {}, dir)).toMatchObject({
      path: join(dir, 'nessus-byol-prod-us-east-1.pem'),
    });
    expect(() =>
      resolveIdentity(
        config({ access: { keyPair: 'none' } } as Partial<ResolvedConfig>),
        undefined,
        {},
        join(dir, 'empty'),
      ),
    ).toThrowError(expect.objectContaining({ exitCode: 2, hint: expect.stringContaining('keyPair: none') }));
    expect(resolveIdentity(config(), undefined, { SSH_AUTH_SOCK: '/tmp/agent' }, join(dir, 'empty'))).toEqual({
      agent: '/tmp/agent',
    });
    expect(() => resolveIdentity(config(), 'missing.pem', {}, dir)).toThrowError(/no such file/);
  });
});

describe('sshLogsCommand', () => {
  it('gives the exact command, quoting only when needed', () => {
    expect(sshLogsCommand('fleet.yaml', 'prod-i-0abc1234')).toBe('nessus-byol ssh prod-i-0abc1234 logs -f fleet.yaml');
    expect(sshLogsCommand('my fleets/prod.yaml', 'prod-1')).toBe(
      "nessus-byol ssh prod-1 logs -f 'my fleets/prod.yaml'",
    );
  });
});
