import { redact, type Secret } from './secret.js';
import { LINKING_KEY_PLACEHOLDER } from './user-data.js';

/** User-data as shown to humans and in --json: every known secret (and the plan placeholder) masked. */
export function maskUserDataText(text: string, secrets: readonly Secret[]): string {
  return redact(text, [...secrets, LINKING_KEY_PLACEHOLDER]);
}
