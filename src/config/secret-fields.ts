import type { ConfigProblem } from '../core/errors.js';

/**
 * Secret values are never accepted in the fleet file (it lives in git). This finds them before
 * schema validation so the user gets the right `from:` source to use instead of "unknown key".
 */
const LINKING_KEY_SHAPE = /^[0-9a-f]{64}$/i;

interface SecretRule {
  test: (key: string, path: readonly string[]) => boolean;
  hint: string;
}

const RULES: SecretRule[] = [
  {
    test: (k, p) => k === 'key' && p[0] === 'link',
    hint: 'use `key: { from: env }` and set NESSUS_LINKING_KEY, or `key: { from: ssm, parameter: /nessus/linking-key }`, `{ from: secretsmanager, secretId: … }` or `{ from: tenable-api }`',
  },
  {
    test: (k) => /^(tio_?)?access_?key$/i.test(k) || /^tio_?access/i.test(k),
    hint: 'set the TIO_ACCESS_KEY environment variable instead (from your CI secret store)',
  },
  {
    test: (k) => /^(tio_?)?secret_?key$/i.test(k) || /^api_?secret$/i.test(k),
    hint: 'set the TIO_SECRET_KEY environment variable instead (from your CI secret store)',
  },
  {
    test: (k) => /^(linking_?key|nessus_?linking_?key)$/i.test(k),
    hint: 'use `link.key: { from: env }` and set NESSUS_LINKING_KEY, or `{ from: ssm, parameter: … }`',
  },
  {
    test: (k) => /^(password|passwd|proxy_?password)$/i.test(k),
    hint: 'use `password: { from: ssm, parameter: /nessus/proxy-password }` (or `{ from: secretsmanager, secretId: … }`)',
  },
  {
    test: (k) => /^(activation_?code|code)$/i.test(k),
    hint: 'use `link.activationCode: { from: ssm, parameter: … }` (or secretsmanager)',
  },
  {
    test: (k) => /^(aws_?)?secret_?access_?key$/i.test(k) || /^(api_?key|token|secret|value)$/i.test(k),
    hint: 'secrets come from the environment, the AWS credential chain, SSM or Secrets Manager — never the fleet file',
  },
];

export function findSecretValues(data: unknown): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  walk(data, [], problems);
  return problems;
}

function walk(value: unknown, path: string[], out: ConfigProblem[]): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => walk(v, [...path, String(i)], out));
    return;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const childPath = [...path, k];
      if (typeof v === 'string' || typeof v === 'number') {
        const rule = RULES.find((r) => r.test(k, path));
        if (rule) {
          out.push({ path: childPath.join('.'), message: 'a secret value is not accepted in the fleet file', hint: rule.hint });
          continue;
        }
      }
      walk(v, childPath, out);
    }
    return;
  }
  if (typeof value === 'string' && LINKING_KEY_SHAPE.test(value)) {
    out.push({
      path: path.join('.'),
      message: 'this value looks like a Tenable linking key or API key (64 hex characters); secrets are not accepted in the fleet file',
      hint: 'use `link.key: { from: env }` with NESSUS_LINKING_KEY, or an SSM / Secrets Manager source',
    });
  }
}
