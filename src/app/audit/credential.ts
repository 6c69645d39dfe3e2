import { clearSetting, type CredentialInput } from '../../adapters/tenable/credential.js';
import { RuntimeError, TenableError } from '../../core/errors.js';
import type { Secret } from '../../core/secret.js';
import { AUDIT_TAG, AWS_CREDENTIAL_TYPE, type TenableCredentialsPort } from './types.js';

export interface FoundCredential {
  uuid: string;
  name: string;
  /**
   * The access key id as Tenable shows it, when it shows it in clear. The real API masks it
   * (`access_key_id` is a `password` field of "Amazon AWS"), so this is normally undefined: a masked
   * value is unknown, never compared.
   */
  shownKeyId: string | undefined;
}

export function credentialDescription(user: string): string {
  return `Read-only AWS audit user ${user} (managed by nessus-byol; rotate with \`nessus-byol audit rotate\`)`;
}

export function awsCredentialSettings(accessKeyId: string, secretKey: Secret): CredentialInput['settings'] {
  return { access_key_id: accessKeyId, secret_key: secretKey };
}

/**
 * Which access key the credential holds: the user's record (`nessus-byol:tenable-access-key-id`,
 * written after each confirmed write to that credential), else what Tenable shows in clear (never
 * a masked value); undefined when nothing tells.
 */
export function heldKeyOf(tags: Record<string, string>, credential: FoundCredential | null): string | undefined {
  if (!credential) return undefined;
  const recorded = tags[AUDIT_TAG.credential] === credential.uuid ? tags[AUDIT_TAG.tenableKey] : undefined;
  return recorded || credential.shownKeyId;
}

/**
 * The user's Tenable "Amazon AWS" credential: by the uuid tagged on the IAM user when there is one,
 * else by name. Two credentials with that name is ambiguous and refused.
 */
export async function findAuditCredential(
  tenable: TenableCredentialsPort,
  userTags: Record<string, string>,
  name: string,
): Promise<FoundCredential | null> {
  const tagged = userTags[AUDIT_TAG.credential];
  if (tagged) {
    const c = await readCredential(tenable, tagged);
    if (c) return c;
  }
  const matches = (await tenable.listCredentials()).filter(
    (c) => c.name === name && (c.type === undefined || c.type === AWS_CREDENTIAL_TYPE),
  );
  if (matches.length > 1) {
    throw new RuntimeError(
      'AUDIT_CREDENTIAL_AMBIGUOUS',
      `Tenable has ${matches.length} "${AWS_CREDENTIAL_TYPE}" credentials named "${name}".`,
      {
        hint: `rename or delete the extra ones in Tenable (Settings → Credentials), or pass --credential-name <another name>`,
        data: { uuids: matches.map((m) => m.uuid) },
      },
    );
  }
  return matches[0] ? readCredential(tenable, matches[0].uuid) : null;
}

/** null when Tenable has no credential with that uuid. */
export async function readCredential(tenable: TenableCredentialsPort, uuid: string): Promise<FoundCredential | null> {
  try {
    const c = await tenable.getCredential(uuid);
    return { uuid, name: c.name, shownKeyId: clearSetting(c.settings, 'access_key_id') };
  } catch (e) {
    if (e instanceof TenableError && e.code === 'TENABLE_NOT_FOUND') return null;
    throw e;
  }
}
