import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DescribeInstancesCommand, DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import type { FaultRule } from '../src/sandbox/fault-proxy.js';
import { expectNoStackTrace } from './helpers/cli.js';
import { startE2eSandbox, type E2eSandbox } from './helpers/sandbox-e2e.js';

/**
 * The bad-input corpus, continued: what the environment and remote services answer (the file and
 * flag rows are in bad-input.test.ts). Each row asserts the exit code, a message naming the cause and
 * the fix, no stack trace, and that nothing tagged with the fleet was left in AWS.
 */
interface RemoteCase {
  name: string;
  /** Fleet file edits on top of examples/minimal.yaml (fleet name is the case's own). */
  fleet?: Record<string, unknown>;
  args?: string[] | ((e2e: E2eSandbox) => string[]);
  /** The command run with `-f F --yes --json` (default `up`). */
  command?: string[];
  env?: (e2e: E2eSandbox) => Record<string, string | undefined>;
  aws?: FaultRule[];
  tenable?: Record<string, unknown>;
  setup?: (e2e: E2eSandbox, dir: string) => void;
  expect: { code: number; errorCode?: string; messages: (string | RegExp)[] };
}

export const REMOTE_BAD_INPUT_CASES: RemoteCase[] = [
  {
    name: 'no AWS credentials anywhere',
    env: () => ({
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
      AWS_CONFIG_FILE: '/nonexistent/config',
      AWS_EC2_METADATA_DISABLED: 'true',
    }),
    expect: { code: 1, errorCode: 'AWS_NO_CREDENTIALS', messages: ['No AWS credentials were found', 'aws sso login'] },
  },
  {
    name: 'invalid AWS credentials (AuthFailure)',
    aws: [{ times: Infinity, error: { status: 401, code: 'AuthFailure', message: 'AWS was not able to validate the provided access credentials' } }],
    expect: { code: 1, errorCode: 'AWS_INVALID_CREDENTIALS', messages: ['AWS rejected the credentials', 'aws sts get-caller-identity'] },
  },
  {
    name: 'expired session token',
    aws: [{ times: Infinity, error: { status: 400, code: 'ExpiredToken', message: 'The security token included in the request is expired' } }],
    expect: { code: 1, errorCode: 'AWS_EXPIRED_TOKEN', messages: ['session token has expired', 'refresh it'] },
  },
  {
    name: 'AMI not subscribed in Marketplace (OptInRequired on RunInstances)',
    aws: [{ action: 'RunInstances', times: Infinity, error: { status: 401, code: 'OptInRequired', message: 'In order to use this AWS Marketplace product you need to accept terms and subscribe.' } }],
    expect: { code: 1, errorCode: 'AWS_NOT_SUBSCRIBED', messages: ['not subscribed to the Nessus Marketplace listing', 'Continue to Subscribe'] },
  },
  {
    name: 'instance type not offered in the availability zones',
    fleet: { scanners: { count: 1, instanceType: 'm5.xlarge' } },
    aws: [{ action: 'RunInstances', times: Infinity, error: { status: 400, code: 'Unsupported', message: 'Your requested instance type (m5.xlarge) is not supported in your requested Availability Zone.' } }],
    expect: { code: 1, errorCode: 'AWS_INSTANCE_TYPE_NOT_OFFERED', messages: ['m5.xlarge is not offered', 'describe-instance-type-offerings'] },
  },
  {
    name: 'the caller lacks a permission (UnauthorizedOperation on CreateSecurityGroup)',
    aws: [{ action: 'CreateSecurityGroup', times: Infinity, error: { status: 403, code: 'UnauthorizedOperation', message: 'You are not authorized to perform this operation.' } }],
    expect: { code: 1, errorCode: 'AWS_ACCESS_DENIED', messages: ['AWS denied creating the security group', 'nessus-byol iam-policy'] },
  },
  {
    name: 'AWS endpoint unreachable',
    env: () => ({ AWS_ENDPOINT_URL: 'http://127.0.0.1:9' }),
    expect: { code: 1, errorCode: 'AWS_UNREACHABLE', messages: ['AWS could not be reached', 'AWS_ENDPOINT_URL'] },
  },
  {
    name: 'pinned AMI that does not exist in the region',
    fleet: { ami: { id: 'ami-0123456789abcdef0' } },
    expect: { code: 1, errorCode: 'AWS_AMI_NOT_FOUND', messages: ['ami-0123456789abcdef0 does not exist in us-east-1', 'AMI ids differ per region'] },
  },
  {
    name: 'Tenable keys rejected (401)',
    env: () => ({ TIO_ACCESS_KEY: 'a'.repeat(64), TIO_SECRET_KEY: 'b'.repeat(64) }),
    expect: { code: 1, errorCode: 'TENABLE_UNAUTHORIZED', messages: ['TIO_ACCESS_KEY'] },
  },
  {
    name: 'Tenable key without the linking-key permission (403 Insufficient scope)',
    tenable: { permissions: { deny: ['linking-key'] } },
    expect: { code: 1, errorCode: 'TENABLE_FORBIDDEN', messages: ['Insufficient scope', 'Scan Manager'] },
  },
  {
    // The sandbox sets TIO_URL and its alias alike; this row moves TIO_URL (issue 16: the alias alone would conflict).
    name: 'wrong Tenable URL (a server that is not Tenable)',
    env: (e2e) => ({ TIO_URL: e2e.sandbox.motoEndpoint, NESSUS_BYOL_TENABLE_API_URL: undefined }),
    expect: { code: 1, errorCode: 'TENABLE_NOT_TENABLE', messages: ['is not a Tenable API', 'Check TIO_URL', /Check TIO_URL: it made nessus-byol call http:\/\/127\.0\.0\.1:\d+/] },
  },
  {
    name: 'wrong Tenable URL from --tenable-url: the hint names the flag, not TIO_URL',
    args: (e2e) => ['--tenable-url', e2e.sandbox.motoEndpoint],
    expect: { code: 1, errorCode: 'TENABLE_NOT_TENABLE', messages: ['is not a Tenable API', /Check --tenable-url: it made nessus-byol call http:\/\/127\.0\.0\.1:\d+/] },
  },
  {
    name: 'wrong Tenable URL from the NESSUS_BYOL_TENABLE_API_URL alias: the hint names the alias',
    env: (e2e) => ({ TIO_URL: undefined, NESSUS_BYOL_TENABLE_API_URL: e2e.sandbox.motoEndpoint }),
    expect: { code: 1, errorCode: 'TENABLE_NOT_TENABLE', messages: ['is not a Tenable API', 'Check NESSUS_BYOL_TENABLE_API_URL'] },
  },
  {
    name: 'TIO_URL and NESSUS_BYOL_TENABLE_API_URL disagree',
    env: (e2e) => ({ NESSUS_BYOL_TENABLE_API_URL: e2e.sandbox.motoEndpoint }),
    expect: { code: 2, errorCode: 'USAGE', messages: ['TIO_URL=http://127.0.0.1', 'NESSUS_BYOL_TENABLE_API_URL=http://127.0.0.1', 'name different Tenable API URLs'] },
  },
  {
    name: 'Tenable keys missing from the environment',
    env: () => ({ TIO_ACCESS_KEY: undefined, TIO_SECRET_KEY: undefined }),
    expect: { code: 2, errorCode: 'USAGE', messages: ['TIO_ACCESS_KEY and TIO_SECRET_KEY are not set', 'API Keys'] },
  },
  {
    name: 'link.key.from env without NESSUS_LINKING_KEY',
    fleet: { link: { key: { from: 'env' } } },
    env: () => ({ NESSUS_LINKING_KEY: undefined }),
    expect: { code: 2, errorCode: 'USAGE', messages: ['NESSUS_LINKING_KEY is not set', 'from: tenable-api'] },
  },
  {
    name: 'linking key SSM parameter that does not exist',
    fleet: { link: { key: { from: 'ssm', parameter: '/missing/linking-key' } } },
    expect: { code: 1, errorCode: 'AWS_PARAMETER_NOT_FOUND', messages: ['/missing/linking-key', 'nessus-byol linking-key --store ssm:/missing/linking-key'] },
  },
  {
    name: 'keyPair: create with an existing private key file',
    fleet: { access: { keyPair: 'create', privateKeyPath: './existing.pem' } },
    setup: (_e2e, dir) => writeFileSync(join(dir, 'existing.pem'), 'not a key\n'),
    expect: { code: 2, errorCode: 'USAGE', messages: ['existing.pem already exists', 'never overwrites'] },
  },
  {
    name: 'keyPair import of a file that is not a public key',
    fleet: { access: { keyPair: { import: './id.pub' } } },
    setup: (_e2e, dir) => writeFileSync(join(dir, 'id.pub'), '-----BEGIN OPENSSH PRIVATE KEY-----\n'),
    expect: { code: 2, errorCode: 'USAGE', messages: ['not an OpenSSH public key', '.pub'] },
  },
  {
    name: '--timeout that is not a duration',
    args: ['--timeout', 'soon'],
    expect: { code: 2, errorCode: 'USAGE', messages: ['--timeout soon is not a duration', '20m'] },
  },
  {
    name: 'scan: unknown --template (lists the names Tenable has)',
    command: ['scan'],
    args: ['--template', 'no-such-template'],
    expect: { code: 2, errorCode: 'USAGE', messages: ['no scan template named "no-such-template"', 'basic'] },
  },
  {
    name: 'scan: empty target list',
    command: ['scan'],
    args: ['--target-tag', 'Nothing=matches'],
    expect: { code: 2, errorCode: 'USAGE', messages: ['No scan targets', '--targets'] },
  },
  {
    name: 'scan: no linked scanner of the fleet (exit 1 naming `nessus-byol status`)',
    command: ['scan'],
    fleet: { link: { groups: ['AWS scanners'] } },
    args: ['--targets', '10.0.0.5'],
    expect: { code: 1, errorCode: 'NO_READY_SCANNER', messages: ['No scanner of fleet', 'nessus-byol status'] },
  },
  {
    name: 'audit scan: no audit credential (hint `audit setup`)',
    command: ['audit', 'scan'],
    expect: { code: 1, errorCode: 'AUDIT_CREDENTIAL_MISSING', messages: ['credential named "nessus-byol AWS audit"', 'nessus-byol audit setup'] },
  },
];

