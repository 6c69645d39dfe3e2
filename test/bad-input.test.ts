import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoStackTrace, parseSingleJson, runCli, type CliResult } from './helpers/cli.js';

/**
 * Broken input the CLI must reject cleanly: exit 2, the problem placed at `file:line:col key.path`,
 * the hint that fixes it, no stack trace, and with `--json` exactly one `{ok:false,error}` document.
 * Other commands extend BAD_INPUT_CASES with their own args (e.g. `up -f fleet.yaml --yes`).
 */
export interface BadInputExpectation {
  /** Exit status. */
  code: number;
  /** Every one of these must appear in stderr. */
  messages: (string | RegExp)[];
  /** With `path`: stderr shows `<file>:<line>:<col> <path>:` (file = the `-f` argument). */
  line?: number;
  /** With `line`: the column too (any column when omitted). */
  col?: number;
  /** Dotted key path of the problem ('' for the whole document). */
  path?: string;
  /** `error.code` of the --json document (any non-empty code when omitted). */
  errorCode?: string;
  /** Strings that must appear in neither stdout nor stderr (secret values written in the file). */
  absent?: string[];
  /** Extra expectations pinned by a bug that was found and fixed (the reason says what went wrong). */
  regression?: { reason: string; messages?: (string | RegExp)[]; line?: number; col?: number; path?: string; code?: number };
}

export interface BadInputCase {
  name: string;
  args: string[];
  /** Files written into a fresh temporary directory, which is the CLI's working directory. */
  files: Record<string, string>;
  env?: Record<string, string | undefined>;
  expect: BadInputExpectation;
}

const F = 'fleet.yaml';
const plan = (...extra: string[]): string[] => ['plan', '-f', F, '--offline', ...extra];
const fleet = (text: string): Record<string, string> => ({ [F]: text });
/** A valid head: every case below breaks one thing after it. */
const HEAD = 'version: 1\nfleet: prod\nregion: us-east-1\n';
/** Shaped like a Tenable linking key / API key. */
const HEX64 = '0123456789abcdef'.repeat(4);

