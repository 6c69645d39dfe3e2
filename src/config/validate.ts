import type { z } from 'zod';
import { ConfigError, type ConfigProblem } from '../core/errors.js';
import { closest } from './did-you-mean.js';
import { fleetSchema, type FleetFile } from './schema.js';
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
export function validateFleetText(file: string, text: string): ValidatedFleet {
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

  const problems = [...secretProblems, ...schemaProblems];
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
    const allowed = issue.values.map(String);
    const actual = valueAt(source.data, path);
    message = `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}${actual === undefined ? '' : `, got ${JSON.stringify(actual)}`}`;
    const suggestion = typeof actual === 'string' ? closest(actual, allowed) : undefined;
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
  return [withPosition(source, { path: path.map(String).join('.'), message, hint }, path)];
}

function describeUnion(issue: z.core.$ZodIssueInvalidUnion, source: YamlSource, path: PropertyKey[]): string {
  const actual = valueAt(source.data, path);
  const options = issue.errors
    .map((branch) => branch.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; '))
    .filter(Boolean);
  return `${JSON.stringify(actual)} is not accepted here; expected one of: ${options.join(' | ')}`;
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
  return [...problems].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0));
}
