/**
 * The IAM actions every AWS gateway method needs, kept next to the gateways so the policy printed by
 * `nessus-byol iam-policy` cannot drift from the code: test/iam-policy.test.ts parses every file in
 * this folder and fails when a method sends an SDK command (`new XxxCommand(`), runs a waiter or a
 * paginator that its entry here does not list, or when an entry lists a call the method no longer makes.
 *
 * Each grant names the actions and *where* they apply as scope tokens; src/app/iam-policy.ts turns the
 * tokens into ARNs and conditions (partition, region, account, fleet name, tags). A token is scoped as
 * tightly as AWS allows for those actions; `any` is only for actions without resource-level permissions
 * (EC2 Describe*, sts:GetCallerIdentity, iam:ListUsers).
 */

/** Which part of the tool a method serves: `iam-policy` prints `fleet` unless asked for more. */
export type Feature = 'fleet' | 'audit' | 'sechub' | 'org';

export type Scope =
  /** Actions that do not support resource-level permissions. */
  | 'any'
  /** The AMI launched: the pinned id, else any image (launching is bounded by the other resources). */
  | 'ec2:image'
  /** The subnets launched into: the fleet's subnetIds, else any. */
  | 'ec2:subnet'
  /** The VPC a security group is created in: network.vpcId, else any. */
  | 'ec2:vpc'
  /** Instances, volumes and network interfaces created by RunInstances, only with the fleet tag in the request. */
  | 'ec2:new-tagged'
  /** ec2:CreateTags only as part of a create call (TagSpecifications). */
  | 'ec2:tag-on-create'
  /** Existing instances carrying the fleet tag. */
  | 'ec2:fleet-instance'
  /** A security group created with the fleet tag in the request. */
  | 'ec2:new-security-group'
  /** Existing security groups carrying the fleet tag. */
  | 'ec2:fleet-security-group'
  /** The key pair named at launch (the fleet's own, or an existing one it names). */
  | 'ec2:launch-key-pair'
  /** The fleet's key pair `nessus-byol-<fleet>`, created with the fleet tag in the request. */
  | 'ec2:new-key-pair'
  /** The fleet's key pair carrying the fleet tag. */
  | 'ec2:fleet-key-pair'
  /** A customer KMS key for the root volume (only when the fleet names one). */
  | 'kms:ebs-key'
  /** The instance role `nessus-byol-<fleet>-<region>`. */
  | 'iam:fleet-role'
  /** Attaching AmazonEC2ReadOnlyAccess (awsScanner) to the fleet role, and nothing else. */
  | 'iam:fleet-role-managed-policy'
  /** The instance profile `nessus-byol-<fleet>-<region>` (or the existing one the fleet names). */
  | 'iam:fleet-instance-profile'
  /** iam:PassRole of the fleet role, to EC2 only. */
  | 'iam:pass-fleet-role'
  /** SSM parameters the fleet reads: its own under /nessus-byol/<fleet>/ plus the ones its file names. */
  | 'ssm:fleet-parameter-read'
  /** SSM parameters the fleet writes: its own under /nessus-byol/<fleet>/ (lock, stored linking key, Tenable leftovers). */
  | 'ssm:fleet-parameter-write'
  /** Secrets Manager secrets the fleet file names (linking key, proxy password, activation code). */
  | 'secretsmanager:fleet-secret'
  /** The audit user `nessus-byol-*`. */
  | 'iam:audit-user'
  /** The audit group `nessus-byol-*`. */
  | 'iam:audit-group'
  /** Attaching ReadOnlyAccess / SecurityAudit to the audit group, and nothing else. */
  | 'iam:audit-group-policy'
  /** Read-only IAM user data (access key age for `audit keys --all-users`). */
  | 'iam:any-user-read'
  /** The audit key copy in Secrets Manager `nessus-byol/*`. */
  | 'secretsmanager:audit-secret'
  /** The sechub state parameter under /nessus-byol/. */
  | 'ssm:sechub-state'
  /** The role assumed in other accounts (--assume-role). */
  | 'sts:import-role'
  /** Security Hub product ARNs findings are imported into. */
  | 'securityhub:product'
  /** The fleet's StackSet `nessus-byol-<fleet>` (and its targets / resource types, which StackSet operations check). */
  | 'cloudformation:fleet-stack-set'
  /** A KMS key created with the fleet tag in the request (CreateKey has no resource to scope). */
  | 'kms:new-key'
  /** The fleet's organisation KMS key (tagged with the fleet). */
  | 'kms:org-key'
  /** The alias `alias/nessus-byol-<fleet>-org-linking-key`. */
  | 'kms:org-alias'
  /** The organisation-shared linking-key secret `nessus-byol/<fleet>/org-linking-key`. */
  | 'secretsmanager:org-secret';

