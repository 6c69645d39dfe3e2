import type { CredentialInput } from '../../adapters/tenable/credential.js';
import { RuntimeError, TenableError } from '../../core/errors.js';
import type { Secret } from '../../core/secret.js';
import { AUDIT_TAG, AWS_CREDENTIAL_TYPE, type TenableCredentialsPort } from './types.js';

export interface FoundCredential {
  uuid: string;
  name: string;
  /** The access key id Tenable holds (the secret comes back masked, so this is all we can compare). */
  accessKeyId: string | undefined;
}

export function credentialDescription(user: string): string {
  return `Read-only AWS audit user ${user} (managed by nessus-byol; rotate with \`nessus-byol audit rotate\`)`;
}

export function awsCredentialSettings(accessKeyId: string, secretKey: Secret): CredentialInput['settings'] {
  return { access_key_id: accessKeyId, secret_key: secretKey };
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
    const id = c.settings.access_key_id;
    return { uuid, name: c.name, accessKeyId: typeof id === 'string' && id !== '' ? id : undefined };
  } catch (e) {
    if (e instanceof TenableError && e.code === 'TENABLE_NOT_FOUND') return null;
    throw e;
  }
}

/** What the credential holds now; `unknown` when Tenable cannot tell us. */
export async function heldKeyId(
  tenable: TenableCredentialsPort,
  uuid: string,
): Promise<{ known: true; accessKeyId: string | undefined } | { known: false; error: unknown }> {
  try {
    const c = await readCredential(tenable, uuid);
    return { known: true, accessKeyId: c?.accessKeyId };
  } catch (error) {
    return { known: false, error };
  }
}
