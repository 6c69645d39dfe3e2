import type { ResolvedConfig } from '../config/resolve.js';
import type { StoredSecretSource } from '../config/schema.js';
import { VERSION } from '../version.js';
import { ConfigError } from './errors.js';
import type { PolicyDocument } from './instance-role.js';
import { fleetTags, securityGroupName, TAG } from './naming.js';
import { arn, partitionOf } from './partition.js';
import { buildPlan, type Plan } from './plan.js';
import type { ScanEgressRule } from './security-group.js';
import { renderUserData } from './user-data.js';

/**
 * The fleet as one CloudFormation template (for `export cloudformation` and the `org up` StackSet).
 * Every security-relevant value comes from `buildPlan` and `renderUserData` — the same functions
 * `up` applies — so the template cannot drift from what `up` would create.
 */

export type CfnValue = string | number | boolean | null | CfnValue[] | { [key: string]: CfnValue };
export interface CfnResource {
  Type: string;
  Properties: Record<string, CfnValue>;
  DependsOn?: string[];
}
export interface CfnTemplate {
  AWSTemplateFormatVersion: '2010-09-09';
  Description: string;
  Metadata: Record<string, CfnValue>;
  Parameters: Record<string, { Type: string; Default?: string; Description: string; AllowedPattern?: string }>;
  Mappings?: Record<string, Record<string, Record<string, string>>>;
  Conditions: Record<string, CfnValue>;
  Resources: Record<string, CfnResource>;
  Outputs: Record<string, { Description: string; Value: CfnValue }>;
}

/** Tokens rendered into the scanner name, replaced by the stack's account and region at deploy time. */
export const ACCOUNT_TOKEN = 'NBYOLACCOUNTTOKEN';
export const REGION_TOKEN = 'NBYOLREGIONTOKEN';
/** Placeholder account in the plan's policy ARNs, replaced with `${AWS::AccountId}`. */
const PLAN_ACCOUNT = '<account-id>';

/**
 * Scanner names of a template-deployed fleet are deterministic, so one GET /scanners can be matched
 * to account × region × index without reading any member account.
 */
export function templateScannerName(fleet: string, account: string, region: string, index: number): string {
  return `${fleet}-${account}-${region}-${index}`;
}

export interface TemplateOptions {
  /**
   * Where instances read the linking key at boot. Default: the fleet's own store (an SSM
   * SecureString or secret in the stack's account). `org up` passes the organisation-shared secret ARN.
   */
  keyStore?: Extract<StoredSecretSource, { from: 'secretsmanager' }>;
  /** KMS key encrypting an organisation-shared secret (granted kms:Decrypt via Secrets Manager). */
  keyKmsArn?: string;
  /** The fleet's AMI per region (the AMI id differs per region); none: ImageId is a required parameter. */
  amiByRegion?: Record<string, { id: string; rootDeviceName: string }>;
}

export interface FleetTemplate {
  template: CfnTemplate;
  /** The plan the template was derived from. */
  plan: Plan;
  /** The config the template renders (scanner names and key store as deployed). */
  config: ResolvedConfig;
  scannersPerStack: number;
  warnings: string[];
}

const ref = (name: string): CfnValue => ({ Ref: name });

/** A `scan.egress` rule as an `AWS::EC2::SecurityGroup.Egress` entry (protocol -1: every port, no FromPort/ToPort). */
function scanEgressProperty(r: ScanEgressRule): CfnValue {
  const to: Record<string, CfnValue> = r.destination.startsWith('sg-') ? { DestinationSecurityGroupId: r.destination } : r.destination.includes(':') ? { CidrIpv6: r.destination } : { CidrIp: r.destination };
  return { IpProtocol: r.protocol, ...to, Description: r.description };
}
const tagList = (tags: Record<string, string>): CfnValue[] => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

/** Problems that make a fleet impossible to express as a template (exit 2, nothing touched). */
function checkExportable(config: ResolvedConfig): void {
  const problems: Array<{ path: string; message: string; hint: string }> = [];
  if (config.link.method !== 'bootstrap') {
    problems.push({ path: 'link.method', message: `${config.link.method} cannot be exported: only method bootstrap reads the linking key at boot`, hint: 'use link.method: bootstrap (the key never appears in the template)' });
  }
  if (config.link.embedInUserData) {
    problems.push({ path: 'link.embedInUserData', message: 'a template must never carry the linking key', hint: 'remove embedInUserData; instances read the key at boot by name' });
  }
  if (config.scanners.list) {
    problems.push({ path: 'scanners.list', message: 'per-scanner overrides are not exported', hint: 'use scanners.count (identical scanners per account and region)' });
  }
  const world = config.network.allowUiFrom.concat(config.network.allowSshFrom).filter((c) => c === '0.0.0.0/0' || c === '::/0');
  if (world.length > 0) {
    problems.push({ path: 'network', message: `${world.join(', ')} ingress is never exported`, hint: 'list the operator CIDRs in network.allowUiFrom / allowSshFrom' });
  }
  if (problems.length > 0) throw new ConfigError(problems.map((p) => ({ ...p, file: config.file })));
}