export const BAD_INPUT_CASES: BadInputCase[] = [
  // --- YAML syntax ---------------------------------------------------------------------------------
  {
    name: 'YAML: unclosed double quote',
    args: plan(),
    files: fleet('version: 1\nfleet: "prod\nregion: us-east-1\n'),
    expect: {
      code: 2,
      messages: ['YAML syntax error', 'Missing closing "quote', 'quoting'],
      regression: {
        reason: 'reported at the end of the file (4:1) with no key path, instead of where the quote opens',
        line: 2,
        path: 'fleet',
      },
    },
  },
  {
    name: 'YAML: unclosed double quote, at its column',
    args: plan(),
    files: fleet('version: 1\nfleet: "prod\nregion: us-east-1\n'),
    expect: { code: 2, line: 2, col: 8, path: 'fleet', messages: [`unclosed '"'`, 'YAML syntax error'] },
  },
  {
    name: 'YAML: unclosed single quote',
    args: plan(),
    files: fleet("version: 1\nfleet: 'prod\nregion: us-east-1\n"),
    expect: {
      code: 2,
      line: 2,
      col: 8,
      path: 'fleet',
      messages: [`unclosed "'"`, 'YAML syntax error', "with '"],
      regression: { reason: 'reported at column 1 of the line instead of the opening quote', line: 2, col: 8, path: 'fleet' },
    },
  },
  {
    name: 'YAML: unclosed double quote inside a flow mapping',
    args: plan(),
    files: fleet(`${HEAD}link:\n  key: { from: ssm, parameter: "/nessus/linking-key }\n`),
    expect: { code: 2, line: 5, col: 32, path: 'link.key.parameter', messages: [`unclosed '"'`] },
  },
  {
    name: 'YAML: unclosed "[" (flow sequence)',
    args: plan(),
    files: fleet('version: 1\nregion: [us-east-1\nfleet: prod\n'),
    expect: {
      code: 2,
      line: 2,
      col: 9,
      path: 'region',
      messages: ['unclosed "["', 'YAML syntax error', 'close the list of region with "]"', 'The configuration has 1 problem:'],
      regression: { reason: 'reported at 3:1 under the next key ("fleet") instead of where "[" opened', line: 2, col: 9, path: 'region' },
    },
  },
  {
    name: 'YAML: unclosed "[" on the last line',
    args: plan(),
    files: fleet(`${HEAD}link:\n  groups: [AWS scanners\n`),
    expect: { code: 2, line: 5, col: 11, path: 'link.groups', messages: ['unclosed "["'] },
  },
  {
    name: 'YAML: unclosed "{" (flow mapping)',
    args: plan(),
    files: fleet(`${HEAD}tags: { Owner: secops\nscanners:\n  count: 2\n`),
    expect: { code: 2, line: 4, col: 7, path: 'tags', messages: ['unclosed "{"', 'YAML syntax error', 'close the mapping of tags with "}"'] },
  },
  {
    name: 'YAML: a key indented deeper than its siblings',
    args: plan(),
    files: fleet(`${HEAD}scanners:\n  count: 2\n   name: "{fleet}-{index}"\n`),
    expect: {
      code: 2,
      messages: ['YAML syntax error', 'indentation'],
      regression: {
        reason:
          'reported twice at 5:10… as "scanners.count.2 name" (an implicit-key artefact) instead of once on line 6',
        line: 6,
        messages: ['The configuration has 1 problem:'],
      },
    },
  },
  {
    name: 'YAML: mapping items at different columns',
    args: plan(),
    files: fleet(`${HEAD}scanners:\n    count: 2\n  name: "{fleet}-{index}"\n`),
    expect: {
      code: 2,
      messages: ['All mapping items must start at the same column', /fleet\.yaml:6:\d+ /],
      regression: { reason: 'the key path is the bare key "name", not scanners.name', line: 6, path: 'scanners.name' },
    },
  },
  {
    name: 'YAML: tab used for indentation',
    args: plan(),
    files: fleet(`${HEAD}scanners:\n\tcount: 2\n`),
    expect: {
      code: 2,
      messages: ['tab character used for indentation', 'replace the tab with spaces', /fleet\.yaml:5:\d+ /],
      regression: { reason: 'the key path is the bare key "count", not scanners.count', line: 5, path: 'scanners.count' },
    },
  },
  {
    name: 'YAML: duplicate key',
    args: plan(),
    files: fleet(`${HEAD}fleet: other\n`),
    expect: { code: 2, line: 4, path: 'fleet', messages: ['duplicate key', 'remove one of the two entries'] },
  },

  // --- types and unknown keys ------------------------------------------------------------------------
  {
    name: 'wrong type: count: "two"',
    args: plan(),
    files: fleet(`${HEAD}scanners:\n  count: two\n`),
    expect: { code: 2, line: 5, path: 'scanners.count', messages: ['expected number'] },
  },
  {
    name: 'wrong type: awsScanner: "yes"',
    args: plan(),
    files: fleet(`${HEAD}link:\n  awsScanner: "yes"\n`),
    expect: { code: 2, line: 5, path: 'link.awsScanner', messages: ['expected boolean'] },
  },
  {
    name: 'unknown top-level key (typo) suggests the right one',
    args: plan(),
    files: fleet(`${HEAD}scaners:\n  count: 2\n`),
    expect: { code: 2, line: 4, path: 'scaners', messages: ['unknown key "scaners"', 'did you mean "scanners"?'] },
  },
  {
    name: 'unknown nested key (typo) suggests the right one',
    args: plan(),
    files: fleet(`${HEAD}scanners:\n  cuont: 2\n`),
    expect: { code: 2, line: 5, path: 'scanners.cuont', messages: ['unknown key "cuont"', 'did you mean "count"?'] },
  },
  {
    name: 'unknown key with no close match lists the known keys',
    args: plan(),
    files: fleet(`${HEAD}network:\n  zzz: 1\n`),
    expect: {
      code: 2,
      line: 5,
      path: 'network.zzz',
      messages: ['unknown key "zzz"', 'known keys here:', 'allowUiFrom'],
    },
  },
  {
    name: 'enum typo: tenable.site: fedrmp',
    args: plan(),
    files: fleet(`${HEAD}tenable:\n  site: fedrmp\n`),
    expect: {
      code: 2,
      line: 5,
      path: 'tenable.site',
      messages: ['must be one of', 'got "fedrmp"', 'did you mean "fedramp"?'],
    },
  },
  {
    name: 'fleet name with uppercase and underscore',
    args: plan(),
    files: fleet('version: 1\nfleet: Prod_Scanners\nregion: us-east-1\n'),
    expect: { code: 2, line: 2, path: 'fleet', messages: ['lowercase letters, digits and dashes'] },
  },

  // --- network ---------------------------------------------------------------------------------------
  {
    name: 'bad CIDR blocks (both listed)',
    args: plan(),
    files: fleet(`${HEAD}network:\n  allowUiFrom: [10.0.0.0/33]\n  allowSshFrom:\n    - 300.1.1.1/24\n`),
    expect: {
      code: 2,
      line: 5,
      path: 'network.allowUiFrom.0',
      messages: ['not a CIDR block', /fleet\.yaml:7:\d+ network\.allowSshFrom\.0: not a CIDR block/],
    },
  },
  {
    name: 'world-open CIDR without --allow-world',
    args: plan(),
    files: fleet(`${HEAD}network:\n  allowSshFrom:\n    - 0.0.0.0/0\n  allowUiFrom: ["::/0"]\n`),
    expect: {
      code: 2,
      line: 6,
      path: 'network.allowSshFrom.0',
      messages: ['0.0.0.0/0 opens port 22 (SSH) to the whole internet', '::/0 opens port 8834', '--allow-world'],
      regression: {
        reason: 'the world-open problems are not sorted by line (7 is listed before 6)',
        messages: [/:6:\d+ network\.allowSshFrom\.0[\s\S]*:7:\d+ network\.allowUiFrom\.0/],
      },
    },
  },
  {
    name: 'world-open CIDR with --allow-world is accepted',
    args: plan('--allow-world'),
    files: fleet(`${HEAD}network:\n  allowSshFrom:\n    - 0.0.0.0/0\n  allowUiFrom: ["::/0"]\n`),
    expect: { code: 0, messages: [] },
  },
  {
    name: 'world-open CIDR and a schema problem in one file',
    args: plan(),
    files: fleet(`${HEAD}scanners:\n  count: 0\nnetwork:\n  allowSshFrom: [0.0.0.0/0]\n`),
    expect: {
      code: 2,
      line: 5,
      path: 'scanners.count',
      messages: ['at least 1 scanner'],
      regression: {
        reason: 'not every problem is listed at once: the world-open check runs only after the schema passes',
        messages: ['The configuration has 2 problems', 'opens port 22'],
      },
    },
  },

  // --- values ----------------------------------------------------------------------------------------
  {
    name: 'bad region in the file',
    args: plan(),
    files: fleet('version: 1\nfleet: prod\nregion: us-east\n'),
    expect: { code: 2, line: 3, path: 'region', messages: ['not an AWS region name', 'us-east-1'] },
  },
  {
    name: 'no region anywhere',
    args: plan(),
    files: fleet('version: 1\nfleet: prod\n'),
    expect: { code: 2, line: 1, path: 'region', messages: ['no AWS region is set', 'AWS_REGION', '--region'] },
  },
  {
    name: 'invalid AWS_REGION when the file has no region',
    args: plan(),
    env: { AWS_REGION: 'moon-1' },
    files: fleet('version: 1\nfleet: prod\n'),
    expect: { code: 2, path: 'region', messages: ['AWS_REGION=moon-1 is not an AWS region name'] },
  },
  {
    name: 'unknown key.from',
    args: plan(),
    files: fleet(`${HEAD}link:\n  key: { from: vault, path: x }\n`),
    expect: {
      code: 2,
      line: 5,
      path: 'link.key.from',
      messages: ['must be one of "ssm", "secretsmanager", "tenable-api", "env"', 'got "vault"'],
    },
  },
  {
    name: 'key.from typo suggests the source',
    args: plan(),
    files: fleet(`${HEAD}link:\n  key:\n    from: sssm\n    parameter: /nessus/linking-key\n`),
    expect: { code: 2, line: 6, path: 'link.key.from', messages: ['got "sssm"', 'did you mean "ssm"?'] },
  },
  {
    name: 'negative count',
    args: plan(),
    files: fleet(`${HEAD}scanners:\n  count: -1\n`),
    expect: { code: 2, line: 5, path: 'scanners.count', messages: ['at least 1 scanner, got -1'] },
  },
  {
    name: 'zero count',
    args: plan(),
    files: fleet(`${HEAD}scanners:\n  count: 0\n`),
    expect: { code: 2, line: 5, path: 'scanners.count', messages: ['at least 1 scanner, got 0'] },
  },

  // --- secrets in the file ---------------------------------------------------------------------------
  {
    name: 'secret: linking key as link.key: <64 hex>',
    args: plan(),
    files: fleet(`${HEAD}link:\n  key: ${HEX64}\n`),
    expect: {
      code: 2,
      line: 5,
      path: 'link.key',
      messages: ['a secret value is not accepted in the fleet file', 'NESSUS_LINKING_KEY', 'from: ssm'],
      absent: [HEX64],
    },
  },
  {
    name: 'secret: tenable.accessKey',
    args: plan(),
    files: fleet(`${HEAD}tenable:\n  site: cloud\n  accessKey: AKfake-access-key-value\n`),
    expect: {
      code: 2,
      line: 6,
      path: 'tenable.accessKey',
      messages: ['a secret value is not accepted', 'TIO_ACCESS_KEY'],
      absent: ['AKfake-access-key-value'],
    },
  },
  {
    name: 'secret: proxy.password: plain',
    args: plan(),
    files: fleet(`${HEAD}link:\n  proxy:\n    host: proxy.example.com\n    port: 3128\n    password: hunter2-plain\n`),
    expect: {
      code: 2,
      line: 8,
      path: 'link.proxy.password',
      messages: ['a secret value is not accepted', 'password: { from: ssm'],
      absent: ['hunter2-plain'],
    },
  },
  {
    name: 'secret: activation code written in the file',
    args: plan(),
    files: fleet(`${HEAD}link:\n  method: standalone\n  activationCode: ABCD-EFGH-IJKL-MNOP\n`),
    expect: {
      code: 2,
      line: 6,
      path: 'link.activationCode',
      messages: ['a secret value is not accepted', 'activationCode: { from: ssm'],
      absent: ['ABCD-EFGH-IJKL-MNOP'],
    },
  },
  {
    name: 'secret: a 64-hex value anywhere (a tag)',
    args: plan(),
    files: fleet(`${HEAD}tags:\n  Owner: ${HEX64}\n`),
    expect: {
      code: 2,
      line: 5,
      path: 'tags.Owner',
      messages: ['64 hex characters', 'NESSUS_LINKING_KEY'],
      absent: [HEX64],
    },
  },
  {
    name: 'secret: a 64-hex value inside a list',
    args: plan(),
    files: fleet(`${HEAD}link:\n  groups:\n    - scanners\n    - ${HEX64}\n`),
    expect: { code: 2, line: 7, path: 'link.groups.1', messages: ['64 hex characters'], absent: [HEX64] },
  },

  // --- document shape --------------------------------------------------------------------------------
  {
    name: 'empty file',
    args: plan(),
    files: fleet(''),
    expect: { code: 2, line: 1, path: '', messages: ['the fleet file is empty', 'examples/minimal.yaml'] },
  },
  {
    name: 'file with only comments',
    args: plan(),
    files: fleet('# a fleet will go here\n# soon\n'),
    expect: { code: 2, line: 1, path: '', messages: ['the fleet file is empty'] },
  },
  {
    name: 'top-level list',
    args: plan(),
    files: fleet('- version: 1\n- fleet: prod\n'),
    expect: {
      code: 2,
      line: 1,
      path: '',
      messages: ['the top level must be a mapping', 'not a list', 'one fleet per file'],
    },
  },
  {
    name: 'top-level scalar',
    args: plan(),
    files: fleet('hello\n'),
    expect: { code: 2, line: 1, path: '', messages: ['the top level must be a mapping', 'not a string'] },
  },
  {
    name: 'version: 2',
    args: plan(),
    files: fleet('version: 2\nfleet: prod\nregion: us-east-1\n'),
    expect: {
      code: 2,
      line: 1,
      path: 'version',
      messages: ['got 2'],
      regression: {
        reason: 'the message quotes the allowed version as a string: must be one of "1", got 2',
        messages: [/must be (one of )?1\b/],
      },
    },
  },
  {
    name: 'missing version',
    args: plan(),
    files: fleet('fleet: prod\nregion: us-east-1\n'),
    expect: {
      code: 2,
      line: 1,
      path: 'version',
      messages: ['version'],
      regression: {
        reason: 'says `must be one of "1"` instead of saying the required key is missing',
        messages: ['required key is missing'],
      },
    },
  },
  {
    name: 'missing fleet',
    args: plan(),
    files: fleet('version: 1\nregion: us-east-1\n'),
    expect: { code: 2, line: 1, path: 'fleet', messages: ['required key is missing'] },
  },
  {
    name: 'nonexistent file',
    args: ['plan', '-f', 'missing.yaml', '--offline'],
    files: {},
    expect: { code: 2, errorCode: 'USAGE', messages: ['missing.yaml', 'no such file', 'nessus-byol init'] },
  },

  // --- link rules ------------------------------------------------------------------------------------
  {
    name: 'site: fedramp with linkHost',
    args: plan(),
    files: fleet(`${HEAD}tenable:\n  site: fedramp\n  linkHost: fedcloud.tenable.com\n`),
    expect: { code: 2, line: 6, path: 'tenable.linkHost', messages: ['applies only to `site: custom`'] },
  },
  {
    name: 'site: custom without linkHost',
    args: plan(),
    files: fleet(`${HEAD}tenable:\n  site: custom\n  url: https://tenable.example.com\n`),
    expect: { code: 2, line: 5, path: 'tenable.linkHost', messages: ['`site: custom` needs `linkHost`'] },
  },

  // --- Tenable endpoint: TIO_URL / --tenable-url against tenable.site ---------------------------------
  {
    name: 'TIO_URL names the commercial cloud, the file says fedramp',
    args: plan(),
    files: fleet(`${HEAD}tenable:\n  site: fedramp\n`),
    env: { TIO_URL: 'https://cloud.tenable.com' },
    expect: {
      code: 2,
      line: 5,
      col: 9,
      path: 'tenable.site',
      messages: ['TIO_URL=https://cloud.tenable.com is the cloud Tenable site', 'the file says `site: fedramp`', 'unset TIO_URL'],
    },
  },
  {
    name: 'TIO_URL names FedRAMP, the file says cloud',
    args: plan(),
    files: fleet(`${HEAD}tenable: { site: cloud }\n`),
    env: { TIO_URL: 'https://fedcloud.tenable.com/' },
    expect: { code: 2, line: 4, path: 'tenable.site', messages: ['TIO_URL=https://fedcloud.tenable.com is the fedramp Tenable site', '`site: cloud`'] },
  },
  {
    name: 'a custom site in the file, TIO_URL at a known site',
    args: plan(),
    files: fleet(`${HEAD}tenable:\n  site: custom\n  url: https://tvm.example.com\n  linkHost: tvm.example.com\n`),
    env: { TIO_URL: 'https://cloud.tenable.com' },
    expect: { code: 2, line: 5, path: 'tenable.site', messages: ['TIO_URL=https://cloud.tenable.com is the cloud Tenable site', '`site: custom`', 'tvm.example.com'] },
  },
  {
    name: '--tenable-url names another known site than the file',
    args: plan('--tenable-url', 'https://fedcloud.tenable.com'),
    files: fleet(`${HEAD}tenable:\n  site: cloud\n`),
    expect: { code: 2, line: 5, path: 'tenable.site', messages: ['--tenable-url https://fedcloud.tenable.com is the fedramp Tenable site', '`site: cloud`'] },
  },
  {
    name: 'TIO_URL and NESSUS_BYOL_TENABLE_API_URL name different URLs',
    args: plan(),
    files: fleet(HEAD),
    env: { TIO_URL: 'https://cloud.tenable.com', NESSUS_BYOL_TENABLE_API_URL: 'http://127.0.0.1:9' },
    expect: {
      code: 2,
      errorCode: 'USAGE',
      messages: ['TIO_URL=https://cloud.tenable.com and NESSUS_BYOL_TENABLE_API_URL=http://127.0.0.1:9 name different', 'unset one of them'],
    },
  },
  {
    name: 'TIO_URL that is not a URL',
    args: plan(),
    files: fleet(HEAD),
    env: { TIO_URL: 'cloud.tenable.com' },
    expect: { code: 2, errorCode: 'USAGE', messages: ['TIO_URL "cloud.tenable.com" is not a URL', 'https://cloud.tenable.com'] },
  },
  {
    name: 'preauthorized-json without embedInUserData',
    args: plan(),
    files: fleet(`${HEAD}link:\n  method: preauthorized-json\n`),
    expect: { code: 2, line: 5, path: 'link.embedInUserData', messages: ['embedInUserData: true'] },
  },
  {
    name: 'standalone without activationCode',
    args: plan(),
    files: fleet(`${HEAD}link:\n  method: standalone\n`),
    expect: { code: 2, line: 5, path: 'link.activationCode', messages: ['`method: standalone` needs `activationCode'] },
  },
  {
    name: 'name template without {instanceId} or {index}',
    args: plan(),
    files: fleet(`${HEAD}scanners:\n  count: 2\n  name: "{fleet}-scanner"\n`),
    expect: { code: 2, line: 6, path: 'scanners.name', messages: ['must contain {instanceId} or {index}'] },
  },
  {
    name: 'name template with shell metacharacters $(reboot)',
    args: plan(),
    files: fleet(`${HEAD}scanners:\n  name: "{fleet}-$(reboot)-{index}"\n`),
    expect: { code: 2, line: 5, path: 'scanners.name', messages: ['letters, digits, . _ -', '{instanceId}'] },
  },
  {
    name: 'name template with ; and spaces',
    args: plan(),
    files: fleet(`${HEAD}scanners:\n  name: "{fleet}-{index}; rm -rf /"\n`),
    expect: { code: 2, line: 5, path: 'scanners.name', messages: ['letters, digits, . _ -'] },
  },
  {
    name: 'tag with the reserved aws: prefix',
    args: plan(),
    files: fleet(`${HEAD}tags:\n  Owner: secops\n  "aws:cloudformation:stack-name": x\n`),
    expect: { code: 2, line: 6, path: 'tags.aws:cloudformation:stack-name', messages: ['reserved'] },
  },
  {
    name: 'tag with the reserved nessus-byol: prefix',
    args: plan(),
    files: fleet(`${HEAD}tags:\n  "nessus-byol:fleet": other\n`),
    expect: { code: 2, line: 5, path: 'tags.nessus-byol:fleet', messages: ['reserved'] },
  },

  // --- several problems, flags -------------------------------------------------------------------------
  {
    name: 'several problems are all listed at once, in file order',
    args: plan(),
    files: fleet(
      [
        'version: 1',
        'fleet: Prod_Scanners',
        'region: mars-1',
        'scanners:',
        '  count: 0',
        '  instanceType: huge',
        'link:',
        '  method: bootstrapp',
        'network:',
        '  allowUiFrom: [not-a-cidr]',
        'foo: bar',
        '',
      ].join('\n'),
    ),
    expect: {
      code: 2,
      line: 2,
      path: 'fleet',
      messages: [
        'The configuration has 7 problems',
        /fleet\.yaml:2:\d+ fleet:[\s\S]*fleet\.yaml:3:\d+ region:[\s\S]*fleet\.yaml:5:\d+ scanners\.count:[\s\S]*fleet\.yaml:6:\d+ scanners\.instanceType:[\s\S]*fleet\.yaml:8:\d+ link\.method:[\s\S]*fleet\.yaml:10:\d+ network\.allowUiFrom\.0:[\s\S]*fleet\.yaml:11:\d+ foo:/,
        'did you mean "bootstrap"?',
      ],
    },
  },
  {
    name: '--region nowhere-1',
    args: plan('--region', 'nowhere-1'),
    files: fleet(HEAD),
    expect: { code: 2, errorCode: 'CONFIG', messages: ['--region nowhere-1 is not an AWS region name', 'us-east-1'] },
  },
];

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function fileArg(args: string[]): string | undefined {
  const i = args.findIndex((a) => a === '-f' || a === '--file');
  return i >= 0 ? args[i + 1] : undefined;
}

