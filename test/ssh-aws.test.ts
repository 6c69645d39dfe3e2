import { has } from './helpers/tools.js';
import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ssmTunnelCommand } from '../src/adapters/ssh/ssm-tunnel.js';
import { TAG } from '../src/core/naming.js';
import { motoClientConfig, sandboxAwsEnv } from '../src/sandbox/aws-env.js';
import { SANDBOX_AMIS, startMoto, type MotoServer } from '../src/sandbox/moto.js';
import { writeStandIns } from '../src/sandbox/stand-ins/index.js';
import { expectNoStackTrace, runCli } from './helpers/cli.js';
import { HAS_SSHD, startSshd, type TestSshd } from './helpers/sshd.js';

const HAS_MOTO = has('moto_server');
const REGION = 'us-east-1';
const NAME = 'ssh-aws-scanner-1';

/**
 * A stand-in `aws` for `aws ssm start-session … AWS-StartPortForwardingSession`: records its argv and
 * forwards localPortNumber to the test sshd, as the Session Manager plugin would to the instance.
 */
const FAKE_AWS = `#!/usr/bin/env node
const net = require('node:net');
const fs = require('node:fs');
const args = process.argv.slice(2);
fs.appendFileSync(process.env.FAKE_SSM_LOG, JSON.stringify(args) + '\\n');
const params = args[args.indexOf('--parameters') + 1] || '';
const local = Number(/localPortNumber=(\\d+)/.exec(params)[1]);
const server = net.createServer((c) => {
  const up = net.connect(Number(process.env.FAKE_SSM_TARGET_PORT), '127.0.0.1');
  c.pipe(up).pipe(c);
  c.on('error', () => up.destroy());
  up.on('error', () => c.destroy());
});
server.listen(local, '127.0.0.1', () => console.log('Waiting for connections...'));
process.on('SIGTERM', () => { fs.appendFileSync(process.env.FAKE_SSM_LOG, '"closed"\\n'); process.exit(0); });
`;

describe.skipIf(!HAS_SSHD || !HAS_MOTO)(
  'nessus-byol ssh with the scanner looked up in AWS (moto) and a Session Manager tunnel',
  () => {
    let moto: MotoServer;
    let sshd: TestSshd;
    let work: string;
    let fleet: string;
    let fakeBin: string;
    let ssmLog: string;
    let instanceId: string;

    beforeAll(async () => {
      work = mkdtempSync(join(tmpdir(), 'nessus-byol-ssh-aws-'));
      const bin = join(work, 'bin');
      writeStandIns(bin);
      [moto, sshd] = await Promise.all([
        startMoto({ stateDir: join(work, 'moto') }),
        startSshd({
          env: {
            PATH: `${bin}:/usr/bin:/bin:/usr/sbin:/sbin`,
            NESSUS_BYOL_NESSUSCLI: join(bin, 'nessuscli'),
            NESSUS_BYOL_STANDIN_LOG: join(work, 'standin.log'),
          },
        }),
      ]);
      const ec2 = new EC2Client(motoClientConfig(moto.endpoint, REGION));
      const out = await ec2.send(
        new RunInstancesCommand({
          ImageId: SANDBOX_AMIS.byol,
          MinCount: 1,
          MaxCount: 1,
          InstanceType: 'm5.xlarge',
          TagSpecifications: [
            {
              ResourceType: 'instance',
              Tags: [
                { Key: TAG.fleet, Value: 'ssh-aws' },
                { Key: TAG.managed, Value: 'true' },
                { Key: TAG.scannerName, Value: NAME },
                { Key: 'Name', Value: NAME },
              ],
            },
          ],
        }),
      );
      instanceId = out.Instances![0]!.InstanceId!;
      fakeBin = join(work, 'fake-bin');
      mkdirSync(fakeBin);
      writeFileSync(join(fakeBin, 'aws'), FAKE_AWS);
      writeFileSync(join(fakeBin, 'session-manager-plugin'), '#!/bin/sh\nexit 0\n');
      chmodSync(join(fakeBin, 'aws'), 0o755);
      chmodSync(join(fakeBin, 'session-manager-plugin'), 0o755);
      ssmLog = join(work, 'ssm.log');
      fleet = join(work, 'fleet.yaml');
      writeFileSync(
        fleet,
        ['version: 1', 'fleet: ssh-aws', `region: ${REGION}`, 'access: { keyPair: none }', ''].join('\n'),
      );
    });

    afterAll(async () => {
      await Promise.all([moto?.stop(), sshd?.stop()]);
      if (work) rmSync(work, { recursive: true, force: true });
    });

    const env = (path: string) => ({
      ...sandboxAwsEnv(moto.endpoint, REGION),
      PATH: path,
      NESSUS_BYOL_CONFIG_DIR: join(work, 'config'),
      FAKE_SSM_LOG: ssmLog,
      FAKE_SSM_TARGET_PORT: String(sshd.port),
      SSH_AUTH_SOCK: undefined,
    });

    it('keyPair: none → reaches the instance found by its scanner name through `aws ssm start-session`, recording the host key under the instance id', async () => {
      const r = await runCli(['ssh', NAME, 'status', '-f', fleet, '--user', sshd.user, '--identity', sshd.userKey], {
        env: env(`${fakeBin}:${process.env.PATH}`),
      });
      expectNoStackTrace(r.stderr);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(`Session Manager tunnel to ${instanceId}`);
      expect(r.stderr).toContain(sshd.hostKeyFingerprint());
      expect(r.stdout).toContain(`${NAME} (${instanceId})`);
      const log = readFileSync(ssmLog, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as unknown);
      const argv = log[0] as string[];
      const localPort = Number(/localPortNumber=(\d+)/.exec(argv.join(' '))![1]);
      expect(argv).toEqual(ssmTunnelCommand({ instanceId, localPort, region: REGION }).args);
      expect(log.at(-1)).toBe('closed');
      expect(readFileSync(join(work, 'config', 'known_hosts'), 'utf8')).toMatch(
        new RegExp(`^${instanceId} ssh-ed25519 `, 'm'),
      );
    });

    it('without session-manager-plugin on PATH it says what to install (exit 2), before connecting', async () => {
      const noPlugin = join(work, 'no-plugin');
      mkdirSync(noPlugin, { recursive: true });
      writeFileSync(join(noPlugin, 'aws'), FAKE_AWS, { mode: 0o755 });
      const r = await runCli(['ssh', instanceId, 'status', '-f', fleet, '--identity', sshd.userKey], {
        env: env(`${noPlugin}:/usr/bin:/bin`),
      });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('session-manager-plugin');
      expect(r.stderr).toContain('session-manager-working-with-install-plugin');
    });

    it('an unknown scanner lists the fleet (exit 2)', async () => {
      const r = await runCli(['ssh', 'nope', 'status', '-f', fleet, '--identity', sshd.userKey], {
        env: env(`${fakeBin}:${process.env.PATH}`),
      });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(NAME);
      expect(existsSync(ssmLog) ? readFileSync(ssmLog, 'utf8').split('\n').filter(Boolean).length : 0).toBe(2);
    });
  },
);
