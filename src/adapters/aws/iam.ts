import {
  AddRoleToInstanceProfileCommand,
  AttachRolePolicyCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  DeleteInstanceProfileCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetInstanceProfileCommand,
  GetRoleCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  PutRolePolicyCommand,
  RemoveRoleFromInstanceProfileCommand,
} from '@aws-sdk/client-iam';
import type { PolicyDocument } from '../../core/instance-role.js';
import { aws, isAwsErrorCode, toAwsError } from './aws-errors.js';
import { clientConfig, type AwsContext } from './client-config.js';
import { toTags } from './ec2.js';

export const INLINE_POLICY_NAME = 'nessus-byol-boot-secrets';

export class IamGateway {
  readonly client: IAMClient;
  constructor(ctx: AwsContext) {
    this.client = new IAMClient(clientConfig(ctx));
  }

  async roleTags(name: string): Promise<Record<string, string> | null> {
    try {
      const out = await this.client.send(new GetRoleCommand({ RoleName: name }));
      return Object.fromEntries((out.Role?.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
    } catch (e) {
      if (isAwsErrorCode(e, 'NoSuchEntity', 'NoSuchEntityException')) return null;
      throw toAwsError(e, 'looking up the instance role (iam:GetRole)');
    }
  }

  async instanceProfileExists(name: string): Promise<boolean> {
    try {
      await this.client.send(new GetInstanceProfileCommand({ InstanceProfileName: name }));
      return true;
    } catch (e) {
      if (isAwsErrorCode(e, 'NoSuchEntity', 'NoSuchEntityException')) return false;
      throw toAwsError(e, 'looking up the instance profile (iam:GetInstanceProfile)');
    }
  }

  async createRole(p: { name: string; trust: PolicyDocument; inline: PolicyDocument | null; managed: string[]; tags: Record<string, string> }): Promise<void> {
    await aws('creating the instance role (iam:CreateRole)', () =>
      this.client.send(
        new CreateRoleCommand({
          RoleName: p.name,
          AssumeRolePolicyDocument: JSON.stringify(p.trust),
          Description: 'Nessus scanner instance role managed by nessus-byol',
          Tags: toTags(p.tags),
        }),
      ),
    );
    if (p.inline) {
      await aws('attaching the inline policy (iam:PutRolePolicy)', () =>
        this.client.send(new PutRolePolicyCommand({ RoleName: p.name, PolicyName: INLINE_POLICY_NAME, PolicyDocument: JSON.stringify(p.inline) })),
      );
    }
    for (const arn of p.managed) {
      await aws('attaching a managed policy (iam:AttachRolePolicy)', () => this.client.send(new AttachRolePolicyCommand({ RoleName: p.name, PolicyArn: arn })));
    }
  }

  /**
   * No IAM waiters here: IAM answers Get* at once while EC2 may still not see the profile, so the
   * real propagation wait is RunInstances' retry on "Invalid IAM Instance Profile" (launch.ts).
   */
  async createInstanceProfile(name: string, roleName: string, tags: Record<string, string>): Promise<void> {
    await aws('creating the instance profile (iam:CreateInstanceProfile)', () =>
      this.client.send(new CreateInstanceProfileCommand({ InstanceProfileName: name, Tags: toTags(tags) })),
    );
    await aws('adding the role to the instance profile', () =>
      this.client.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: name, RoleName: roleName })),
    );
  }

  async deleteInstanceProfile(profileName: string, roleName: string): Promise<void> {
    for (const [action, call] of [
      ['removing the role from the instance profile', () => this.client.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: profileName, RoleName: roleName }))],
      ['deleting the instance profile', () => this.client.send(new DeleteInstanceProfileCommand({ InstanceProfileName: profileName }))],
    ] as const) {
      try {
        await call();
      } catch (e) {
        if (!isAwsErrorCode(e, 'NoSuchEntity', 'NoSuchEntityException')) throw toAwsError(e, action);
      }
    }
  }

  /** Deletes the instance profile and role (and their policies); missing parts count as done. */
  async deleteRoleAndProfile(roleName: string, profileName: string): Promise<void> {
    const ignoreMissing = async (action: string, fn: () => Promise<unknown>) => {
      try {
        await fn();
      } catch (e) {
        if (!isAwsErrorCode(e, 'NoSuchEntity', 'NoSuchEntityException')) throw toAwsError(e, action);
      }
    };
    await this.deleteInstanceProfile(profileName, roleName);
    await ignoreMissing('deleting the role policies', async () => {
      const inline = await this.client.send(new ListRolePoliciesCommand({ RoleName: roleName }));
      for (const name of inline.PolicyNames ?? []) await this.client.send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: name }));
      const attached = await this.client.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName }));
      for (const p of attached.AttachedPolicies ?? []) await this.client.send(new DetachRolePolicyCommand({ RoleName: roleName, PolicyArn: p.PolicyArn }));
    });
    await ignoreMissing('deleting the role', () => this.client.send(new DeleteRoleCommand({ RoleName: roleName })));
  }
}