let e2e: E2eSandbox;

beforeAll(async () => {
  e2e = await startE2eSandbox();
}, 120_000);

afterAll(async () => {
  await e2e?.stop();
});

afterEach(async () => {
  e2e.proxy.setRules([]);
  await simConfig({ permissions: { deny: [] } });
});

async function simConfig(body: Record<string, unknown>): Promise<void> {
  await fetch(`${e2e.sandbox.simulatorUrl}/_sim/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

async function expectNothingTagged(fleet: string): Promise<void> {
  const ec2 = e2e.ec2();
  const instances = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:nessus-byol:fleet', Values: [fleet] }, { Name: 'instance-state-name', Values: ['pending', 'running', 'stopped'] }] }));
  expect((instances.Reservations ?? []).flatMap((r) => r.Instances ?? [])).toHaveLength(0);
  const sgs = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'tag:nessus-byol:fleet', Values: [fleet] }] }));
  expect(sgs.SecurityGroups).toHaveLength(0);
  await expect(e2e.iam().send(new GetRoleCommand({ RoleName: `nessus-byol-${fleet}-us-east-1` }))).rejects.toThrow();
}

describe('bad input from the environment and remote answers', () => {
  it('the remote corpus has its rows (with bad-input.test.ts: well over 40 cases)', () => {
    expect(REMOTE_BAD_INPUT_CASES.length).toBeGreaterThanOrEqual(15);
  });

  REMOTE_BAD_INPUT_CASES.forEach((c, i) => {
    it(c.name, { timeout: 120_000 }, async () => {
      const fleet = `bad-remote-${i}`;
      const file = e2e.fleetFrom('minimal.yaml', (doc) => {
        doc.setIn(['fleet'], fleet);
        for (const [k, v] of Object.entries(c.fleet ?? {})) doc.setIn([k], doc.createNode(v));
      });
      c.setup?.(e2e, e2e.dir);
      if (c.aws) e2e.proxy.setRules(c.aws);
      if (c.tenable) await simConfig(c.tenable);
      const args = typeof c.args === 'function' ? c.args(e2e) : (c.args ?? []);
      const r = await e2e.cli([...(c.command ?? ['up']), '-f', file, '--yes', '--json', ...args], c.env?.(e2e) ?? {});
      e2e.proxy.setRules([]);
      expect(r.code, r.stderr).toBe(c.expect.code);
      expectNoStackTrace(r.stderr);
      for (const m of c.expect.messages) expect(r.stderr).toMatch(typeof m === 'string' ? new RegExp(m.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : m);
      const doc = JSON.parse(r.stdout) as { ok: boolean; error: { code: string; message: string; hint?: string } };
      expect(doc.ok).toBe(false);
      if (c.expect.errorCode) expect(doc.error.code).toBe(c.expect.errorCode);
      expect(doc.error.hint ?? '', 'every failure names the fix').not.toBe('');
      await expectNothingTagged(fleet);
      if (c.setup && c.fleet && JSON.stringify(c.fleet).includes('existing.pem')) expect(existsSync(join(e2e.dir, 'existing.pem'))).toBe(true);
    });
  });
});
