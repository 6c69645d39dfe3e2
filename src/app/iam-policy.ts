import {
  REQUIRED_PERMISSIONS,
  type Feature,
  type MethodPermissions,
  type Scope,
} from '../adapters/aws/required-permissions.js';
import type { ResolvedConfig } from '../config/resolve.js';
import type { StoredSecretSource } from '../config/schema.js';
import type { PolicyDocument } from '../core/instance-role.js';
import { TAG, iamRoleName, instanceProfileName, keyPairName } from '../core/naming.js';
import { arn, ec2ServicePrincipal, managedPolicyArn, partitionOf, type Partition } from '../core/partition.js';

/** What one fleet file pins down for the policy; absent = any fleet (names `nessus-byol-*`). */
export interface FleetPolicyScope {
  name: string;
  roleName: string;
  instanceProfileName: string;
  /** `iam.instanceProfile`: an existing profile whose role we cannot know offline. */
  existingInstanceProfile?: string;
  /** The fleet's own key pair (create/import), and the key pair named at launch. */
  ownKeyPair: string | null;
  launchKeyPair: string | null;
  /** SSM parameter names (a trailing `*` is a prefix). */
  readParameters: string[];
  writeParameters: string[];
  secretIds: string[];
  vpcId?: string;
  subnetIds?: string[];
  imageId?: string;
  kmsKeyId?: string;
}

export interface PolicyTarget {
  partition: Partition;
  /** A region name, or `*` for any. */
  region: string;
  /** A 12-digit account id, or `*` for any (the policy is attached in one account anyway). */
  account: string;
  features: Feature[];
  fleet?: FleetPolicyScope;
}

export interface IamPolicyResult {
  document: PolicyDocument;
  /** What the document cannot express, for the reader (stderr / --json `notes`). */
  notes: string[];
}

type Statement = PolicyDocument['Statement'][number];
type Rendered = Pick<Statement, 'Resource' | 'Condition'>;

/** Derives the fleet's names and inputs from its resolved config. */
export function fleetPolicyScope(config: ResolvedConfig): FleetPolicyScope {
  const fleet = config.fleet;
  const key = config.link.key;
  const ownPrefix = `/nessus-byol/${fleet}/*`;
  const write = [ownPrefix];
  if (
    (key.from === 'tenable-api' || key.from === 'env') &&
    key.parameter &&
    !key.parameter.startsWith(`/nessus-byol/${fleet}/`)
  )
    write.push(key.parameter);
  const inputs: StoredSecretSource[] = [
    ...(key.from === 'ssm' || key.from === 'secretsmanager' ? [key] : []),
    ...(config.link.proxy?.password ? [config.link.proxy.password] : []),
    ...(config.link.activationCode ? [config.link.activationCode] : []),
  ];
  const read = [...write, ...inputs.flatMap((s) => (s.from === 'ssm' ? [s.parameter] : []))];
  const kp = config.access.keyPair;
  const own = kp === 'create' || (typeof kp === 'object' && 'import' in kp) ? keyPairName(fleet) : null;
  const launch = own ?? (typeof kp === 'object' && 'name' in kp ? kp.name : null);
  return {
    name: fleet,
    roleName: iamRoleName(fleet, config.region),
    instanceProfileName: instanceProfileName(fleet, config.region),
    ...('instanceProfile' in config.iam ? { existingInstanceProfile: config.iam.instanceProfile } : {}),
    ownKeyPair: own,
    launchKeyPair: launch,
    readParameters: [...new Set(read)],
    writeParameters: write,
    secretIds: [...new Set(inputs.flatMap((s) => (s.from === 'secretsmanager' ? [s.secretId] : [])))],
    ...(config.network.vpcId ? { vpcId: config.network.vpcId } : {}),
    ...(config.scanners.subnetIds ? { subnetIds: config.scanners.subnetIds } : {}),
    ...('id' in config.ami ? { imageId: config.ami.id } : {}),
    ...(config.scanners.volume.kmsKeyId ? { kmsKeyId: config.scanners.volume.kmsKeyId } : {}),
  };
}

/** The target for a resolved fleet (its region and partition). */
export function fleetPolicyTarget(
  config: ResolvedConfig,
  opts: { account?: string; features: Feature[] },
): PolicyTarget {
  return {
    partition: partitionOf(config.region),
    region: config.region,
    account: opts.account ?? '*',
    features: opts.features,
    fleet: fleetPolicyScope(config),
  };
}

/**
 * The identity policy nessus-byol needs, built from the per-method table next to the gateways: the
 * actions of every method of the chosen features, grouped by where they apply, each group scoped by
 * resource ARN and tag conditions as tightly as AWS allows.
 */
