import {
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  GetAccessKeyLastUsedCommand,
  GetGroupCommand,
  GetUserCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListAttachedGroupPoliciesCommand,
  ListGroupsForUserCommand,
  ListUserTagsCommand,
  TagUserCommand,
  UntagUserCommand,
  UpdateAccessKeyCommand,
  paginateListUsers,
} from '@aws-sdk/client-iam';
import { Secret } from '../../core/secret.js';
import { aws, isAwsErrorCode, toAwsError } from './aws-errors.js';
import { clientConfig, type AwsContext } from './client-config.js';
import { toTags } from './ec2.js';

export type AccessKeyStatus = 'Active' | 'Inactive';

export interface AccessKeyInfo {
  userName: string;
  accessKeyId: string;
  status: AccessKeyStatus;
  createdAt: Date;
}

export interface NewAccessKey extends AccessKeyInfo {
  secretAccessKey: Secret;
}

export interface AccessKeyLastUsed {
  /** Absent when the key was never used. */
  date?: Date;
  /** `N/A` from AWS when never used; left out then. */
  service?: string;
  region?: string;
}

const NOT_FOUND = ['NoSuchEntity', 'NoSuchEntityException'];
const notAvailable = (v: string | undefined) => (v && v !== 'N/A' ? v : undefined);

/**
 * The IAM surface of `audit`: the read-only group, the scanning user, and its access keys.
 * The user's tags carry the audit state (Tenable credential uuid, deactivation dates) — IAM has no
 * record of when a key was deactivated, and the tool keeps no local state.
 */
export class IamAuditGateway {
  readonly client: IAMClient;
  constructor(ctx: AwsContext) {
    this.client = new IAMClient(clientConfig(ctx));
  }

  async groupExists(name: string): Promise<boolean> {
    try {
      await this.client.send(new GetGroupCommand({ GroupName: name, MaxItems: 1 }));
      return true;
    } catch (e) {
      if (isAwsErrorCode(e, ...NOT_FOUND)) return false;
      throw toAwsError(e, `looking up IAM group ${name} (iam:GetGroup)`);
    }
  }

  async createGroup(name: string): Promise<void> {
    await aws(`creating IAM group ${name} (iam:CreateGroup)`, () =>
      this.client.send(new CreateGroupCommand({ GroupName: name })),
    );
  }

  async groupPolicyArns(name: string): Promise<string[]> {
    const arns: string[] = [];
    let marker: string | undefined;
    do {
      const out = await aws(`listing the policies of IAM group ${name} (iam:ListAttachedGroupPolicies)`, () =>
        this.client.send(
          new ListAttachedGroupPoliciesCommand({ GroupName: name, ...(marker ? { Marker: marker } : {}) }),
        ),
      );
      arns.push(...(out.AttachedPolicies ?? []).flatMap((p) => (p.PolicyArn ? [p.PolicyArn] : [])));
      marker = out.IsTruncated ? out.Marker : undefined;
    } while (marker);
    return arns;
  }

  async attachGroupPolicy(group: string, policyArn: string): Promise<void> {
    await aws(`attaching ${policyArn} to IAM group ${group} (iam:AttachGroupPolicy)`, () =>
      this.client.send(new AttachGroupPolicyCommand({ GroupName: group, PolicyArn: policyArn })),
    );
  }

  async userExists(name: string): Promise<boolean> {
    try {
      await this.client.send(new GetUserCommand({ UserName: name }));
      return true;
    } catch (e) {
      if (isAwsErrorCode(e, ...NOT_FOUND)) return false;
      throw toAwsError(e, `looking up IAM user ${name} (iam:GetUser)`);
    }
  }

  async createUser(name: string, tags: Record<string, string>): Promise<void> {
    await aws(`creating IAM user ${name} (iam:CreateUser)`, () =>
      this.client.send(new CreateUserCommand({ UserName: name, Tags: toTags(tags) })),
    );
  }

  async userTags(name: string): Promise<Record<string, string>> {
    const tags: Record<string, string> = {};
    let marker: string | undefined;
    do {
      const out = await aws(`reading the tags of IAM user ${name} (iam:ListUserTags)`, () =>
        this.client.send(new ListUserTagsCommand({ UserName: name, ...(marker ? { Marker: marker } : {}) })),
      );
      for (const t of out.Tags ?? []) if (t.Key) tags[t.Key] = t.Value ?? '';
      marker = out.IsTruncated ? out.Marker : undefined;
    } while (marker);
    return tags;
  }