/** `<file>:<line>:<col> <path>:` as ConfigError prints it (`<file>:<line>:<col>:` for the document). */
function positionRe(file: string, line: number | undefined, path: string | undefined, col?: number): RegExp {
  const where = `${escapeRe(file)}:${line === undefined ? '\\d+' : String(line)}:${col === undefined ? '\\d+' : String(col)}`;
  return new RegExp(path === undefined ? `${where}\\b` : path === '' ? `${where}:` : `${where} ${escapeRe(path)}:`);
}

function expectMessages(stderr: string, messages: (string | RegExp)[]): void {
  for (const m of messages) {
    if (typeof m === 'string') expect(stderr).toContain(m);
    else expect(stderr).toMatch(m);
  }
}

function expectPosition(stderr: string, file: string | undefined, line?: number, path?: string, col?: number): void {
  if (line === undefined && path === undefined) return;
  expect(file, 'a position needs a -f file in args').toBeDefined();
  expect(stderr).toMatch(positionRe(file!, line, path, col));
}

function expectProblemInJson(error: Record<string, unknown>, line?: number, path?: string, col?: number): void {
  if (line === undefined && path === undefined) return;
  const problems = error.problems as { path: string; line?: number; col?: number }[] | undefined;
  expect(Array.isArray(problems), 'error.problems lists every problem').toBe(true);
  expect(problems).toContainEqual(
    expect.objectContaining({
      ...(path === undefined ? {} : { path }),
      ...(line === undefined ? {} : { line }),
      ...(col === undefined ? {} : { col }),
    }),
  );
}

