import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeInstanceAttributeCommand, DescribeInstancesCommand, DescribeSecurityGroupsCommand, EC2Client, type IpPermission } from '@aws-sdk/client-ec2';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { Ec2ScanGateway } from '../src/adapters/aws/ec2-scan.js';
import { resolveValidated, type ResolvedConfig } from '../src/config/resolve.js';
import { validateFleetText } from '../src/config/validate.js';
import { buildFleetTemplate, templateConfig, type CfnTemplate, type CfnValue } from '../src/core/cloudformation.js';
import { orgKeyPolicy, orgSecretPolicy } from '../src/core/cloudformation-org-policies.js';
import { ConfigError } from '../src/core/errors.js';
import { buildPlan } from '../src/core/plan.js';
import { renderUserData } from '../src/core/user-data.js';
import { startMoto, prepareMotoRegion, SANDBOX_AMIS, type MotoServer } from '../src/sandbox/moto.js';

/**
 * The template is tested as data (moto 5.2.1 accepts templates real CloudFormation rejects, ignores
 * a launch template when the instance names an ImageId, and fails on Fn::ForEach); moto only
 * smoke-tests that it deploys.
 */

function config(yaml: string): ResolvedConfig {
  const text = `version: 1\nfleet: prod\nregion: us-east-1\n${yaml}`;
  return resolveValidated(validateFleetText('fleet.yaml', text), { file: 'fleet.yaml', flags: {}, env: {} });
}

const BASE = config(`scanners: { count: 2, volume: { sizeGiB: 60 } }
link: { key: { from: ssm, parameter: /nessus/linking-key } }
network: { allowUiFrom: [203.0.113.0/24], allowSshFrom: ['2001:db8::/32'] }
tags: { Owner: secops }
`);

/**
 * Required properties per resource type and property type we emit, from the AWS CloudFormation
 * resource specification (CloudFormationResourceSpecification.json, us-east-1, "Required": true;
 * also the "Required: Yes" lines of the AWS::… pages of the CloudFormation Template Reference).
 * AWS::EC2::Instance has no required property in the specification (ImageId is required at run
 * time unless the launch template names one).
 */
const REQUIRED: Record<string, string[]> = {
  'AWS::EC2::SecurityGroup': ['GroupDescription'],
  'AWS::EC2::SecurityGroup.Ingress': ['IpProtocol'],
  'AWS::EC2::SecurityGroup.Egress': ['IpProtocol'],
  'AWS::IAM::Role': ['AssumeRolePolicyDocument'],
  'AWS::IAM::Role.Policy': ['PolicyDocument', 'PolicyName'],
  'AWS::IAM::InstanceProfile': ['Roles'],
  'AWS::EC2::LaunchTemplate': ['LaunchTemplateData'],
  'AWS::EC2::LaunchTemplate.BlockDeviceMapping': [],
  'AWS::EC2::LaunchTemplate.LaunchTemplateTagSpecification': [],
  'AWS::EC2::Instance': [],
  'AWS::EC2::Instance.LaunchTemplateSpecification': ['Version'],
};
const PSEUDO = new Set(['AWS::AccountId', 'AWS::Region', 'AWS::NoValue', 'AWS::StackName', 'AWS::Partition']);

/** Resolves intrinsic functions the way CloudFormation would for one account and region (for assertions). */
function resolve(v: CfnValue, t: CfnTemplate, ctx: { account: string; region: string; params?: Record<string, string> }): unknown {
  if (Array.isArray(v)) return v.map((x) => resolve(x, t, ctx));
  if (v && typeof v === 'object') {
    const [k] = Object.keys(v);
    const arg = (v as Record<string, CfnValue>)[k!]!;
    if (k === 'Ref') return arg === 'AWS::AccountId' ? ctx.account : arg === 'AWS::Region' ? ctx.region : (ctx.params?.[arg as string] ?? `<${String(arg)}>`);
    if (k === 'Fn::Sub') return (arg as string).replaceAll('${AWS::AccountId}', ctx.account).replaceAll('${AWS::Region}', ctx.region);
    if (k === 'Fn::Join') return ((arg as CfnValue[])[1] as CfnValue[]).map((x) => resolve(x, t, ctx)).join((arg as string[])[0]);
    if (k === 'Fn::Base64') return Buffer.from(String(resolve(arg, t, ctx))).toString('base64');
    return Object.fromEntries(Object.entries(v).map(([kk, vv]) => [kk, resolve(vv, t, ctx)]));
  }
  return v;
}