export interface Grant {
  actions: string[];
  on: Scope[];
}

export interface MethodPermissions {
  feature: Feature;
  /** The SDK commands, waiters and paginators the method calls itself (checked by the test). */
  calls: string[];
  grants: Grant[];
}

const read = (feature: Feature, calls: string[], actions: string[], on: Scope[] = ['any']): MethodPermissions => ({
  feature,
  calls,
  grants: [{ actions, on }],
});

/** Keyed `Class.method` (or the function name) as declared in src/adapters/aws/*.ts. */
export const REQUIRED_PERMISSIONS: Record<string, MethodPermissions> = {
  // ec2.ts
  'Ec2Gateway.newestImage': read('fleet', ['DescribeImagesCommand'], ['ec2:DescribeImages']),
  'Ec2Gateway.image': read('fleet', ['DescribeImagesCommand'], ['ec2:DescribeImages']),
  'Ec2Gateway.defaultVpc': read('fleet', ['DescribeVpcsCommand'], ['ec2:DescribeVpcs']),
  'Ec2Gateway.vpc': read('fleet', ['DescribeVpcsCommand'], ['ec2:DescribeVpcs']),
  'Ec2Gateway.subnets': read('fleet', ['DescribeSubnetsCommand'], ['ec2:DescribeSubnets']),
  'Ec2Gateway.vpcs': read('fleet', ['DescribeVpcsCommand'], ['ec2:DescribeVpcs']),
  'Ec2Gateway.subnetNames': read('fleet', ['DescribeSubnetsCommand'], ['ec2:DescribeSubnets']),
  'Ec2Gateway.subnetRoutes': read('fleet', ['DescribeRouteTablesCommand'], ['ec2:DescribeRouteTables']),
  'Ec2Gateway.hasNatGateway': read('fleet', ['DescribeNatGatewaysCommand'], ['ec2:DescribeNatGateways']),
  'Ec2Gateway.vpcEndpointServices': read('fleet', ['DescribeVpcEndpointsCommand'], ['ec2:DescribeVpcEndpoints']),
  'Ec2Gateway.findSecurityGroup': read('fleet', ['DescribeSecurityGroupsCommand'], ['ec2:DescribeSecurityGroups']),
  'Ec2Gateway.fleetSecurityGroups': read('fleet', ['DescribeSecurityGroupsCommand'], ['ec2:DescribeSecurityGroups']),
  'Ec2Gateway.securityGroupEgress': read('fleet', ['DescribeSecurityGroupsCommand'], ['ec2:DescribeSecurityGroups']),
  'Ec2Gateway.createSecurityGroup': {
    feature: 'fleet',
    calls: [
      'CreateSecurityGroupCommand',
      'RevokeSecurityGroupEgressCommand',
      'AuthorizeSecurityGroupEgressCommand',
      'AuthorizeSecurityGroupIngressCommand',
    ],
    grants: [
      { actions: ['ec2:CreateSecurityGroup'], on: ['ec2:new-security-group', 'ec2:vpc'] },
      { actions: ['ec2:CreateTags'], on: ['ec2:tag-on-create'] },
      {
        actions: [
          'ec2:RevokeSecurityGroupEgress',
          'ec2:AuthorizeSecurityGroupEgress',
          'ec2:AuthorizeSecurityGroupIngress',
        ],
        on: ['ec2:fleet-security-group'],
      },
    ],
  },
  'Ec2Gateway.deleteSecurityGroup': read(
    'fleet',
    ['DeleteSecurityGroupCommand'],
    ['ec2:DeleteSecurityGroup'],
    ['ec2:fleet-security-group'],
  ),
  // ec2-scan.ts (`scan` targets, the scan.egress rule of `up`, `doctor`)
  'Ec2ScanGateway.runningInstances': read('fleet', ['DescribeInstancesCommand'], ['ec2:DescribeInstances']),
  'Ec2ScanGateway.securityGroupRules': read('fleet', ['DescribeSecurityGroupsCommand'], ['ec2:DescribeSecurityGroups']),
  'Ec2ScanGateway.authorizeScanEgress': read(
    'fleet',
    ['AuthorizeSecurityGroupEgressCommand'],
    ['ec2:AuthorizeSecurityGroupEgress'],
    ['ec2:fleet-security-group'],
  ),
  'Ec2Gateway.keyPairExists': read('fleet', ['DescribeKeyPairsCommand'], ['ec2:DescribeKeyPairs']),
  'Ec2Gateway.keyPairTags': read('fleet', ['DescribeKeyPairsCommand'], ['ec2:DescribeKeyPairs']),
  'Ec2Gateway.createKeyPair': {
    feature: 'fleet',
    calls: ['CreateKeyPairCommand'],
    grants: [
      { actions: ['ec2:CreateKeyPair'], on: ['ec2:new-key-pair'] },
      { actions: ['ec2:CreateTags'], on: ['ec2:tag-on-create'] },
    ],
  },
  'Ec2Gateway.importKeyPair': {
    feature: 'fleet',
    calls: ['ImportKeyPairCommand'],
    grants: [
      { actions: ['ec2:ImportKeyPair'], on: ['ec2:new-key-pair'] },
      { actions: ['ec2:CreateTags'], on: ['ec2:tag-on-create'] },
    ],
  },
  'Ec2Gateway.deleteKeyPair': read('fleet', ['DeleteKeyPairCommand'], ['ec2:DeleteKeyPair'], ['ec2:fleet-key-pair']),
  'Ec2Gateway.runInstances': {
    feature: 'fleet',
    calls: ['RunInstancesCommand'],
    grants: [
      {
        actions: ['ec2:RunInstances'],
        on: ['ec2:image', 'ec2:subnet', 'ec2:new-tagged', 'ec2:fleet-security-group', 'ec2:launch-key-pair'],
      },
      { actions: ['ec2:CreateTags'], on: ['ec2:tag-on-create'] },
      { actions: ['iam:PassRole'], on: ['iam:pass-fleet-role'] },
      // Only with volume.kmsKeyId: EBS uses the key on the caller's behalf.
      {
        actions: [
          'kms:CreateGrant',
          'kms:Decrypt',
          'kms:DescribeKey',
          'kms:GenerateDataKeyWithoutPlaintext',
          'kms:ReEncrypt*',
        ],
        on: ['kms:ebs-key'],
      },
    ],
  },
  'Ec2Gateway.fleetInstances': read('fleet', ['DescribeInstancesCommand'], ['ec2:DescribeInstances']),
  'Ec2Gateway.regionInstances': read('fleet', ['DescribeInstancesCommand'], ['ec2:DescribeInstances']),
  'Ec2Gateway.instanceTypeVcpus': read('fleet', ['DescribeInstanceTypesCommand'], ['ec2:DescribeInstanceTypes']),
  // Names and scanner ids are tagged onto the fleet's own instances after launch.
  'Ec2Gateway.tagResources': read('fleet', ['CreateTagsCommand'], ['ec2:CreateTags'], ['ec2:fleet-instance']),
  'Ec2Gateway.terminate': read(
    'fleet',
    ['TerminateInstancesCommand'],
    ['ec2:TerminateInstances'],
    ['ec2:fleet-instance'],
  ),
  'Ec2Gateway.waitTerminated': read('fleet', ['waitUntilInstanceTerminated'], ['ec2:DescribeInstances']),
  'Ec2Gateway.consoleOutput': read(
    'fleet',
    ['GetConsoleOutputCommand'],
    ['ec2:GetConsoleOutput'],
    ['ec2:fleet-instance'],
  ),

  // iam.ts
  'IamGateway.roleTags': read('fleet', ['GetRoleCommand'], ['iam:GetRole'], ['iam:fleet-role']),
  'IamGateway.instanceProfileExists': read(
    'fleet',
    ['GetInstanceProfileCommand'],
    ['iam:GetInstanceProfile'],
    ['iam:fleet-instance-profile'],
  ),
  'IamGateway.createRole': {
    feature: 'fleet',
    calls: ['CreateRoleCommand', 'PutRolePolicyCommand', 'AttachRolePolicyCommand'],
    grants: [
      // CreateRole with Tags needs iam:TagRole too.
      { actions: ['iam:CreateRole', 'iam:TagRole', 'iam:GetRole', 'iam:PutRolePolicy'], on: ['iam:fleet-role'] },
      { actions: ['iam:AttachRolePolicy'], on: ['iam:fleet-role-managed-policy'] },
    ],
  },
  'IamGateway.createInstanceProfile': {
    feature: 'fleet',
    calls: ['CreateInstanceProfileCommand', 'AddRoleToInstanceProfileCommand'],
    grants: [
      {
        actions: [
          'iam:CreateInstanceProfile',
          'iam:TagInstanceProfile',
          'iam:GetInstanceProfile',
          'iam:AddRoleToInstanceProfile',
        ],
        on: ['iam:fleet-instance-profile'],
      },
      // Adding a role to an instance profile passes it.
      { actions: ['iam:PassRole'], on: ['iam:pass-fleet-role'] },
    ],
  },
  'IamGateway.deleteInstanceProfile': read(
    'fleet',
    ['RemoveRoleFromInstanceProfileCommand', 'DeleteInstanceProfileCommand'],
    ['iam:RemoveRoleFromInstanceProfile', 'iam:DeleteInstanceProfile'],
    ['iam:fleet-instance-profile'],
  ),
  'IamGateway.deleteRoleAndProfile': read(
    'fleet',
    [
      'ListRolePoliciesCommand',
      'DeleteRolePolicyCommand',
      'ListAttachedRolePoliciesCommand',
      'DetachRolePolicyCommand',
      'DeleteRoleCommand',
    ],
    [
      'iam:ListRolePolicies',
      'iam:DeleteRolePolicy',
      'iam:ListAttachedRolePolicies',
      'iam:DetachRolePolicy',
      'iam:DeleteRole',
    ],
    ['iam:fleet-role'],
  ),

  // ssm.ts
  'SsmGateway.exists': read('fleet', ['GetParameterCommand'], ['ssm:GetParameter'], ['ssm:fleet-parameter-read']),
  'SsmGateway.tags': read(
    'fleet',
    ['ListTagsForResourceCommand'],
    ['ssm:ListTagsForResource'],
    ['ssm:fleet-parameter-read'],
  ),
  'SsmGateway.readSecure': read('fleet', ['GetParameterCommand'], ['ssm:GetParameter'], ['ssm:fleet-parameter-read']),
  // PutParameter with Tags needs ssm:AddTagsToResource too.
  'SsmGateway.putSecure': read(
    'fleet',
    ['PutParameterCommand'],
    ['ssm:PutParameter', 'ssm:AddTagsToResource'],
    ['ssm:fleet-parameter-write'],
  ),
  'SsmGateway.putIfAbsent': read(
    'fleet',
    ['PutParameterCommand'],
    ['ssm:PutParameter', 'ssm:AddTagsToResource'],
    ['ssm:fleet-parameter-write'],
  ),
  'SsmGateway.putPlain': read(
    'fleet',
    ['PutParameterCommand'],
    ['ssm:PutParameter', 'ssm:AddTagsToResource'],
    ['ssm:fleet-parameter-write'],
  ),
  'SsmGateway.readPlain': read('fleet', ['GetParameterCommand'], ['ssm:GetParameter'], ['ssm:fleet-parameter-read']),
  'SsmGateway.delete': read(
    'fleet',
    ['DeleteParameterCommand'],
    ['ssm:DeleteParameter'],
    ['ssm:fleet-parameter-write'],
  ),

  // secrets-manager.ts
  'SecretsManagerGateway.exists': read(
    'fleet',
    ['DescribeSecretCommand'],
    ['secretsmanager:DescribeSecret'],
    ['secretsmanager:fleet-secret'],
  ),
  'SecretsManagerGateway.read': read(
    'fleet',
    ['GetSecretValueCommand'],
    ['secretsmanager:GetSecretValue'],
    ['secretsmanager:fleet-secret'],
  ),

  // sts.ts — GetCallerIdentity cannot be denied; listed so the policy says what the tool calls.
  callerIdentity: read('fleet', ['GetCallerIdentityCommand'], ['sts:GetCallerIdentity']),

  // iam-audit.ts (audit setup / keys / rotate)
  'IamAuditGateway.groupExists': read('audit', ['GetGroupCommand'], ['iam:GetGroup'], ['iam:audit-group']),
  'IamAuditGateway.createGroup': read('audit', ['CreateGroupCommand'], ['iam:CreateGroup'], ['iam:audit-group']),
  'IamAuditGateway.groupPolicyArns': read(
    'audit',
    ['ListAttachedGroupPoliciesCommand'],
    ['iam:ListAttachedGroupPolicies'],
    ['iam:audit-group'],
  ),
  'IamAuditGateway.attachGroupPolicy': read(
    'audit',
    ['AttachGroupPolicyCommand'],
    ['iam:AttachGroupPolicy'],
    ['iam:audit-group-policy'],
  ),
  'IamAuditGateway.userExists': read('audit', ['GetUserCommand'], ['iam:GetUser'], ['iam:audit-user']),
  // CreateUser with Tags needs iam:TagUser too.
  'IamAuditGateway.createUser': read(
    'audit',
    ['CreateUserCommand'],
    ['iam:CreateUser', 'iam:TagUser'],
    ['iam:audit-user'],
  ),
  'IamAuditGateway.userTags': read('audit', ['ListUserTagsCommand'], ['iam:ListUserTags'], ['iam:audit-user']),
  'IamAuditGateway.tagUser': read('audit', ['TagUserCommand'], ['iam:TagUser'], ['iam:audit-user']),
  'IamAuditGateway.untagUser': read('audit', ['UntagUserCommand'], ['iam:UntagUser'], ['iam:audit-user']),
  'IamAuditGateway.userGroups': read(
    'audit',
    ['ListGroupsForUserCommand'],
    ['iam:ListGroupsForUser'],
    ['iam:audit-user'],
  ),
  'IamAuditGateway.addUserToGroup': read(
    'audit',
    ['AddUserToGroupCommand'],
    ['iam:AddUserToGroup'],
    ['iam:audit-group'],
  ),
  'IamAuditGateway.listUserNames': read('audit', ['paginateListUsers'], ['iam:ListUsers']),
  'IamAuditGateway.accessKeys': read('audit', ['ListAccessKeysCommand'], ['iam:ListAccessKeys'], ['iam:any-user-read']),
  'IamAuditGateway.createAccessKey': read(
    'audit',
    ['CreateAccessKeyCommand'],
    ['iam:CreateAccessKey'],
    ['iam:audit-user'],
  ),
  'IamAuditGateway.setAccessKeyStatus': read(
    'audit',
    ['UpdateAccessKeyCommand'],
    ['iam:UpdateAccessKey'],
    ['iam:audit-user'],
  ),
  'IamAuditGateway.deleteAccessKey': read(
    'audit',
    ['DeleteAccessKeyCommand'],
    ['iam:DeleteAccessKey'],
    ['iam:audit-user'],
  ),
  'IamAuditGateway.lastUsed': read(
    'audit',
    ['GetAccessKeyLastUsedCommand'],
    ['iam:GetAccessKeyLastUsed'],
    ['iam:any-user-read'],
  ),

  // iam-audit-secret.ts
  'AuditKeySecretStore.read': read(
    'audit',
    ['GetSecretValueCommand'],
    ['secretsmanager:GetSecretValue'],
    ['secretsmanager:audit-secret'],
  ),
  // CreateSecret with Tags needs secretsmanager:TagResource too.
  'AuditKeySecretStore.write': read(
    'audit',
    ['PutSecretValueCommand', 'CreateSecretCommand'],
    ['secretsmanager:PutSecretValue', 'secretsmanager:CreateSecret', 'secretsmanager:TagResource'],
    ['secretsmanager:audit-secret'],
  ),

  'AuditKeySecretStore.delete': read(
    'audit',
    ['DeleteSecretCommand'],
    ['secretsmanager:DeleteSecret'],
    ['secretsmanager:audit-secret'],
  ),
  // sts.ts — the new audit key proves itself: signed with that key, so the caller needs nothing for it.
  identityOfKey: read('audit', ['GetCallerIdentityCommand'], ['sts:GetCallerIdentity']),

  // securityhub*.ts (sechub)
  'SechubStateParameter.read': read('sechub', ['GetParameterCommand'], ['ssm:GetParameter'], ['ssm:sechub-state']),
  'SechubStateParameter.write': read(
    'sechub',
    ['PutParameterCommand'],
    ['ssm:PutParameter', 'ssm:AddTagsToResource'],
    ['ssm:sechub-state'],
  ),
  assumedRoleCredentials: read('sechub', ['AssumeRoleCommand'], ['sts:AssumeRole'], ['sts:import-role']),
  'SecurityHubGateway.batchImport': read(
    'sechub',
    ['BatchImportFindingsCommand'],
    ['securityhub:BatchImportFindings'],
    ['securityhub:product'],
  ),

  // cloudformation-org-secret.ts (org: the organisation-shared linking key)
  'OrgSecretGateway.keyArn': read('org', ['DescribeKeyCommand'], ['kms:DescribeKey'], ['kms:org-key']),
  'OrgSecretGateway.ensureKey': {
    feature: 'org',
    calls: ['PutKeyPolicyCommand', 'CreateKeyCommand', 'CreateAliasCommand', 'EnableKeyRotationCommand'],
    grants: [
      // CreateKey with Tags needs kms:TagResource too.
      { actions: ['kms:CreateKey', 'kms:TagResource'], on: ['kms:new-key'] },
      { actions: ['kms:PutKeyPolicy', 'kms:CreateAlias', 'kms:EnableKeyRotation'], on: ['kms:org-key'] },
      { actions: ['kms:CreateAlias'], on: ['kms:org-alias'] },
    ],
  },
  'OrgSecretGateway.secretArn': read(
    'org',
    ['DescribeSecretCommand'],
    ['secretsmanager:DescribeSecret'],
    ['secretsmanager:org-secret'],
  ),
  'OrgSecretGateway.ensureSecret': {
    feature: 'org',
    calls: [
      'CreateSecretCommand',
      'UpdateSecretCommand',
      'GetSecretValueCommand',
      'PutSecretValueCommand',
      'PutResourcePolicyCommand',
    ],
    grants: [
      {
        actions: [
          'secretsmanager:CreateSecret',
          'secretsmanager:TagResource',
          'secretsmanager:UpdateSecret',
          'secretsmanager:GetSecretValue',
          'secretsmanager:PutSecretValue',
          'secretsmanager:PutResourcePolicy',
        ],
        on: ['secretsmanager:org-secret'],
      },
      // Secrets Manager encrypts and decrypts with the customer key on the caller's behalf.
      { actions: ['kms:GenerateDataKey', 'kms:Decrypt'], on: ['kms:org-key'] },
    ],
  },
  'OrgSecretGateway.deleteSecret': read(
    'org',
    ['DeleteSecretCommand'],
    ['secretsmanager:DeleteSecret'],
    ['secretsmanager:org-secret'],
  ),
  'OrgSecretGateway.scheduleKeyDeletion': read(
    'org',
    ['ScheduleKeyDeletionCommand'],
    ['kms:ScheduleKeyDeletion'],
    ['kms:org-key'],
  ),

  // cloudformation-stacksets.ts (org: scanners in member accounts through a StackSet)
  'StackSetGateway.describe': read(
    'org',
    ['DescribeStackSetCommand'],
    ['cloudformation:DescribeStackSet'],
    ['cloudformation:fleet-stack-set'],
  ),
  'StackSetGateway.create': read(
    'org',
    ['CreateStackSetCommand'],
    ['cloudformation:CreateStackSet', 'cloudformation:TagResource'],
    ['cloudformation:fleet-stack-set'],
  ),
  'StackSetGateway.update': read(
    'org',
    ['UpdateStackSetCommand'],
    ['cloudformation:UpdateStackSet'],
    ['cloudformation:fleet-stack-set'],
  ),
  'StackSetGateway.createInstances': read(
    'org',
    ['CreateStackInstancesCommand'],
    ['cloudformation:CreateStackInstances'],
    ['cloudformation:fleet-stack-set'],
  ),
  'StackSetGateway.deleteInstances': read(
    'org',
    ['DeleteStackInstancesCommand'],
    ['cloudformation:DeleteStackInstances'],
    ['cloudformation:fleet-stack-set'],
  ),
  'StackSetGateway.delete': read(
    'org',
    ['DeleteStackSetCommand'],
    ['cloudformation:DeleteStackSet'],
    ['cloudformation:fleet-stack-set'],
  ),
  'StackSetGateway.operationStatus': read(
    'org',
    ['DescribeStackSetOperationCommand'],
    ['cloudformation:DescribeStackSetOperation'],
    ['cloudformation:fleet-stack-set'],
  ),
  'StackSetGateway.operationResults': read(
    'org',
    ['ListStackSetOperationResultsCommand'],
    ['cloudformation:ListStackSetOperationResults'],
    ['cloudformation:fleet-stack-set'],
  ),
  'StackSetGateway.instances': read(
    'org',
    ['ListStackInstancesCommand'],
    ['cloudformation:ListStackInstances'],
    ['cloudformation:fleet-stack-set'],
  ),
};
