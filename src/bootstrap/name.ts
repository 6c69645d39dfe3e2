import { MAX_NAME_LENGTH, Problems, patterns, shellQuote } from './validate.js';

export const NAME_PLACEHOLDERS = ['fleet', 'region', 'index', 'instanceId'] as const;
export type NamePlaceholder = (typeof NAME_PLACEHOLDERS)[number];

export type NamePart = { literal: string } | { instanceId: true };

export interface NameValues {
  fleet: string;
  region: string;
  index?: number | undefined;
}

/**
 * Splits a scanner name template into literal text and the one part only known at boot
 * ({instanceId}). {fleet}, {region} and {index} are substituted now. Problems are added to `p`.
 */
export function parseNameTemplate(p: Problems, path: string, template: string, values: NameValues): NamePart[] {
  const parts: NamePart[] = [];
  if (typeof template !== 'string' || template.length === 0) {
    p.add(path, 'the scanner name template is empty');
    return parts;
  }
  const re = /\{([^{}]*)\}/g;
  let last = 0;
  let literal = '';
  const pushLiteral = (text: string): void => {
    if (text.length === 0) return;
    if (!patterns.nameChars.test(text)) {
      p.add(path, `${JSON.stringify(text)} in the scanner name template has characters outside [A-Za-z0-9._-]`);
    }
    literal += text;
  };
  for (const m of template.matchAll(re)) {
    pushLiteral(template.slice(last, m.index));
    last = m.index + m[0].length;
    const key = m[1] ?? '';
    switch (key) {
      case 'fleet':
        literal += values.fleet;
        break;
      case 'region':
        literal += values.region;
        break;
      case 'index':
        if (values.index === undefined) {
          p.add(path, 'the name template uses {index} but no index was given (render per instance)');
        } else if (!Number.isInteger(values.index) || values.index < 0) {
          p.add('index', `${String(values.index)} is not a non-negative integer`);
        } else {
          literal += String(values.index);
        }
        break;
      case 'instanceId':
        if (literal) parts.push({ literal });
        literal = '';
        parts.push({ instanceId: true });
        break;
      default:
        p.add(path, `unknown placeholder {${key}} in the scanner name template`, `Use ${NAME_PLACEHOLDERS.map((n) => `{${n}}`).join(' ')}`);
    }
  }
  pushLiteral(template.slice(last));
  if (literal) parts.push({ literal });
  // An instance id is `i-` + 17 hex digits.
  const length = parts.reduce((n, part) => n + ('literal' in part ? part.literal.length : 19), 0);
  if (length > MAX_NAME_LENGTH) p.add(path, `the scanner name would be ${length} characters long (at most ${MAX_NAME_LENGTH})`);
  return parts;
}

/** The scanner name as a bash word: literal parts single-quoted, {instanceId} as "${INSTANCE_ID}". */
export function nameShellExpression(parts: NamePart[]): string {
  return parts.map((part) => ('literal' in part ? shellQuote(part.literal) : '"${INSTANCE_ID}"')).join('');
}

export function nameNeedsInstanceId(parts: NamePart[]): boolean {
  return parts.some((part) => 'instanceId' in part);
}