function walk(v: unknown, visit: (node: Record<string, unknown>) => void): void {
  if (Array.isArray(v)) v.forEach((x) => walk(x, visit));
  else if (v && typeof v === 'object') {
    visit(v as Record<string, unknown>);
    Object.values(v).forEach((x) => walk(x, visit));
  }
}

describe('export cloudformation: the template as data', () => {
  const { template: t, plan } = buildFleetTemplate(BASE, { amiByRegion: { 'us-east-1': { id: 'ami-0123456789abcdef0', rootDeviceName: '/dev/xvda' } } });

  it('carries the required properties of every resource and property type (CloudFormation resource specification)', () => {
    for (const [name, r] of Object.entries(t.Resources)) {
      expect(REQUIRED, `${name}: ${r.Type} is not in the required-properties table`).toHaveProperty([r.Type]);
      for (const p of REQUIRED[r.Type]!) expect(r.Properties, `${name}.${p}`).toHaveProperty([p]);
    }
    const sg = t.Resources.SecurityGroup!.Properties;
    for (const rule of sg.SecurityGroupIngress as Array<Record<string, unknown>>) for (const p of REQUIRED['AWS::EC2::SecurityGroup.Ingress']!) expect(rule).toHaveProperty([p]);
    for (const rule of sg.SecurityGroupEgress as Array<Record<string, unknown>>) for (const p of REQUIRED['AWS::EC2::SecurityGroup.Egress']!) expect(rule).toHaveProperty([p]);
    for (const pol of t.Resources.InstanceRole!.Properties.Policies as Array<Record<string, unknown>>) for (const p of REQUIRED['AWS::IAM::Role.Policy']!) expect(pol).toHaveProperty([p]);
    expect(t.Resources.Scanner0!.Properties.LaunchTemplate).toHaveProperty(['Version']);
  });

  it('references only what exists: resources, parameters, conditions, mappings, pseudo parameters', () => {
    walk(t.Resources, (n) => {
      if (typeof n.Ref === 'string') expect(PSEUDO.has(n.Ref) || n.Ref in t.Resources || n.Ref in t.Parameters, `Ref ${n.Ref}`).toBe(true);
      if (Array.isArray(n['Fn::GetAtt'])) expect(t.Resources).toHaveProperty([String(n['Fn::GetAtt'][0])]);
      if (Array.isArray(n['Fn::If'])) expect(t.Conditions).toHaveProperty([String(n['Fn::If'][0])]);
      if (Array.isArray(n['Fn::FindInMap'])) expect(t.Mappings).toHaveProperty([String(n['Fn::FindInMap'][0])]);
      expect(n).not.toHaveProperty(['Fn::ForEach']);
    });
    for (const p of Object.values(t.Parameters)) expect(p.Description.length).toBeGreaterThan(0);
    expect(Object.keys(t.Parameters)).toEqual(expect.arrayContaining(['VpcId', 'SubnetId', 'InstanceType', 'ImageId']));
    expect(Object.keys(t.Outputs)).toEqual(expect.arrayContaining(['SecurityGroupId', 'InstanceRoleArn', 'ScannerInstanceIds', 'ScannerNames']));
  });

  it('keeps the security invariants: IMDSv2 required, encrypted root, no world ingress, tags', () => {
    const lt = t.Resources.LaunchTemplate!.Properties.LaunchTemplateData as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test reads nested CFN data
    expect(lt.MetadataOptions).toEqual({ HttpTokens: 'required', HttpPutResponseHopLimit: 1, HttpEndpoint: 'enabled' });
    expect(lt.BlockDeviceMappings[0].Ebs).toMatchObject({ Encrypted: true, VolumeSize: 60, VolumeType: 'gp3', DeleteOnTermination: true });
    const ingress = t.Resources.SecurityGroup!.Properties.SecurityGroupIngress as Array<Record<string, unknown>>;
    expect(ingress.map((r) => r.CidrIp ?? r.CidrIpv6)).toEqual(['203.0.113.0/24', '2001:db8::/32']);
    for (const r of ingress) expect([r.CidrIp, r.CidrIpv6]).not.toContain('0.0.0.0/0');
    const egress = t.Resources.SecurityGroup!.Properties.SecurityGroupEgress as Array<Record<string, unknown>>;
    expect(egress.map((r) => r.FromPort)).toEqual(plan.securityGroup.egress.map((r) => r.port));
    const instanceTags = lt.TagSpecifications.find((s: { ResourceType: string }) => s.ResourceType === 'instance').Tags;
    expect(instanceTags).toEqual(expect.arrayContaining([{ Key: 'nessus-byol:fleet', Value: 'prod' }, { Key: 'nessus-byol:managed', Value: 'true' }, { Key: 'Owner', Value: 'secops' }]));
    for (let i = 0; i < 2; i++) {
      const props = t.Resources[`Scanner${i}`]!.Properties;
      expect(props).not.toHaveProperty('MetadataOptions'); // one place: the launch template
      expect(resolve(props.Tags!, t, { account: '111122223333', region: 'eu-west-1' })).toEqual(expect.arrayContaining([{ Key: 'nessus-byol:scanner-name', Value: `prod-111122223333-eu-west-1-${i}` }]));
    }
  });

  it('carries scan.egress as up applies it: all traffic to each target CIDR or security group, after the link rules', async () => {
    const withEgress = config(`scanners: { count: 1 }
link: { key: { from: ssm, parameter: /nessus/linking-key } }
scan: { egress: [10.20.0.0/16, '2001:db8:1::/48', sg-0123456789abcdef0] }
`);
    const built = buildFleetTemplate(withEgress);
    const egress = built.template.Resources.SecurityGroup!.Properties.SecurityGroupEgress as Array<Record<string, unknown>>;
    const linkRules = buildPlan(withEgress, null).securityGroup.egress;
    expect(egress.slice(0, linkRules.length).map((r) => [r.IpProtocol, r.FromPort, r.CidrIp])).toEqual(linkRules.map((r) => ['tcp', r.port, r.cidr]));
    const scanRules = egress.slice(linkRules.length);
    expect(scanRules).toEqual([
      { IpProtocol: '-1', CidrIp: '10.20.0.0/16', Description: 'Nessus scans to 10.20.0.0/16 (scan.egress)' },
      { IpProtocol: '-1', CidrIpv6: '2001:db8:1::/48', Description: 'Nessus scans to 2001:db8:1::/48 (scan.egress)' },
      { IpProtocol: '-1', DestinationSecurityGroupId: 'sg-0123456789abcdef0', Description: 'Nessus scans to security group sg-0123456789abcdef0 (scan.egress)' },
    ]);
    // The same rules `up` authorizes on the fleet group (Ec2ScanGateway.authorizeScanEgress), destination for destination.
    const sent: IpPermission[] = [];
    const client = { send: async (cmd: { input: { IpPermissions?: IpPermission[] } }) => void sent.push(...(cmd.input.IpPermissions ?? [])) };
    await new Ec2ScanGateway(client as unknown as EC2Client).authorizeScanEgress('sg-fleet', built.plan.securityGroup.scanEgress);
    expect(
      sent.map((p) => ({
        IpProtocol: p.IpProtocol,
        ...(p.IpRanges ? { CidrIp: p.IpRanges[0]!.CidrIp } : {}),
        ...(p.Ipv6Ranges ? { CidrIpv6: p.Ipv6Ranges[0]!.CidrIpv6 } : {}),
        ...(p.UserIdGroupPairs ? { DestinationSecurityGroupId: p.UserIdGroupPairs[0]!.GroupId } : {}),
        Description: (p.IpRanges ?? p.Ipv6Ranges ?? p.UserIdGroupPairs)![0]!.Description,
      })),
    ).toEqual(scanRules);
    expect(built.warnings.join('\n')).toMatch(/scan\.egress names security group\(s\) sg-0123456789abcdef0/);
    // Without scan.egress the group keeps only the link rules.
    expect((t.Resources.SecurityGroup!.Properties.SecurityGroupEgress as unknown[]).length).toBe(plan.securityGroup.egress.length);
  });

  it('carries the same role policies as the plan (derived, not copied)', () => {
    const account = '111122223333';
    const expected = buildPlan(BASE, { accountId: account });
    if (expected.iam.mode !== 'create') throw new Error('expected a created role');
    const role = resolve(t.Resources.InstanceRole!.Properties as CfnValue, t, { account, region: 'us-east-1' }) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- resolved CFN data
    expect(role.Policies[0].PolicyDocument).toEqual(expected.iam.inlinePolicy);
    expect(role.AssumeRolePolicyDocument).toEqual(expected.iam.trustPolicy);
    expect(role.ManagedPolicyArns).toBeUndefined();
    expect(role.RoleName).toBe('nessus-byol-prod-us-east-1');
    const aws = buildFleetTemplate(config('link: { awsScanner: true, key: { from: ssm, parameter: /k } }')).template;
    expect(aws.Resources.InstanceRole!.Properties.ManagedPolicyArns).toEqual(buildPlan(config('link: { awsScanner: true, key: { from: ssm, parameter: /k } }'), null).iam.mode === 'create' ? ['arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess'] : []);
  });

  it('renders user-data with the same renderer as up; the stack fills in account and region', () => {
    const account = '111122223333';
    for (let index = 0; index < 2; index++) {
      const b64 = resolve(t.Resources[`Scanner${index}`]!.Properties.UserData!, t, { account, region: 'eu-west-1' }) as string;
      const script = Buffer.from(b64, 'base64').toString('utf8');
      const direct = renderUserData({ ...BASE, scanners: { ...BASE.scanners, name: `{fleet}-${account}-eu-west-1-{index}` } }, { index });
      expect(script).toBe(direct);
      expect(script).toContain(`'prod-${account}-eu-west-1-${index}'`);
      expect(script).toContain("--name '/nessus/linking-key'");
    }
  });

  it('never carries a secret: no key value, no placeholder key, no 64-hex string; the key is read by name', () => {
    const text = stringify(t) + JSON.stringify(resolve(t.Resources as unknown as CfnValue, t, { account: '111122223333', region: 'us-east-1' }));
    const decoded = Buffer.from(String(resolve(t.Resources.Scanner0!.Properties.UserData!, t, { account: '1', region: 'r' })), 'base64').toString();
    for (const s of [text, decoded]) {
      expect(s).not.toMatch(/[0-9a-f]{64}/i);
      expect(s).not.toContain('0000000000000000');
    }
    expect(JSON.stringify(t.Outputs)).not.toMatch(/linking-key|Secret/i);
    expect(decoded).toMatch(/aws ssm get-parameter .*--with-decryption/);
  });

  it('refuses what a template must not carry (exit 2): embedded keys, pre-authorized JSON, world ingress', () => {
    for (const yaml of ['link: { method: preauthorized-json, embedInUserData: true, key: { from: env } }', 'link: { embedInUserData: true, key: { from: env } }']) {
      const err = (() => {
        try {
          buildFleetTemplate(config(yaml));
        } catch (e) {
          return e;
        }
        return null;
      })();
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).exitCode).toBe(2);
    }
    const world = resolveValidated(validateFleetText('fleet.yaml', 'version: 1\nfleet: prod\nregion: us-east-1\nnetwork: { allowSshFrom: [0.0.0.0/0] }\n', { allowWorld: true }), { file: 'fleet.yaml', flags: { allowWorld: true }, env: {} });
    expect(() => buildFleetTemplate(world)).toThrow(/ingress is never exported/);
  });

  it('org variant: reads the shared secret by ARN, adds kms:Decrypt via Secrets Manager only; policies trust one organisation', () => {
    const secretId = 'arn:aws:secretsmanager:us-east-1:999988887777:secret:nessus-byol/prod/org-linking-key-AbCdEf';
    const kms = 'arn:aws:kms:us-east-1:999988887777:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const org = buildFleetTemplate(BASE, { keyStore: { from: 'secretsmanager', secretId }, keyKmsArn: kms }).template;
    const policies = org.Resources.InstanceRole!.Properties.Policies as Array<{ PolicyDocument: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any -- CFN data
    expect(policies[0]!.PolicyDocument).toEqual(buildPlan(templateConfig(BASE, { from: 'secretsmanager', secretId }), null).iam.mode === 'create' ? (buildPlan(templateConfig(BASE, { from: 'secretsmanager', secretId }), null).iam as { inlinePolicy: unknown }).inlinePolicy : null);
    expect(policies[0]!.PolicyDocument.Statement[0].Resource).toEqual([secretId]);
    expect(policies[1]!.PolicyDocument.Statement[0]).toMatchObject({ Action: 'kms:Decrypt', Resource: kms, Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } } });
    expect(org.Parameters.ImageId!.Type).toBe('AWS::EC2::Image::Id'); // no AMI known: a required parameter
    const script = Buffer.from(String(resolve(org.Resources.Scanner1!.Properties.UserData!, org, { account: '1', region: 'r' })), 'base64').toString();
    expect(script).toContain(`--secret-id '${secretId}'`);
    const secretPolicy = orgSecretPolicy({ orgId: 'o-abcdefghij', fleet: 'prod', region: 'us-east-1' });
    expect(secretPolicy.Statement[0]).toMatchObject({ Principal: { AWS: '*' }, Action: 'secretsmanager:GetSecretValue', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abcdefghij' }, ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/nessus-byol-prod-*' } } });
    const keyPolicy = orgKeyPolicy({ orgId: 'o-abcdefghij', fleet: 'prod', region: 'us-east-1', account: '999988887777' });
    expect(keyPolicy.Statement[1]).toMatchObject({ Action: 'kms:Decrypt', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abcdefghij', 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } } });
    expect(keyPolicy.Statement[0]!.Principal).toEqual({ AWS: 'arn:aws:iam::999988887777:root' });
  });
});