export function buildIamPolicy(
  target: PolicyTarget,
  table: Record<string, MethodPermissions> = REQUIRED_PERMISSIONS,
): IamPolicyResult {
  const byScope = new Map<Scope, Set<string>>();
  for (const entry of Object.values(table)) {
    if (!target.features.includes(entry.feature)) continue;
    for (const grant of entry.grants) {
      for (const scope of grant.on) {
        const set = byScope.get(scope) ?? new Set<string>();
        for (const a of grant.actions) set.add(a);
        byScope.set(scope, set);
      }
    }
  }
  const statements: Statement[] = [];
  for (const [scope, actions] of byScope) {
    const rendered = renderScope(scope, target);
    if (!rendered) continue;
    statements.push({ Sid: sidOf(scope), Effect: 'Allow', Action: [...actions].sort(), ...rendered });
  }
  return { document: { Version: '2012-10-17', Statement: statements }, notes: notesFor(target, byScope) };
}

/** The policy with every Resource widened to `*` (actions and conditions kept), for moto's action-only check. */
export function withAnyResource(doc: PolicyDocument): PolicyDocument {
  return { ...doc, Statement: doc.Statement.map((s) => ({ ...s, Resource: '*' })) };
}

/** Every action the document allows, sorted. */
export function policyActions(doc: PolicyDocument): string[] {
  return [...new Set(doc.Statement.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])))].sort();
}

