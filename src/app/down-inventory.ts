import type { ResolvedConfig } from '../config/resolve.js';
import { TAG, iamRoleName, instanceProfileName, keyPairName, ownedLinkingKeyParameter } from '../core/naming.js';
import type { AwsGateways } from './gateways.js';

/** A fleet-level resource this fleet created (tagged nessus-byol:fleet=<fleet> + nessus-byol:managed=true). */
export interface OwnedResource {
  kind: 'security-group' | 'key-pair' | 'iam' | 'ssm-parameter';
  id: string;
  /** Why the resource is there, for the plan shown before deleting. */
  label: string;
}

/** A resource with the fleet's name that is left alone, and why. */
export interface LeftAlone {
  kind: OwnedResource['kind'];
  id: string;
  reason: string;
}

export interface SharedInventory {
  owned: OwnedResource[];
  leftAlone: LeftAlone[];
}

const ownedBy = (tags: Record<string, string> | null, fleet: string) =>
  tags !== null && tags[TAG.fleet] === fleet && tags[TAG.managed] === 'true';
const otherOwner = (tags: Record<string, string>) =>
  tags[TAG.fleet]
    ? `tagged for fleet "${tags[TAG.fleet]}"`
    : 'not created by nessus-byol (no nessus-byol:fleet/managed tags)';

/**
 * Finds the fleet-level resources by name and tag — whatever the fleet file says today, so a
 * resource from an earlier configuration is found too — and splits them into those this fleet
 * created (deletable) and look-alikes it must never touch: a linking-key parameter the user gave
 * (`key.from: ssm`), one tagged for another fleet, a key pair or role someone else made.
 */
export async function sharedInventory(config: ResolvedConfig, aws: AwsGateways): Promise<SharedInventory> {
  const fleet = config.fleet;
  const owned: OwnedResource[] = [];
  const leftAlone: LeftAlone[] = [];

  const keyFrom = config.link.key.from;
  const userParameter = keyFrom === 'ssm' ? config.link.key.parameter : undefined;
  const parameters = [
    ...new Set([
      ownedLinkingKeyParameter(fleet),
      ...((keyFrom === 'tenable-api' || keyFrom === 'env') && config.link.key.parameter
        ? [config.link.key.parameter]
        : []),
    ]),
  ];

  const [groups, keyPairTags, roleTags, profileExists, paramTags] = await Promise.all([
    aws.ec2.fleetSecurityGroups(fleet),
    aws.ec2.keyPairTags(keyPairName(fleet)),
    aws.iam.roleTags(iamRoleName(fleet, config.region)),
    aws.iam.instanceProfileExists(instanceProfileName(fleet, config.region)),
    Promise.all(
      parameters.map(async (name) => ((await aws.ssm.exists(name)) ? { name, tags: await aws.ssm.tags(name) } : null)),
    ),
  ]);

  for (const g of groups) {
    if (ownedBy(g.tags, fleet))
      owned.push({ kind: 'security-group', id: g.id, label: `security group ${g.name} (${g.id})` });
    else leftAlone.push({ kind: 'security-group', id: g.id, reason: otherOwner(g.tags) });
  }
  if (keyPairTags !== null) {
    if (ownedBy(keyPairTags, fleet))
      owned.push({ kind: 'key-pair', id: keyPairName(fleet), label: `key pair ${keyPairName(fleet)}` });
    else leftAlone.push({ kind: 'key-pair', id: keyPairName(fleet), reason: otherOwner(keyPairTags) });
  }
  const role = iamRoleName(fleet, config.region);
  if (roleTags !== null) {
    if (ownedBy(roleTags, fleet)) owned.push({ kind: 'iam', id: role, label: `instance role and profile ${role}` });
    else leftAlone.push({ kind: 'iam', id: role, reason: otherOwner(roleTags) });
  } else if (profileExists) {
    // A profile without its role is what an interrupted create leaves; it carries the same tags.
    owned.push({ kind: 'iam', id: role, label: `instance profile ${instanceProfileName(fleet, config.region)}` });
  }
  for (const p of paramTags) {
    if (!p) continue;
    if (ownedBy(p.tags, fleet))
      owned.push({ kind: 'ssm-parameter', id: p.name, label: `SSM parameter ${p.name} (linking key)` });
    else leftAlone.push({ kind: 'ssm-parameter', id: p.name, reason: otherOwner(p.tags) });
  }
  if (userParameter)
    leftAlone.push({
      kind: 'ssm-parameter',
      id: userParameter,
      reason: 'the linking key you provide (link.key.from: ssm); nessus-byol never deletes it',
    });
  return { owned, leftAlone };
}

/** Deletes one owned resource; missing counts as done. Security groups wait out lingering network interfaces. */
export async function deleteOwned(
  r: OwnedResource,
  config: ResolvedConfig,
  aws: AwsGateways,
  sleep: (ms: number) => Promise<void>,
): Promise<void> {
  switch (r.kind) {
    case 'security-group':
      for (let attempt = 0; ; attempt++) {
        try {
          return await aws.ec2.deleteSecurityGroup(r.id);
        } catch (e) {
          // Network interfaces of just-terminated instances hold the group for a while.
          if (
            attempt >= 12 ||
            !/DependencyViolation/.test(`${(e as { code?: string }).code ?? ''} ${(e as Error).message}`)
          )
            throw e;
          await sleep(5000);
        }
      }
    case 'key-pair':
      return aws.ec2.deleteKeyPair(r.id);
    case 'iam':
      return aws.iam.deleteRoleAndProfile(r.id, instanceProfileName(config.fleet, config.region));
    case 'ssm-parameter':
      return aws.ssm.delete(r.id);
  }
}