/** The config as the template renders it: deterministic scanner names, and the key store it reads. */
export function templateConfig(config: ResolvedConfig, keyStore?: TemplateOptions['keyStore']): ResolvedConfig {
  return {
    ...config,
    scanners: { ...config.scanners, name: `{fleet}-${ACCOUNT_TOKEN}-${REGION_TOKEN}-{index}` },
    link: keyStore ? { ...config.link, key: keyStore } : config.link,
  };
}

/** Strings holding the plan's placeholder account become `Fn::Sub` with `${AWS::AccountId}`. */
function withStackAccount(value: unknown): CfnValue {
  if (typeof value === 'string') return value.includes(PLAN_ACCOUNT) ? { 'Fn::Sub': value.replaceAll(PLAN_ACCOUNT, '${AWS::AccountId}') } : value;
  if (Array.isArray(value)) return value.map(withStackAccount);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withStackAccount(v)]));
  return value as CfnValue;
}

/** The user-data as `Fn::Base64` of `Fn::Join`: the rendered script with account and region joined in. */
export function userDataValue(script: string): CfnValue {
  const parts = script.split(new RegExp(`(${ACCOUNT_TOKEN}|${REGION_TOKEN})`));
  if (!parts.includes(ACCOUNT_TOKEN) || !parts.includes(REGION_TOKEN)) throw new Error('the rendered user-data lost the scanner name tokens');
  const joined = parts.filter((p) => p !== '').map((p) => (p === ACCOUNT_TOKEN ? ref('AWS::AccountId') : p === REGION_TOKEN ? ref('AWS::Region') : p));
  return { 'Fn::Base64': { 'Fn::Join': ['', joined] } };
}

