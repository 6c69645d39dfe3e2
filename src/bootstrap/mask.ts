import { Secret } from '../core/secret.js';
import type { BootstrapInput, KeySource, StandaloneInput } from './types.js';

export const USER_DATA_MASK = '****';

/**
 * Removes secret values from rendered user-data before it is shown (plan, logs, --json): the raw
 * value, its JSON-escaped and its shell-quoted forms. Values shorter than 4 characters are ignored
 * (masking them would garble the text; the renderers reject secrets that short anyway).
 */
export function maskUserData(text: string, secrets: Iterable<Secret | undefined>): string {
  let out = text;
  for (const s of secrets) {
    if (!(s instanceof Secret)) continue;
    const v = s.reveal();
    if (v.length < 4) continue;
    const forms = new Set([v, JSON.stringify(v).slice(1, -1), v.replace(/'/g, `'\\''`)]);
    for (const form of forms) out = out.split(form).join(USER_DATA_MASK);
  }
  return out;
}

function embedded(src: KeySource | undefined): Secret[] {
  return src?.kind === 'embedded' ? [src.key] : [];
}

/** Secrets an input puts into its rendered user-data (only `embedded` sources do). */
export function embeddedSecrets(input: BootstrapInput | StandaloneInput): Secret[] {
  const main = 'key' in input ? input.key : input.activationCode;
  return [...embedded(main), ...embedded(input.proxy?.password)];
}