function sidOf(scope: Scope): string {
  return scope
    .split(/[^A-Za-z0-9]+/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

function renderScope(scope: Scope, t: PolicyTarget): Rendered | null {
  const P = t.partition;
  const f = t.fleet;
  const ec2 = (resource: string) =>
    arn({ partition: P, service: 'ec2', region: t.region, account: t.account, resource });
  const iam = (resource: string) => arn({ partition: P, service: 'iam', account: t.account, resource });
  const ssm = (name: string) =>
    arn({
      partition: P,
      service: 'ssm',
      region: t.region,
      account: t.account,
      resource: `parameter/${name.replace(/^\//, '')}`,
    });
  const secret = (id: string) =>
    id.startsWith('arn:')
      ? id
      : arn({
          partition: P,
          service: 'secretsmanager',
          region: t.region,
          account: t.account,
          resource: `secret:${id}-??????`,
        });
  const tagKey = (kind: 'ResourceTag' | 'RequestTag') => `aws:${kind}/${TAG.fleet}`;
  // One fleet: the tag must carry its name. Any fleet: the tag must be present.
  const tagged = (kind: 'ResourceTag' | 'RequestTag'): Statement['Condition'] =>
    f ? { StringEquals: { [tagKey(kind)]: f.name } } : { StringLike: { [tagKey(kind)]: '*' } };
  const role = f ? iam(`role/${f.roleName}`) : iam('role/nessus-byol-*');
  const ownKeyPair = f ? f.ownKeyPair && ec2(`key-pair/${f.ownKeyPair}`) : ec2('key-pair/nessus-byol-*');

  switch (scope) {
    case 'any':
      return { Resource: '*' };
    case 'ec2:image':
      // Images belong to the Marketplace account, not this one: no account in the ARN.
      return {
        Resource: arn({ partition: P, service: 'ec2', region: t.region, resource: `image/${f?.imageId ?? '*'}` }),
      };
    case 'ec2:subnet':
      return { Resource: f?.subnetIds ? f.subnetIds.map((id) => ec2(`subnet/${id}`)) : ec2('subnet/*') };
    case 'ec2:vpc':
      return { Resource: ec2(`vpc/${f?.vpcId ?? '*'}`) };
    case 'ec2:new-tagged':
      return {
        Resource: [ec2('instance/*'), ec2('volume/*'), ec2('network-interface/*')],
        Condition: tagged('RequestTag'),
      };
    case 'ec2:tag-on-create':
      return {
        Resource: [
          ec2('instance/*'),
          ec2('volume/*'),
          ec2('network-interface/*'),
          ec2('security-group/*'),
          ec2('key-pair/*'),
        ],
        Condition: {
          StringEquals: {
            'ec2:CreateAction': ['RunInstances', 'CreateSecurityGroup', 'CreateKeyPair', 'ImportKeyPair'],
          },
        },
      };
    case 'ec2:fleet-instance':
      return { Resource: ec2('instance/*'), Condition: tagged('ResourceTag') };
    case 'ec2:new-security-group':
      return { Resource: ec2('security-group/*'), Condition: tagged('RequestTag') };
    case 'ec2:fleet-security-group':
      return { Resource: ec2('security-group/*'), Condition: tagged('ResourceTag') };
    case 'ec2:launch-key-pair':
      if (!f) return { Resource: ec2('key-pair/*') };
      return f.launchKeyPair ? { Resource: ec2(`key-pair/${f.launchKeyPair}`) } : null;
    case 'ec2:new-key-pair':
      return ownKeyPair ? { Resource: ownKeyPair, Condition: tagged('RequestTag') } : null;
    case 'ec2:fleet-key-pair':
      return ownKeyPair ? { Resource: ownKeyPair, Condition: tagged('ResourceTag') } : null;
    case 'kms:ebs-key':
      return f?.kmsKeyId ? kmsKey(f.kmsKeyId, t) : null;
    case 'iam:fleet-role':
      return { Resource: role };
    case 'iam:fleet-role-managed-policy':
      return {
        Resource: role,
        Condition: { ArnEquals: { 'iam:PolicyARN': managedPolicyArn(P, 'AmazonEC2ReadOnlyAccess') } },
      };
    case 'iam:fleet-instance-profile':
      return { Resource: iam(`instance-profile/${f ? f.instanceProfileName : 'nessus-byol-*'}`) };
    case 'iam:pass-fleet-role':
      return {
        // An existing instance profile holds a role whose name we cannot know offline (see the notes).
        Resource: f?.existingInstanceProfile ? [role, iam('role/*')] : role,
        Condition: { StringEquals: { 'iam:PassedToService': ec2ServicePrincipal(P) } },
      };
    case 'ssm:fleet-parameter-read':
      return { Resource: f ? f.readParameters.map(ssm) : ssm('/nessus-byol/*') };
    case 'ssm:fleet-parameter-write':
      return { Resource: f ? f.writeParameters.map(ssm) : ssm('/nessus-byol/*') };
    case 'secretsmanager:fleet-secret':
      return f && f.secretIds.length > 0 ? { Resource: f.secretIds.map(secret) } : null;
    case 'iam:audit-user':
      return { Resource: iam('user/nessus-byol-*') };
    case 'iam:audit-group':
      return { Resource: iam('group/nessus-byol-*') };
    case 'iam:audit-group-policy':
      return {
        Resource: iam('group/nessus-byol-*'),
        Condition: {
          ArnEquals: { 'iam:PolicyARN': [managedPolicyArn(P, 'ReadOnlyAccess'), managedPolicyArn(P, 'SecurityAudit')] },
        },
      };
    case 'iam:any-user-read':
      return { Resource: iam('user/*') };
    case 'secretsmanager:audit-secret':
      return { Resource: secret('nessus-byol/*') };
    case 'ssm:sechub-state':
      return { Resource: ssm('/nessus-byol/*') };
    case 'sts:import-role':
      return { Resource: arn({ partition: P, service: 'iam', account: '*', resource: 'role/*' }) };
    case 'securityhub:product':
      return {
        Resource: arn({ partition: P, service: 'securityhub', region: t.region, account: '*', resource: 'product/*' }),
      };
    case 'cloudformation:fleet-stack-set': {
      const cfn = (resource: string, account = t.account) =>
        arn({ partition: P, service: 'cloudformation', region: t.region, account, resource });
      return {
        Resource: [
          cfn(`stackset/nessus-byol-${f ? f.name : '*'}:*`),
          cfn('stackset-target/*'),
          cfn('type/resource/*', ''),
        ],
      };
    }
    case 'kms:new-key':
      return { Resource: '*', Condition: tagged('RequestTag') };
    case 'kms:org-key':
      return {
        Resource: arn({ partition: P, service: 'kms', region: t.region, account: t.account, resource: 'key/*' }),
        Condition: tagged('ResourceTag'),
      };
    case 'kms:org-alias':
      return {
        Resource: arn({
          partition: P,
          service: 'kms',
          region: t.region,
          account: t.account,
          resource: `alias/nessus-byol-${f ? `${f.name}-org-linking-key` : '*'}`,
        }),
      };
    case 'secretsmanager:org-secret':
      return { Resource: secret(f ? `nessus-byol/${f.name}/org-linking-key` : 'nessus-byol/*') };
  }
}

function kmsKey(keyId: string, t: PolicyTarget): Rendered {
  if (keyId.startsWith('arn:')) return { Resource: keyId };
  const key = (resource: string) =>
    arn({ partition: t.partition, service: 'kms', region: t.region, account: t.account, resource });
  if (keyId.startsWith('alias/'))
    return { Resource: key('key/*'), Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': keyId } } };
  return { Resource: key(`key/${keyId}`) };
}

function notesFor(t: PolicyTarget, byScope: Map<Scope, Set<string>>): string[] {
  const notes: string[] = [];
  if (!t.fleet) {
    notes.push(
      'Scoped to any fleet: IAM names nessus-byol-*, resources tagged nessus-byol:fleet, parameters under /nessus-byol/. Print it with -f fleet.yaml to scope it to one fleet.',
    );
    if (byScope.has('ssm:fleet-parameter-read')) {
      notes.push(
        'Not covered without -f: a linking key, proxy password or activation code kept in your own SSM parameter or Secrets Manager secret, and a customer KMS key for the root volume (scanners.volume.kmsKeyId). Print the policy with -f to add exactly those.',
      );
    }
  }
  if (t.fleet?.existingInstanceProfile) {
    notes.push(
      `The fleet uses the existing instance profile ${t.fleet.existingInstanceProfile}: iam:PassRole is granted for any role passed to EC2. Narrow the PassRole statement to that profile's role ARN.`,
    );
  }
  if (t.account === '*')
    notes.push(
      'Account ids in ARNs are `*` (the policy only acts in the account it is attached in); pass --account to pin them.',
    );
  if (t.features.includes('fleet')) {
    notes.push(
      'SecureString parameters encrypted with a customer KMS key (not aws/ssm) also need kms:Decrypt (read) and kms:Encrypt (write) on that key; `linking-key --store ssm:<path>` outside /nessus-byol/ needs ssm:PutParameter on that path.',
    );
  }
  return notes;
}