export function buildFleetTemplate(config: ResolvedConfig, opts: TemplateOptions = {}): FleetTemplate {
  checkExportable(config);
  const rendered = templateConfig(config, opts.keyStore);
  const plan = buildPlan(rendered, null);
  const warnings = [...plan.warnings];
  const count = config.scanners.count;
  const instanceTypes = Array.isArray(config.scanners.instanceType) ? config.scanners.instanceType : [config.scanners.instanceType];
  if (instanceTypes.length > 1) warnings.push(`the template uses ${instanceTypes[0]}; CloudFormation cannot fall back to ${instanceTypes.slice(1).join(', ')} on InsufficientInstanceCapacity`);
  if (config.access.keyPair !== 'none') warnings.push('access.keyPair is not exported: reach template-deployed scanners through SSM Session Manager or add a key pair yourself');
  if (config.network.publicIp !== 'auto') warnings.push(`network.publicIp: ${config.network.publicIp} is not exported: instances follow the subnet's auto-assign public IP setting`);
  if (config.link.groups.length > 0) warnings.push('link.groups are joined by `org up` through the Tenable API, not by the template');
  const egressGroups = plan.securityGroup.scanEgress.filter((r) => r.destination.startsWith('sg-')).map((r) => r.destination);
  if (egressGroups.length > 0) warnings.push(`scan.egress names security group(s) ${egressGroups.join(', ')}: they must exist in the VPC of every account and region the template is deployed to`);

  const amis = Object.entries(opts.amiByRegion ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const rootDevices = [...new Set(amis.map(([, a]) => a.rootDeviceName))];
  const tags = fleetTags(config.fleet, config.tags);
  const sgName = securityGroupName(config.fleet);
  const iamName = { 'Fn::Sub': `nessus-byol-${config.fleet}-\${AWS::Region}` };

  const parameters: CfnTemplate['Parameters'] = {
    VpcId: { Type: 'String', Default: '', Description: "VPC of the scanners' security group; empty: the account's default VPC", AllowedPattern: '^(vpc-[0-9a-f]{8,17})?$' },
    SubnetId: { Type: 'String', Default: '', Description: 'Subnet for the scanners (in VpcId); empty: a default subnet of the default VPC', AllowedPattern: '^(subnet-[0-9a-f]{8,17})?$' },
    InstanceType: { Type: 'String', Default: instanceTypes[0]!, Description: 'EC2 instance type of the scanners', AllowedPattern: '^[a-z][a-z0-9-]*\\.[a-z0-9]+$' },
    ImageId: amis.length
      ? { Type: 'String', Default: '', Description: 'Nessus BYOL AMI override; empty: the AMI of the stack region in the AmiByRegion mapping', AllowedPattern: '^(ami-[0-9a-f]{8,17})?$' }
      : { Type: 'AWS::EC2::Image::Id', Description: 'Nessus BYOL AMI of the stack region (Marketplace product code 8fn69npzmbzcs4blc4583jd0y)' },
    RootDeviceName: { Type: 'String', Default: rootDevices.length === 1 ? rootDevices[0]! : '/dev/xvda', Description: 'Root device name of the AMI (encrypted root volume)', AllowedPattern: '^/dev/[a-z0-9]+$' },
  };
  const conditions: Record<string, CfnValue> = {
    HasVpc: { 'Fn::Not': [{ 'Fn::Equals': [ref('VpcId'), ''] }] },
    HasSubnet: { 'Fn::Not': [{ 'Fn::Equals': [ref('SubnetId'), ''] }] },
  };
  if (amis.length) conditions.HasImageId = { 'Fn::Not': [{ 'Fn::Equals': [ref('ImageId'), ''] }] };
  const imageId: CfnValue = amis.length ? { 'Fn::If': ['HasImageId', ref('ImageId'), { 'Fn::FindInMap': ['AmiByRegion', ref('AWS::Region'), 'ImageId'] }] } : ref('ImageId');

  const resources: Record<string, CfnResource> = {
    SecurityGroup: {
      Type: 'AWS::EC2::SecurityGroup',
      Properties: {
        GroupName: sgName,
        GroupDescription: `Nessus scanners of nessus-byol fleet ${config.fleet}`,
        VpcId: { 'Fn::If': ['HasVpc', ref('VpcId'), ref('AWS::NoValue')] },
        // Listing egress replaces the default allow-all rule (plan: revokeDefaultEgress).
        SecurityGroupEgress: [
          ...plan.securityGroup.egress.map((r): CfnValue => ({ IpProtocol: r.protocol, FromPort: r.port, ToPort: r.port, CidrIp: r.cidr, Description: r.description })),
          // scan.egress, as `up` authorizes it (Ec2ScanGateway.authorizeScanEgress): all traffic to each target.
          ...plan.securityGroup.scanEgress.map(scanEgressProperty),
        ],
        ...(plan.securityGroup.ingress.length
          ? { SecurityGroupIngress: plan.securityGroup.ingress.map((r) => ({ IpProtocol: r.protocol, FromPort: r.port, ToPort: r.port, ...(r.cidr.includes(':') ? { CidrIpv6: r.cidr } : { CidrIp: r.cidr }), Description: r.description })) }
          : {}),
        Tags: tagList(plan.securityGroup.tags),
      },
    },
  };

  let profile: CfnValue;
  if (plan.iam.mode === 'create') {
    const policies: CfnValue[] = [];
    if (plan.iam.inlinePolicy) policies.push({ PolicyName: 'nessus-byol-read-linking-key', PolicyDocument: withStackAccount(plan.iam.inlinePolicy) });
    if (opts.keyKmsArn) policies.push({ PolicyName: 'nessus-byol-decrypt-linking-key', PolicyDocument: decryptPolicy(opts.keyKmsArn, config.region) as unknown as CfnValue });
    resources.InstanceRole = {
      Type: 'AWS::IAM::Role',
      Properties: {
        RoleName: iamName,
        Description: `Nessus scanners of nessus-byol fleet ${config.fleet}: read the linking key at boot`,
        AssumeRolePolicyDocument: withStackAccount(plan.iam.trustPolicy),
        ...(policies.length ? { Policies: policies } : {}),
        ...(plan.iam.managedPolicies.length ? { ManagedPolicyArns: plan.iam.managedPolicies } : {}),
        Tags: tagList(plan.iam.tags),
      },
    };
    resources.InstanceProfile = { Type: 'AWS::IAM::InstanceProfile', Properties: { InstanceProfileName: iamName, Roles: [ref('InstanceRole')] } };
    profile = { Arn: { 'Fn::GetAtt': ['InstanceProfile', 'Arn'] } };
  } else {
    profile = { Name: plan.iam.instanceProfileName };
  }

  const root = plan.instances.rootVolume;
  const instanceTags = plan.instances.tags;
  resources.LaunchTemplate = {
    Type: 'AWS::EC2::LaunchTemplate',
    Properties: {
      LaunchTemplateName: `nessus-byol-${config.fleet}`,
      LaunchTemplateData: {
        IamInstanceProfile: profile,
        MetadataOptions: { ...plan.instances.metadataOptions },
        BlockDeviceMappings: [
          {
            DeviceName: ref('RootDeviceName'),
            Ebs: { VolumeSize: root.sizeGiB, VolumeType: root.type, Encrypted: root.encrypted, DeleteOnTermination: root.deleteOnTermination, ...(root.kmsKeyId ? { KmsKeyId: root.kmsKeyId } : {}) },
          },
        ],
        SecurityGroupIds: [{ 'Fn::GetAtt': ['SecurityGroup', 'GroupId'] }],
        TagSpecifications: [
          { ResourceType: 'instance', Tags: tagList(instanceTags) },
          { ResourceType: 'volume', Tags: tagList(instanceTags) },
        ],
      },
      TagSpecifications: [{ ResourceType: 'launch-template', Tags: tagList(tags) }],
    },
  };

  const names: CfnValue[] = [];
  for (let index = 0; index < count; index++) {
    const name = { 'Fn::Join': ['', [`${config.fleet}-`, ref('AWS::AccountId'), '-', ref('AWS::Region'), `-${index}`]] };
    names.push(name);
    resources[`Scanner${index}`] = {
      Type: 'AWS::EC2::Instance',
      Properties: {
        LaunchTemplate: { LaunchTemplateId: ref('LaunchTemplate'), Version: { 'Fn::GetAtt': ['LaunchTemplate', 'LatestVersionNumber'] } },
        // On the instance (not only the launch template): the AMI is per region, and moto reads it here.
        ImageId: imageId,
        InstanceType: ref('InstanceType'),
        SubnetId: { 'Fn::If': ['HasSubnet', ref('SubnetId'), ref('AWS::NoValue')] },
        UserData: userDataValue(renderUserData(rendered, { index })),
        // Tags given on the instance take precedence over the launch template's for instances: repeat the fleet tags.
        Tags: [
          ...tagList(instanceTags),
          { Key: 'Name', Value: name },
          { Key: TAG.scannerName, Value: name },
        ],
      },
    };
  }

  const outputs: CfnTemplate['Outputs'] = {
    SecurityGroupId: { Description: "The scanners' security group", Value: { 'Fn::GetAtt': ['SecurityGroup', 'GroupId'] } },
    LaunchTemplateId: { Description: 'Launch template carrying IMDSv2, the encrypted root volume and the tags', Value: ref('LaunchTemplate') },
    ScannerInstanceIds: { Description: 'EC2 instance ids of the scanners', Value: { 'Fn::Join': [',', Array.from({ length: count }, (_, i) => ref(`Scanner${i}`))] } },
    ScannerNames: { Description: 'Names the scanners link to Tenable with', Value: { 'Fn::Join': [',', names] } },
  };
  if (plan.iam.mode === 'create') {
    outputs.InstanceRoleArn = { Description: 'Instance role (reads the linking key at boot)', Value: { 'Fn::GetAtt': ['InstanceRole', 'Arn'] } };
    outputs.InstanceProfileName = { Description: 'Instance profile of the scanners', Value: ref('InstanceProfile') };
  }

  const store = rendered.link.key;
  const template: CfnTemplate = {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `nessus-byol fleet ${config.fleet}: ${count} Nessus BYOL scanner(s) per account and region, linked to Tenable Vulnerability Management (generated by nessus-byol ${VERSION})`,
    Metadata: {
      'nessus-byol': {
        fleet: config.fleet,
        version: VERSION,
        scannersPerStack: count,
        scannerName: `${config.fleet}-<account>-<region>-<index>`,
        linkingKey: store.from === 'secretsmanager' ? `read at boot from Secrets Manager ${store.secretId}` : store.from === 'ssm' ? `read at boot from SSM ${store.parameter}` : `read at boot from SSM ${plan.linkingKey?.store ?? ''}`,
      },
    },
    Parameters: parameters,
    ...(amis.length ? { Mappings: { AmiByRegion: Object.fromEntries(amis.map(([region, a]) => [region, { ImageId: a.id }])) } } : {}),
    Conditions: conditions,
    Resources: resources,
    Outputs: outputs,
  };
  return { template, plan, config: rendered, scannersPerStack: count, warnings };
}

/** kms:Decrypt on the organisation key, only through Secrets Manager in the key's region. */
export function decryptPolicy(kmsKeyArn: string, region: string): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DecryptLinkingKeySecret',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: kmsKeyArn,
        Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${region}.amazonaws.com` } },
      },
    ],
  };
}

/** The ARN pattern of every scanner role a fleet's template creates, in any account and region. */
export function scannerRoleArnPattern(fleet: string, region: string): string {
  return arn({ partition: partitionOf(region), service: 'iam', account: '*', resource: `role/nessus-byol-${fleet}-*` });
}
