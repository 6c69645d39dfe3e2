import { managedPolicyArn } from '../../core/partition.js';
import { isNessusByolError, RuntimeError } from '../../core/errors.js';
import type { Secret } from '../../core/secret.js';
import {
  credentialDescription,
  awsCredentialSettings,
  findAuditCredential,
  heldKeyOf,
  type FoundCredential,
} from './credential.js';
import { handOver, messageOf, pendingError, proveKey, recordHeldKey, resumeHandOver } from './handover.js';
import { keyLimitError } from './refusals.js';
import {
  AUDIT_PURPOSE,
  AUDIT_TAG,
  AWS_CREDENTIAL_TYPE,
  type AuditDeps,
  type AuditEvents,
  type NewAccessKey,
} from './types.js';

export interface AuditSetupOptions {
  group: string;
  user: string;
  credentialName: string;
  /** Also attach SecurityAudit (never detached when left out later). */
  securityAudit: boolean;
  /** Keep a copy of the key pair in this Secrets Manager secret. */
  secretName?: string | undefined;
  /** Take over an existing IAM user that nessus-byol did not create. */
  adopt: boolean;
}

export interface AuditSetupResult {
  changed: boolean;
  group: { name: string; created: boolean; policiesAttached: string[]; policies: string[] };
  user: { name: string; created: boolean; adopted: boolean; addedToGroup: boolean };
  credential: { uuid: string; name: string; created: boolean; updated: boolean };
  key: { accessKeyId: string; created: boolean };
  secretsManager: { name: string; written: 'created' | 'updated' | null } | null;
  warnings: string[];
}

/** The new key's secret, only for `--show-secret-once`; kept apart from the result (which is printed). */
export interface AuditSetupOutcome {
  result: AuditSetupResult;
  newSecret: Secret | null;
}

export function userTags(): Record<string, string> {
  return { [AUDIT_TAG.managed]: 'true', [AUDIT_TAG.purpose]: AUDIT_PURPOSE };
}

/**
 * Idempotent: the read-only group (ReadOnlyAccess, optionally SecurityAudit), the scanning user in it,
 * an access key, and the Tenable "Amazon AWS" credential holding it. Everything is read first and
 * refusals happen before any change; a second run with the same options changes nothing.
 */
