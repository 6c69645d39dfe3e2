import { RuntimeError } from '../../core/errors.js';
import { hostKeyFromBlob, type HostKey, type KnownHostsFile } from './known-hosts.js';

export type HostKeyDecision =
  | { kind: 'known'; key: HostKey }
  /** Not seen before: recorded (trust on first use). */
  | { kind: 'first-use'; key: HostKey }
  /** Differed from the record and was replaced because the user asked (--accept-new-host-key). */
  | { kind: 'replaced'; key: HostKey; previous: HostKey[] }
  /** Differed from the record: refused. */
  | { kind: 'changed'; key: HostKey; previous: HostKey[] };

/**
 * Checks a presented host key against the known_hosts file: a known key passes, an unknown name is
 * recorded (TOFU), a different key for a known name is refused unless `acceptNew`. Verification is
 * never skipped.
 */
export function decideHostKey(file: KnownHostsFile, name: string, blob: Buffer, acceptNew: boolean): HostKeyDecision {
  const key = hostKeyFromBlob(blob);
  const previous = file.lookup(name);
  if (previous.length === 0) {
    file.add(name, key);
    return { kind: 'first-use', key };
  }
  if (previous.some((p) => p.type === key.type && p.base64 === key.base64)) return { kind: 'known', key };
  if (acceptNew) {
    file.replace(name, key);
    return { kind: 'replaced', key, previous };
  }
  return { kind: 'changed', key, previous };
}

export function hostKeyChangedError(
  name: string,
  file: string,
  presented: HostKey | undefined,
  previous: HostKey[],
  flag: string,
): RuntimeError {
  const was = previous.map((p) => `${p.type} ${p.fingerprint}`).join(', ');
  const now = presented ? `${presented.type} ${presented.fingerprint}` : 'a key of another type';
  return new RuntimeError(
    'HOST_KEY_CHANGED',
    `The SSH host key of ${name} has changed: it is now ${now}, but ${file} records ${was}. ` +
      'This happens when the instance was replaced or reinstalled — or when someone is intercepting the connection. Nothing was sent.',
    {
      hint: `check the new fingerprint out of band (e.g. the instance's console output), then re-run with ${flag} to replace the recorded key`,
      data: {
        host: name,
        knownHosts: file,
        presented: presented?.fingerprint,
        recorded: previous.map((p) => p.fingerprint),
      },
    },
  );
}