describe('export cloudformation: moto smoke deploy', () => {
  let moto: MotoServer;
  beforeAll(async () => {
    moto = await startMoto({ stateDir: mkdtempSync(join(tmpdir(), 'nessus-byol-cfn-')) });
    await prepareMotoRegion(moto.endpoint, 'us-east-1');
  }, 120_000);
  afterAll(async () => moto?.stop());

  it('deploys as a stack; the instances carry the rendered user-data and names', async () => {
    const cfg = { region: 'us-east-1', endpoint: moto.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
    const ami = SANDBOX_AMIS.byol;
    const { template } = buildFleetTemplate(BASE, { amiByRegion: { 'us-east-1': { id: ami, rootDeviceName: '/dev/xvda' } } });
    const body = stringify(template, { lineWidth: 0 });
    expect(parse(body)).toEqual(JSON.parse(JSON.stringify(template)));
    const cfn = new CloudFormationClient(cfg);
    await cfn.send(new CreateStackCommand({ StackName: 'nessus-byol-prod', TemplateBody: body, Capabilities: ['CAPABILITY_NAMED_IAM'] }));
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: 'nessus-byol-prod' }))).Stacks![0]!;
    expect(stack.StackStatus).toBe('CREATE_COMPLETE');
    const ec2 = new EC2Client(cfg);
    const instances = (await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:nessus-byol:fleet', Values: ['prod'] }] }))).Reservations!.flatMap((r) => r.Instances!);
    expect(instances.map((i) => i.Tags!.find((x) => x.Key === 'Name')!.Value).sort()).toEqual(['prod-123456789012-us-east-1-0', 'prod-123456789012-us-east-1-1']);
    const ud = await ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: instances[0]!.InstanceId!, Attribute: 'userData' }));
    expect(Buffer.from(ud.UserData!.Value!, 'base64').toString()).toMatch(/^#!\/bin\/bash/);
    cfn.destroy();
    ec2.destroy();
  }, 120_000);

  it('deploys a template carrying scan.egress (moto ignores SecurityGroupEgress: the rules are asserted as data above)', async () => {
    const cfg = { region: 'us-east-1', endpoint: moto.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
    const fleet = config(`scanners: { count: 1 }
link: { key: { from: ssm, parameter: /nessus/linking-key } }
scan: { egress: [10.20.0.0/16, '2001:db8:1::/48'] }
`);
    const { template } = buildFleetTemplate({ ...fleet, fleet: 'scanprod' }, { amiByRegion: { 'us-east-1': { id: SANDBOX_AMIS.byol, rootDeviceName: '/dev/xvda' } } });
    const cfn = new CloudFormationClient(cfg);
    await cfn.send(new CreateStackCommand({ StackName: 'nessus-byol-scanprod', TemplateBody: stringify(template, { lineWidth: 0 }), Capabilities: ['CAPABILITY_NAMED_IAM'] }));
    expect((await cfn.send(new DescribeStacksCommand({ StackName: 'nessus-byol-scanprod' }))).Stacks![0]!.StackStatus).toBe('CREATE_COMPLETE');
    const ec2 = new EC2Client(cfg);
    // moto 5.2.1 creates the group (and keeps its default allow-all egress) without applying the listed rules.
    const groups = (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['nessus-byol-scanprod'] }] }))).SecurityGroups ?? [];
    expect(groups).toHaveLength(1);
    cfn.destroy();
    ec2.destroy();
  }, 120_000);
});