export async function setupAudit(
  deps: AuditDeps,
  opts: AuditSetupOptions,
  events: AuditEvents,
): Promise<AuditSetupOutcome> {
  const tenable = deps.tenable;
  if (!tenable) throw new Error('setupAudit needs the Tenable client');
  const warnings: string[] = [];
  const warn = (m: string) => {
    warnings.push(m);
    events.warn(m);
  };

  // Look first.
  events.progress(`checking IAM group ${opts.group} and user ${opts.user}`);
  const groupExists = await deps.iam.groupExists(opts.group);
  const userExists = await deps.iam.userExists(opts.user);
  const tags = userExists ? await deps.iam.userTags(opts.user) : {};
  const ours = tags[AUDIT_TAG.managed] === 'true' && tags[AUDIT_TAG.purpose] === AUDIT_PURPOSE;
  if (userExists && !ours && !opts.adopt) {
    throw new RuntimeError('AUDIT_USER_NOT_OURS', `IAM user ${opts.user} exists but was not created by nessus-byol.`, {
      hint: `pass --adopt to manage it (nessus-byol then creates and rotates its access keys), or choose another --user`,
    });
  }
  const keys = userExists ? await deps.iam.accessKeys(opts.user) : [];
  events.progress(`looking for the Tenable credential "${opts.credentialName}"`);
  const credential = await findAuditCredential(tenable, tags, opts.credentialName);
  // An earlier hand-over whose answer was lost is sent again first (Tenable may hold that key).
  const resent = credential && ours ? await resumeHandOver(deps, opts.user, credential.uuid, keys, events) : undefined;
  if (resent && credential) Object.assign(tags, { [AUDIT_TAG.credential]: credential.uuid, [AUDIT_TAG.tenableKey]: resent.accessKeyId });
  // Tenable masks the key on read: which key it holds is what the user's record says.
  const held = heldKeyOf(tags, credential);
  const heldKey = keys.find((k) => k.accessKeyId === held && k.status === 'Active');
  if (!heldKey && keys.length >= 2) throw keyLimitError(opts.user, keys, held, 'setup');

  // Then change what is missing.
  let changed = resent !== undefined;
  if (!groupExists) {
    events.progress(`creating IAM group ${opts.group}`);
    await deps.iam.createGroup(opts.group);
    changed = true;
  }
  const wanted = [
    managedPolicyArn(deps.partition, 'ReadOnlyAccess'),
    ...(opts.securityAudit ? [managedPolicyArn(deps.partition, 'SecurityAudit')] : []),
  ];
  const attached = groupExists ? await deps.iam.groupPolicyArns(opts.group) : [];
  const policiesAttached: string[] = [];
  for (const arn of wanted.filter((a) => !attached.includes(a))) {
    events.progress(`attaching ${arn} to ${opts.group}`);
    await deps.iam.attachGroupPolicy(opts.group, arn);
    policiesAttached.push(arn);
    changed = true;
  }
  if (!userExists) {
    events.progress(`creating IAM user ${opts.user}`);
    await deps.iam.createUser(opts.user, userTags());
    changed = true;
  } else if (!ours) {
    events.progress(`adopting IAM user ${opts.user} (tagging it)`);
    await deps.iam.tagUser(opts.user, userTags());
    changed = true;
  }
  const groups = userExists ? await deps.iam.userGroups(opts.user) : [];
  const addedToGroup = !groups.includes(opts.group);
  if (addedToGroup) {
    events.progress(`adding ${opts.user} to ${opts.group}`);
    await deps.iam.addUserToGroup(opts.user, opts.group);
    changed = true;
  }

  let cred: FoundCredential | null = credential;
  let credentialCreated = false;
  let credentialUpdated = false;
  let newKey: NewAccessKey | null = null;
  let secretWritten: 'created' | 'updated' | null = null;
  if (!heldKey) {
    for (const k of keys.filter((k) => k.status === 'Active')) {
      warn(
        `access key ${k.accessKeyId} of ${opts.user} is active but not ${held === undefined ? 'recorded as the key the Tenable credential holds' : 'held by the Tenable credential'}; deactivate it if nothing else uses it`,
      );
    }
    events.progress(`creating an access key for ${opts.user}`);
    newKey = await deps.iam.createAccessKey(opts.user);
    /** Errors that must not delete the new key: Tenable holds it, or may. */
    let keep: unknown;
    try {
      await proveKey(deps, opts.user, newKey, events);
      if (cred) {
        events.progress(`updating the Tenable credential "${cred.name}" with key ${newKey.accessKeyId}`);
        const r = await handOver(deps, opts.user, cred.uuid, newKey, events);
        if (r.outcome === 'unclear') {
          keep = pendingError(r.error, newKey.accessKeyId, keys.filter((k) => k.status === 'Active').map((k) => k.accessKeyId));
          throw keep;
        }
        if (r.outcome === 'rejected') throw r.error;
        if (r.recordError) {
          keep = new RuntimeError(
            'AUDIT_ROTATION_INCOMPLETE',
            `Tenable holds the new access key ${newKey.accessKeyId}, but recording that on IAM user ${opts.user} failed (${messageOf(r.recordError)}).`,
            {
              hint: 're-run `nessus-byol audit setup` (or `audit rotate`): it sends the same update again and records it',
              data: { rolledBack: false, ...(isNessusByolError(r.recordError) ? { causeCode: r.recordError.code } : {}) },
              cause: r.recordError,
            },
          );
          throw keep;
        }
        credentialUpdated = true;
      } else {
        events.progress(`creating the Tenable credential "${opts.credentialName}"`);
        // POST answers the new uuid: that is the confirmation (the key cannot be read back).
        const uuid = await tenable.createCredential({
          name: opts.credentialName,
          description: credentialDescription(opts.user),
          type: AWS_CREDENTIAL_TYPE,
          settings: awsCredentialSettings(newKey.accessKeyId, newKey.secretAccessKey),
        });
        cred = { uuid, name: opts.credentialName, shownKeyId: undefined };
        credentialCreated = true;
        await recordHeldKey(deps, opts.user, uuid, newKey.accessKeyId);
      }
      tags[AUDIT_TAG.credential] = cred.uuid;
      tags[AUDIT_TAG.tenableKey] = newKey.accessKeyId;
    } catch (e) {
      if (keep !== undefined && e === keep) throw e;
      // A key nothing holds is useless: delete it (and a credential created in this run).
      events.progress(`rolling back: deleting access key ${newKey.accessKeyId}`);
      await deps.iam.deleteAccessKey(opts.user, newKey.accessKeyId).catch(() => undefined);
      if (credentialCreated && cred) await tenable.deleteCredential(cred.uuid).catch(() => undefined);
      throw e;
    }
    changed = true;
    if (opts.secretName && deps.secrets) {
      events.progress(`storing the key in Secrets Manager secret ${opts.secretName}`);
      secretWritten = await deps.secrets.write(
        opts.secretName,
        { accessKeyId: newKey.accessKeyId, secretAccessKey: newKey.secretAccessKey },
        userTags(),
      );
    }
  } else if (opts.secretName && deps.secrets) {
    const stored = await deps.secrets.read(opts.secretName);
    if (stored?.accessKeyId !== heldKey.accessKeyId) {
      warn(
        `Secrets Manager secret ${opts.secretName} does not hold the current key ${heldKey.accessKeyId} (its secret is only known when a key is created); ` +
          `run \`nessus-byol audit rotate --secrets-manager ${opts.secretName}\` to store a fresh key there`,
      );
    }
  }
  if (!cred) throw new Error('unreachable: no credential after setup');

  const wantTags: Record<string, string> = {
    [AUDIT_TAG.credential]: cred.uuid,
    ...(opts.secretName ? { [AUDIT_TAG.secret]: opts.secretName } : {}),
  };
  const tagsToSet = Object.fromEntries(Object.entries(wantTags).filter(([k, v]) => tags[k] !== v));
  if (Object.keys(tagsToSet).length > 0) {
    await deps.iam.tagUser(opts.user, tagsToSet);
    changed = true;
  }
  const keyId = newKey?.accessKeyId ?? heldKey?.accessKeyId ?? '';
  return {
    result: {
      changed,
      group: {
        name: opts.group,
        created: !groupExists,
        policiesAttached,
        policies: [...new Set([...attached, ...wanted])],
      },
      user: { name: opts.user, created: !userExists, adopted: userExists && !ours, addedToGroup },
      credential: { uuid: cred.uuid, name: cred.name, created: credentialCreated, updated: credentialUpdated },
      key: { accessKeyId: keyId, created: newKey !== null },
      secretsManager: opts.secretName ? { name: opts.secretName, written: secretWritten } : null,
      warnings,
    },
    newSecret: newKey?.secretAccessKey ?? null,
  };
}
