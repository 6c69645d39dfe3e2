import type { z } from 'zod';
import { ConfigError, type ConfigProblem } from '../core/errors.js';
import { closest } from './did-you-mean.js';
import { fleetSchema, isWorldOpen, type FleetFile } from './schema.js';
import { discriminatorValuesAt, knownKeysAt } from './schema-keys.js';
import { findSecretValues } from './secret-fields.js';
import { parseYamlSource, type YamlSource } from './yaml-source.js';

export interface ValidatedFleet {
  config: FleetFile;
  /** The document as written, to tell values the user set from defaults. */
  raw: Record<string, unknown>;
  source: YamlSource;
}

/** Parses and validates fleet-file text; throws one ConfigError listing every problem. */
export interface ValidateOptions {
  /** --allow-world: accept 0.0.0.0/0 and ::/0 for ports 22/8834. */
  allowWorld?: boolean;
  /** Problems found outside the file (flags), reported together with the file's. */
  extraProblems?: ConfigProblem[];
}

export function validateFleetText(file: string, text: string, opts: ValidateOptions = {}): ValidatedFleet {
  const source = parseYamlSource(file, text);
  if (source.problems.length > 0) throw new ConfigError(source.problems);

  const data = source.data;
  if (data === null || data === undefined) {
    throw new ConfigError([
      { file, line: 1, col: 1, path: '', message: 'the fleet file is empty', hint: 'start from examples/minimal.yaml: `version: 1` and `fleet: <name>` are required' },
    ]);
  }
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new ConfigError([
      {
        file,
        line: 1,
        col: 1,
        path: '',
        message: `the top level must be a mapping of keys (version, fleet, scanners…), not ${Array.isArray(data) ? 'a list' : `a ${typeof data}`}`,
        hint: 'write one fleet per file, as in examples/minimal.yaml',
      },
    ]);
  }

  const secretProblems = findSecretValues(data).map((p) => withPosition(source, p, p.path.split('.').filter(Boolean)));
  const secretPaths = new Set(secretProblems.map((p) => p.path));

  const result = fleetSchema.safeParse(data);
  const schemaProblems = result.success
    ? []
    : result.error.issues.flatMap((issue) => issueToProblems(source, issue)).filter((p) => !secretPaths.has(p.path));

  const worldProblems = opts.allowWorld ? [] : findWorldOpen(data).map((p) => withPosition(source, p, p.path.split('.')));
  const problems = [...(opts.extraProblems ?? []), ...secretProblems, ...schemaProblems, ...worldProblems];
  if (problems.length > 0 || !result.success) {
    throw new ConfigError(sortProblems(problems));
  }
  return { config: result.data, raw: data as Record<string, unknown>, source };
}

function issueToProblems(source: YamlSource, issue: z.core.$ZodIssue): ConfigProblem[] {
  const path = issue.path as PropertyKey[];
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(fleetSchema, path);
    return issue.keys.map((key) => {
      const suggestion = closest(key, known);
      return withPosition(
        source,
        {
          path: [...path, key].map(String).join('.'),
          message: `unknown key "${key}"`,
          hint: suggestion ? `did you mean "${suggestion}"?` : `known keys here: ${known.join(', ')}`,
        },
        [...path, key],
        true,
      );
    });
  }
  let message = issue.message;
  let hint: string | undefined;
  if (issue.code === 'invalid_value') {
    const allowed = issue.values.map((v) => JSON.stringify(v));
    const actual = valueAt(source.data, path);
    if (actual === undefined) {
      message = `required key is missing (${allowed.join(' or ')})`;
    } else {
      message = `${allowed.length === 1 ? `must be ${allowed[0]}` : `must be one of ${allowed.join(', ')}`}, got ${JSON.stringify(actual)}`;
    }
    const suggestion = typeof actual === 'string' ? closest(actual, issue.values.map(String)) : undefined;
    if (suggestion) hint = `did you mean "${suggestion}"?`;
  } else if (issue.code === 'invalid_union') {
    const discriminator = (issue as { discriminator?: string }).discriminator;
    if (discriminator) {
      const tagPath = path[path.length - 1] === discriminator ? path : [...path, discriminator];
      const allowed = discriminatorValuesAt(fleetSchema, tagPath);
      const actual = valueAt(source.data, tagPath);
      message = `\`${discriminator}\` must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}${actual === undefined ? '' : `, got ${JSON.stringify(actual)}`}`;
      const suggestion = typeof actual === 'string' ? closest(actual, allowed) : undefined;
      if (suggestion) hint = `did you mean "${suggestion}"?`;
      return [withPosition(source, { path: tagPath.map(String).join('.'), message, hint }, tagPath)];
    }
    message = describeUnion(issue, source, path);
  } else if (issue.code === 'invalid_type' && valueAt(source.data, path) === undefined) {
    message = `required key is missing (${issue.expected})`;
  } else if (issue.code === 'too_small' && issue.origin === 'number') {
    const actual = valueAt(source.data, path);
    message = `${issue.message}${actual === undefined ? '' : `, got ${String(actual)}`}`;
  }
  // A problem with a tag's key is shown at the key, not its value.
  const atKey = path.length === 2 && path[0] === 'tags' && issue.code === 'custom';
  return [withPosition(source, { path: path.map(String).join('.'), message, hint }, path, atKey)];
}

function describeUnion(issue: z.core.$ZodIssueInvalidUnion, source: YamlSource, path: PropertyKey[]): string {
  const actual = valueAt(source.data, path);
  const options = issue.errors
    .map((branch) => branch.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; '))
    .filter(Boolean);
  return `${JSON.stringify(actual)} is not accepted here; expected one of: ${options.join(' | ')}`;
}

/** 0.0.0.0/0 or ::/0 for 22/8834 is refused unless --allow-world. */
function findWorldOpen(data: unknown): ConfigProblem[] {
  const network = (data as { network?: Record<string, unknown> }).network;
  const problems: ConfigProblem[] = [];
  for (const key of ['allowUiFrom', 'allowSshFrom'] as const) {
    const list = network?.[key];
    if (!Array.isArray(list)) continue;
    list.forEach((cidr, i) => {
      if (typeof cidr !== 'string' || !isWorldOpen(cidr)) return;
      problems.push({
        path: `network.${key}.${i}`,
        message: `${cidr} opens port ${key === 'allowUiFrom' ? '8834 (web UI)' : '22 (SSH)'} to the whole internet`,
        hint: 'use your office/VPN CIDR, or pass --allow-world if you really mean it',
      });
    });
  }
  return problems;
}

function withPosition(source: YamlSource, p: ConfigProblem, path: readonly PropertyKey[], key = false): ConfigProblem {
  const pos = source.locate(path, { key });
  return { ...p, file: source.file, line: pos?.line ?? 1, col: pos?.col ?? 1 };
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = data;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[String(seg)];
  }
  return v;
}

function sortProblems(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  const unique = problems.filter((p) => {
    const key = `${p.path}\u0000${p.message}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
  return unique.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0));
}
