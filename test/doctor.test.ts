import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateSubnetCommand,
  CreateVpcCommand,
  RevokeSecurityGroupEgressCommand,
  DescribeSecurityGroupsCommand,
} from '@aws-sdk/client-ec2';
import { egressAllows, fleetInstanceTypes, isStandardFamily } from '../src/app/doctor-aws.js';
import { resolveValidated } from '../src/config/resolve.js';
import { validateFleetText } from '../src/config/validate.js';
import { expectNoStackTrace, parseSingleJson, runCli } from './helpers/cli.js';
import { startE2eSandbox, type E2eSandbox } from './helpers/sandbox-e2e.js';

interface Check {
  id: string;
  status: 'pass' | 'warn' | 'fail' | 'skip';
  message: string;
  fix?: string;
}
interface Report {
  ok: boolean;
  checks: Check[];
  summary: Record<string, number>;
  error?: { code: string; checks: Check[]; hint?: string };
}

const checksOf = (doc: Report): Check[] => doc.error?.checks ?? doc.checks;
const byId = (doc: Report, id: string): Check | undefined => checksOf(doc).find((c) => c.id === id);

describe('doctor pure parts', () => {
  it('counts only the On-Demand Standard families', () => {
    for (const t of [
      'm5.xlarge',
      't3.micro',
      'c6i.large',
      'r7iz.large',
      'i4i.large',
      'im4gn.large',
      'is4gen.large',
      'z1d.large',
      'a1.large',
      'd3en.xlarge',
      'h1.2xlarge',
    ]) {
      expect(isStandardFamily(t), t).toBe(true);
    }
    for (const t of [
      'g4dn.xlarge',
      'p4d.24xlarge',
      'inf1.xlarge',
      'x2idn.large',
      'mac1.metal',
      'dl1.24xlarge',
      'hpc6a.48xlarge',
      'u-6tb1.metal',
      'f1.2xlarge',
    ]) {
      expect(isStandardFamily(t), t).toBe(false);
    }
  });

  it('one instance type per scanner: count × the first type, or the list overrides', () => {
    const cfg = (yaml: string) =>
      resolveValidated(validateFleetText('f.yaml', `version: 1\nfleet: x\nregion: us-east-1\n${yaml}`), {
        file: 'f.yaml',
        flags: {},
        env: {},
      });
    expect(fleetInstanceTypes(cfg('scanners: { count: 3, instanceType: [m5.large, m5.xlarge] }\n'))).toEqual([
      'm5.large',
      'm5.large',
      'm5.large',
    ]);
    expect(
      fleetInstanceTypes(cfg('scanners: { instanceType: m5.large, list: [{}, { instanceType: c5.xlarge }] }\n')),
    ).toEqual(['m5.large', 'c5.xlarge']);
  });

  it('egress: all traffic, a port range, narrow destinations and nothing', () => {
    expect(egressAllows([{ protocol: '-1', cidrs: ['0.0.0.0/0'], otherDestinations: 0 }], 443)).toMatchObject({
      allowed: true,
      anywhere: true,
    });
    expect(
      egressAllows([{ protocol: 'tcp', fromPort: 0, toPort: 1024, cidrs: ['::/0'], otherDestinations: 0 }], 443),
    ).toMatchObject({ allowed: true, anywhere: true });
    expect(
      egressAllows([{ protocol: 'tcp', fromPort: 443, toPort: 443, cidrs: ['10.0.0.0/8'], otherDestinations: 0 }], 443),
    ).toMatchObject({ allowed: true, anywhere: false });
    expect(
      egressAllows([{ protocol: 'tcp', fromPort: 443, toPort: 443, cidrs: [], otherDestinations: 1 }], 443),
    ).toMatchObject({ allowed: true, anywhere: false });
    expect(
      egressAllows([{ protocol: 'tcp', fromPort: 80, toPort: 80, cidrs: ['0.0.0.0/0'], otherDestinations: 0 }], 443)
        .allowed,
    ).toBe(false);
    expect(egressAllows([], 443).allowed).toBe(false);
  });
});

