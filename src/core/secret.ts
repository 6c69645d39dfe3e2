import { inspect } from 'node:util';

const MASK = '****';

/**
 * A secret value that cannot be printed by accident: `toString`, `toJSON`, template literals and
 * `util.inspect` (console.log, vitest snapshots) all show a mask. Read the value with `reveal()`,
 * only at the point where it leaves the process for its destination.
 */
export class Secret {
  readonly #value: string;
  readonly label: string;

  constructor(value: string, label = 'secret') {
    this.#value = value;
    this.label = label;
  }

  reveal(): string {
    return this.#value;
  }

  /** A hint that lets a human tell two keys apart without exposing them (last 4 characters). */
  masked(): string {
    return maskValue(this.#value);
  }

  toString(): string {
    return MASK;
  }

  toJSON(): string {
    return MASK;
  }

  [inspect.custom](): string {
    return `Secret(${this.label}: ${MASK})`;
  }

  [Symbol.toPrimitive](): string {
    return MASK;
  }
}

export function maskValue(value: string): string {
  if (value.length <= 8) return MASK;
  return `${MASK}${value.slice(-4)}`;
}

/**
 * Removes every known secret value from a text before it is printed (error messages from
 * remote services can echo what we sent). Also catches the SSM `kms:alias/...:<plaintext>` form.
 */
export function redact(text: string, secrets: Iterable<Secret | string | undefined>): string {
  let out = text;
  for (const s of secrets) {
    const v = s instanceof Secret ? s.reveal() : s;
    if (!v || v.length < 4) continue;
    out = out.split(v).join(MASK);
  }
  return out;
}