  async tagUser(name: string, tags: Record<string, string>): Promise<void> {
    if (Object.keys(tags).length === 0) return;
    await aws(`tagging IAM user ${name} (iam:TagUser)`, () =>
      this.client.send(new TagUserCommand({ UserName: name, Tags: toTags(tags) })),
    );
  }

  async untagUser(name: string, keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await aws(`untagging IAM user ${name} (iam:UntagUser)`, () =>
      this.client.send(new UntagUserCommand({ UserName: name, TagKeys: keys })),
    );
  }

  async userGroups(name: string): Promise<string[]> {
    const out = await aws(`listing the groups of IAM user ${name} (iam:ListGroupsForUser)`, () =>
      this.client.send(new ListGroupsForUserCommand({ UserName: name })),
    );
    return (out.Groups ?? []).flatMap((g) => (g.GroupName ? [g.GroupName] : []));
  }

  async addUserToGroup(user: string, group: string): Promise<void> {
    await aws(`adding IAM user ${user} to group ${group} (iam:AddUserToGroup)`, () =>
      this.client.send(new AddUserToGroupCommand({ UserName: user, GroupName: group })),
    );
  }

  async listUserNames(): Promise<string[]> {
    const names: string[] = [];
    try {
      for await (const page of paginateListUsers({ client: this.client }, {})) {
        names.push(...(page.Users ?? []).flatMap((u) => (u.UserName ? [u.UserName] : [])));
      }
    } catch (e) {
      throw toAwsError(e, 'listing IAM users (iam:ListUsers)');
    }
    return names;
  }

  async accessKeys(user: string): Promise<AccessKeyInfo[]> {
    const out = await aws(`listing the access keys of IAM user ${user} (iam:ListAccessKeys)`, () =>
      this.client.send(new ListAccessKeysCommand({ UserName: user })),
    );
    return (out.AccessKeyMetadata ?? [])
      .flatMap((k) =>
        k.AccessKeyId
          ? [
              {
                userName: k.UserName ?? user,
                accessKeyId: k.AccessKeyId,
                status: (k.Status === 'Active' ? 'Active' : 'Inactive') as AccessKeyStatus,
                createdAt: k.CreateDate ?? new Date(0),
              },
            ]
          : [],
      )
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  }

  async createAccessKey(user: string): Promise<NewAccessKey> {
    const out = await aws(`creating an access key for IAM user ${user} (iam:CreateAccessKey)`, () =>
      this.client.send(new CreateAccessKeyCommand({ UserName: user })),
    );
    const k = out.AccessKey;
    if (!k?.AccessKeyId || !k.SecretAccessKey) {
      throw toAwsError(new Error('CreateAccessKey returned no key'), `creating an access key for IAM user ${user}`);
    }
    return {
      userName: user,
      accessKeyId: k.AccessKeyId,
      status: 'Active',
      createdAt: k.CreateDate ?? new Date(),
      secretAccessKey: new Secret(k.SecretAccessKey, `secret access key of ${k.AccessKeyId}`),
    };
  }

  async setAccessKeyStatus(user: string, accessKeyId: string, status: AccessKeyStatus): Promise<void> {
    await aws(
      `${status === 'Active' ? 'activating' : 'deactivating'} access key ${accessKeyId} (iam:UpdateAccessKey)`,
      () => this.client.send(new UpdateAccessKeyCommand({ UserName: user, AccessKeyId: accessKeyId, Status: status })),
    );
  }

  /** `gone` when the key no longer exists (fine during cleanup). */
  async deleteAccessKey(user: string, accessKeyId: string): Promise<'deleted' | 'gone'> {
    try {
      await this.client.send(new DeleteAccessKeyCommand({ UserName: user, AccessKeyId: accessKeyId }));
      return 'deleted';
    } catch (e) {
      if (isAwsErrorCode(e, ...NOT_FOUND)) return 'gone';
      throw toAwsError(e, `deleting access key ${accessKeyId} (iam:DeleteAccessKey)`);
    }
  }

  async lastUsed(accessKeyId: string): Promise<AccessKeyLastUsed> {
    const out = await aws(`reading when access key ${accessKeyId} was last used (iam:GetAccessKeyLastUsed)`, () =>
      this.client.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: accessKeyId })),
    );
    const u = out.AccessKeyLastUsed;
    const result: AccessKeyLastUsed = {};
    if (u?.LastUsedDate) result.date = u.LastUsedDate;
    const service = notAvailable(u?.ServiceName);
    const region = notAvailable(u?.Region);
    if (service) result.service = service;
    if (region) result.region = region;
    return result;
  }
}