describe('doctor against the sandbox', () => {
  let e2e: E2eSandbox;

  beforeAll(async () => {
    e2e = await startE2eSandbox();
  }, 180_000);

  afterAll(async () => {
    await e2e?.stop();
  });

  const doctor = async (args: string[], env: Record<string, string | undefined> = {}) => {
    const r = await e2e.cli(['doctor', ...args, '--json'], env);
    expectNoStackTrace(r.stderr);
    return { r, doc: parseSingleJson(r.stdout) as unknown as Report };
  };

  it('--help has examples', async () => {
    const r = await runCli(['doctor', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Examples:');
  });

  it('generic checks pass with one honest warning (the vCPU limit is not checked)', async () => {
    const { r, doc } = await doctor(['--region', 'us-east-1']);
    expect(r.code, r.stderr).toBe(0);
    expect(doc.ok).toBe(true);
    expect(checksOf(doc).map((c) => c.id)).toEqual([
      'region',
      'credentials',
      'vpc',
      'network-path',
      'marketplace',
      'vcpu-quota',
      'tenable-keys',
      'tenable-linking-key',
    ]);
    expect(byId(doc, 'vcpu-quota')).toMatchObject({ status: 'warn' });
    expect(byId(doc, 'vcpu-quota')!.message).toMatch(/needs 4 vCPUs.*not checked/);
    expect(byId(doc, 'marketplace')!.message).toContain('proven only by a launch');
    // Exactly one GET /scanners and one linking-key read; the key never printed.
    const calls = e2e.sandbox.simulator.requests.map((q) => `${q.method} ${q.path}`);
    expect(calls.filter((c) => c === 'GET /scanners')).toHaveLength(1);
    expect(calls.filter((c) => c.endsWith('/key'))).toHaveLength(1);
    expect(r.stdout + r.stderr).not.toContain(e2e.sandbox.tenable.linkingKey);
  });

  it('human output: one line per check with the fix under warnings', async () => {
    const r = await e2e.cli(['doctor', '--region', 'us-east-1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/pass\s+AWS credentials/);
    expect(r.stdout).toMatch(/warn\s+EC2 vCPU quota headroom[\s\S]*fix: compare with/);
    expect(r.stdout).toMatch(/passed · 1 warning · 0 failed/);
  });

  it('no region: the region check fails, AWS checks are skipped, exit 5', async () => {
    const { r, doc } = await doctor([], { AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined });
    expect(r.code).toBe(5);
    expect(doc.error?.code).toBe('CHECK_FAILED');
    expect(byId(doc, 'region')).toMatchObject({ status: 'fail' });
    expect(byId(doc, 'credentials')).toMatchObject({ status: 'skip' });
    expect(byId(doc, 'tenable-keys')).toMatchObject({ status: 'pass' });
  });

  it('rejected AWS credentials: one failure with the fix, dependent checks skipped', async () => {
    e2e.proxy.setRules([
      {
        action: 'GetCallerIdentity',
        times: Infinity,
        error: {
          status: 403,
          code: 'InvalidClientTokenId',
          message: 'The security token included in the request is invalid.',
        },
      },
    ]);
    try {
      const { r, doc } = await doctor(['--region', 'us-east-1']);
      expect(r.code).toBe(5);
      expect(byId(doc, 'credentials')).toMatchObject({ status: 'fail' });
      expect(byId(doc, 'credentials')!.fix).toMatch(/sts get-caller-identity/);
      expect(checksOf(doc).filter((c) => c.status === 'fail')).toHaveLength(1);
      expect(byId(doc, 'vpc')).toMatchObject({ status: 'skip' });
    } finally {
      e2e.proxy.setRules([]);
    }
  });

  it('not subscribed (OptInRequired): fails naming where to subscribe', async () => {
    e2e.proxy.setRules([
      {
        action: 'DescribeImages',
        times: Infinity,
        error: {
          status: 401,
          code: 'OptInRequired',
          message: 'In order to use this AWS Marketplace product you need to accept terms and subscribe.',
        },
      },
    ]);
    try {
      const { r, doc } = await doctor(['--region', 'us-east-1']);
      expect(r.code).toBe(5);
      expect(byId(doc, 'marketplace')).toMatchObject({ status: 'fail' });
      expect(byId(doc, 'marketplace')!.fix).toContain(
        'https://aws.amazon.com/marketplace/pp?sku=8fn69npzmbzcs4blc4583jd0y',
      );
    } finally {
      e2e.proxy.setRules([]);
    }
  });

  it('invalid Tenable keys: the keys fail, the linking-key read is not attempted', async () => {
    const { r, doc } = await doctor(['--region', 'us-east-1'], { TIO_SECRET_KEY: 'f'.repeat(64) });
    expect(r.code).toBe(5);
    expect(byId(doc, 'tenable-keys')).toMatchObject({ status: 'fail' });
    expect(byId(doc, 'tenable-keys')!.fix).toContain('TIO_ACCESS_KEY');
    expect(byId(doc, 'tenable-linking-key')).toMatchObject({ status: 'skip' });
  });

  it('missing Tenable keys: fails naming the variables', async () => {
    const { r, doc } = await doctor(['--region', 'us-east-1'], {
      TIO_ACCESS_KEY: undefined,
      TIO_SECRET_KEY: undefined,
    });
    expect(r.code).toBe(5);
    expect(byId(doc, 'tenable-keys')!.message).toMatch(/TIO_ACCESS_KEY and TIO_SECRET_KEY are not set/);
  });

  it('keys that may not read the linking key: fail generically, warn for a fleet that keeps its key in SSM', async () => {
    e2e.sandbox.simulator.configure({ permissions: { deny: ['linking-key'] } });
    try {
      const generic = await doctor(['--region', 'us-east-1']);
      expect(generic.r.code).toBe(5);
      expect(byId(generic.doc, 'tenable-linking-key')).toMatchObject({ status: 'fail' });
      const file = e2e.fleetFrom('minimal.yaml', (d) => {
        d.setIn(['fleet'], 'doc-ssm');
        d.setIn(['link'], d.createNode({ key: { from: 'ssm', parameter: '/doc/missing-key' } }));
      });
      const fleet = await doctor(['-f', file]);
      expect(byId(fleet.doc, 'tenable-linking-key')).toMatchObject({ status: 'warn' });
      // …and the parameter it names does not exist.
      expect(byId(fleet.doc, 'linking-key-source')).toMatchObject({ status: 'fail' });
      expect(fleet.r.code).toBe(5);
    } finally {
      e2e.sandbox.simulator.configure({ permissions: { deny: [] } });
    }
  });

  it('subnets with no route out: the network path fails with the fix', async () => {
    const ec2 = e2e.ec2();
    const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.77.0.0/16' }));
    const subnet = await ec2.send(
      new CreateSubnetCommand({ VpcId: vpc.Vpc!.VpcId!, CidrBlock: '10.77.1.0/24', AvailabilityZone: 'us-east-1a' }),
    );
    const file = e2e.fleetFrom('minimal.yaml', (d) => {
      d.setIn(['fleet'], 'doc-isolated');
      d.setIn(['scanners'], d.createNode({ subnetIds: [subnet.Subnet!.SubnetId!] }));
    });
    const { r, doc } = await doctor(['-f', file]);
    expect(r.code).toBe(5);
    expect(byId(doc, 'vpc')).toMatchObject({ status: 'pass' });
    expect(byId(doc, 'network-path')).toMatchObject({ status: 'fail' });
    expect(byId(doc, 'network-path')!.fix).toMatch(/internet gateway|NAT/);
    expect(byId(doc, 'security-group')).toMatchObject({ status: 'skip' });
  });

  it('for a running fleet: subscription proven, egress checked; a group without 443 out fails with the command to fix it', async () => {
    const file = e2e.fleetFrom('minimal.yaml', (d) => d.setIn(['fleet'], 'doc-live'));
    const up = await e2e.cli(['up', '-f', file, '--yes', '--json']);
    expect(up.code, up.stderr).toBe(0);

    const ok = await doctor(['-f', file]);
    expect(ok.r.code, ok.r.stdout).toBe(0);
    expect(byId(ok.doc, 'marketplace')!.message).toMatch(/subscription proven: 1 fleet instance/);
    expect(byId(ok.doc, 'security-group')).toMatchObject({ status: 'pass' });
    expect(byId(ok.doc, 'vcpu-quota')!.message).toMatch(/4 of them this fleet's/);

    const ec2 = e2e.ec2();
    const sg = (
      await ec2.send(
        new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['nessus-byol-doc-live'] }] }),
      )
    ).SecurityGroups![0]!;
    await ec2.send(
      new RevokeSecurityGroupEgressCommand({ GroupId: sg.GroupId!, IpPermissions: sg.IpPermissionsEgress }),
    );
    const bad = await doctor(['-f', file]);
    expect(bad.r.code).toBe(5);
    expect(byId(bad.doc, 'security-group')).toMatchObject({ status: 'fail' });
    expect(byId(bad.doc, 'security-group')!.fix).toContain(
      `aws ec2 authorize-security-group-egress --group-id ${sg.GroupId}`,
    );
    expect(bad.doc.error?.hint).toContain('authorize-security-group-egress');

    const down = await e2e.cli(['down', '-f', file, '--yes', '--json']);
    expect(down.code, down.stderr).toBe(0);
  }, 300_000);
});
