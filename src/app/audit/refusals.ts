import { RuntimeError } from '../../core/errors.js';
import type { AccessKeyInfo } from './types.js';

/**
 * IAM allows two access keys per user, and a zero-downtime rotation needs a free slot for the new
 * key. The message says which key is which and the exact way out.
 */
export function keyLimitError(
  user: string,
  keys: AccessKeyInfo[],
  heldByTenable: string | undefined,
  command: 'setup' | 'rotate',
): RuntimeError {
  const describe = (k: AccessKeyInfo) =>
    `${k.accessKeyId} (${k.status.toLowerCase()}, created ${k.createdAt.toISOString().slice(0, 10)}${k.accessKeyId === heldByTenable ? ', held by the Tenable credential' : ''})`;
  const inactive = keys.filter((k) => k.status === 'Inactive');
  const notHeld = keys.filter((k) => k.status === 'Active' && k.accessKeyId !== heldByTenable);
  let hint: string;
  if (inactive.length > 0) {
    const del = `\`aws iam delete-access-key --user-name ${user} --access-key-id ${inactive[0]!.accessKeyId}\``;
    hint =
      command === 'rotate'
        ? `delete the inactive key: re-run with --delete-inactive, or ${del}`
        : `delete the inactive key with ${del}, then re-run`;
  } else {
    const victim = notHeld[0] ?? keys[0]!;
    const deactivate = `\`aws iam update-access-key --user-name ${user} --access-key-id ${victim.accessKeyId} --status Inactive\``;
    hint =
      `both keys are active; make sure nothing but Tenable uses ${victim.accessKeyId} and deactivate it with ${deactivate}, then ` +
      (command === 'rotate'
        ? 're-run with --delete-inactive'
        : `delete it (\`aws iam delete-access-key …\`) and re-run`);
  }
  return new RuntimeError(
    'AUDIT_KEY_LIMIT',
    `IAM user ${user} already has 2 access keys (${keys.map(describe).join('; ')}), the most IAM allows; ${command === 'rotate' ? 'a rotation needs a free slot for the new key' : 'a new key is needed for Tenable'}. Nothing was changed.`,
    {
      hint,
      data: {
        user,
        keys: keys.map((k) => ({
          accessKeyId: k.accessKeyId,
          status: k.status,
          createdAt: k.createdAt.toISOString(),
          heldByTenable: k.accessKeyId === heldByTenable,
        })),
      },
    },
  );
}