describe('bad input is rejected with position, key path and hint', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'nessus-byol-bad-input-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  let n = 0;
  async function run(c: BadInputCase, extra: string[] = []): Promise<CliResult> {
    const dir = join(root, String(n++));
    await mkdir(dir);
    for (const [name, content] of Object.entries(c.files)) await writeFile(join(dir, name), content);
    return runCli([...c.args, ...extra], { cwd: dir, env: c.env });
  }

  describe.each(BAD_INPUT_CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const file = fileArg(c.args);

    it(`exits ${c.expect.code} with the problem on stderr`, async () => {
      const r = await run(c);
      expectNoStackTrace(r.stderr);
      expectNoStackTrace(r.stdout);
      expect(r.code, r.stderr).toBe(c.expect.code);
      expectMessages(r.stderr, c.expect.messages);
      expectPosition(r.stderr, file, c.expect.line, c.expect.path, c.expect.col);
      for (const secret of c.expect.absent ?? []) {
        expect(r.stderr).not.toContain(secret);
        expect(r.stdout).not.toContain(secret);
      }
    });

    it('--json prints exactly one document on stdout', async () => {
      const r = await run(c, ['--json']);
      expect(r.code, r.stderr).toBe(c.expect.code);
      expectNoStackTrace(r.stderr);
      const doc = parseSingleJson(r.stdout);
      if (c.expect.code === 0) {
        expect(doc.ok).toBe(true);
        return;
      }
      expect(doc.ok).toBe(false);
      const error = doc.error as Record<string, unknown>;
      expect(error).toBeTypeOf('object');
      expect(error.code).toBeTypeOf('string');
      expect(error.message).toBeTypeOf('string');
      if (c.expect.errorCode) expect(error.code).toBe(c.expect.errorCode);
      else if (c.expect.line !== undefined || c.expect.path !== undefined) expect(error.code).toBe('CONFIG');
      expectProblemInJson(error, c.expect.line, c.expect.path, c.expect.col);
      for (const secret of c.expect.absent ?? []) expect(r.stdout).not.toContain(secret);
    });

    const bug = c.expect.regression;
    if (bug) {
      it(`regression (was: ${bug.reason})`, async () => {
        const r = await run(c);
        expect(r.code).toBe(bug.code ?? c.expect.code);
        expectMessages(r.stderr, bug.messages ?? []);
        expectPosition(r.stderr, file, bug.line, bug.path, bug.col);
      });
    }
  });

  it('the corpus covers at least 25 broken fleet files', () => {
    expect(BAD_INPUT_CASES.filter((c) => c.expect.code !== 0).length).toBeGreaterThanOrEqual(25);
    expect(new Set(BAD_INPUT_CASES.map((c) => c.name)).size, 'case names are unique').toBe(BAD_INPUT_CASES.length);
  });
});
