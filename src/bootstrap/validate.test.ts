import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { Secret } from '../core/secret.js';
import { bootstrapInput, proxyPlain, standaloneInput } from './fixtures.test-helper.js';
import { linkArgs } from './link-args.js';
import { renderPreauthorizedJson } from './preauthorized.js';
import { renderBootstrapScript, renderStandaloneScript } from './render.js';
import { shellQuote } from './validate.js';

function problemsOf(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('unsafe values are rejected', () => {
  it.each([
    ['name template with $(', { nameTemplate: '{fleet}-$(reboot)' }, 'nameTemplate'],
    ['name template with backticks', { nameTemplate: '`id`' }, 'nameTemplate'],
    ['name template with a quote', { nameTemplate: "{fleet}'x" }, 'nameTemplate'],
    ['name template with a space', { nameTemplate: '{fleet} {index}', index: 1 }, 'nameTemplate'],
    ['unknown placeholder', { nameTemplate: '{fleet}-{hostname}' }, 'nameTemplate'],
    ['{index} without an index', { nameTemplate: '{fleet}-{index}' }, 'nameTemplate'],
    ['custom host with spaces', { target: { kind: 'custom', host: 'evil host', port: 443 } }, 'target.host'],
    ['custom host starting with -', { target: { kind: 'custom', host: '-oProxy', port: 443 } }, 'target.host'],
    ['port out of range', { target: { kind: 'custom', host: 'h', port: 70000 } }, 'target.port'],
    ['ssm parameter with quotes', { key: { kind: 'ssm', parameter: "/a'; rm -rf /'", region: 'us-east-1' } }, 'key.parameter'],
    ['secret id with $', { key: { kind: 'secretsmanager', secretId: 'x$HOME', region: 'us-east-1' } }, 'key.secretId'],
    ['bad region', { key: { kind: 'ssm', parameter: '/p', region: 'us-east-1;id' } }, 'key.region'],
    ['fleet upper case', { fleet: 'Prod' }, 'fleet'],
    ['tool version with newline', { toolVersion: '1.0\nrm -rf /' }, 'toolVersion'],
    ['proxy host with ;', { proxy: { ...proxyPlain, host: 'p;id' } }, 'proxy.host'],
    ['proxy user with $', { proxy: { ...proxyPlain, username: '$USER' } }, 'proxy.username'],
    ['proxy agent with a quote', { proxy: { ...proxyPlain, agent: "Agent'" } }, 'proxy.agent'],
    ['link attempts 0', { linkAttempts: 0 }, 'linkAttempts'],
  ] as const)('%s', (_label, overrides, path) => {
    const problems = problemsOf(() => renderBootstrapScript(bootstrapInput(overrides as never)));
    expect(problems.map((p) => p.path)).toContain(path);
  });

  it('reports every problem at once', () => {
    const problems = problemsOf(() =>
      renderBootstrapScript(bootstrapInput({ fleet: 'A B', region: 'mars', nameTemplate: '$(x)' })),
    );
    expect(problems.map((p) => p.path)).toEqual(['fleet', 'region', 'nameTemplate']);
  });

  it('an embedded key with shell characters is rejected without echoing it', () => {
    const bad = "abcdefgh'$(id)";
    const problems = problemsOf(() =>
      renderBootstrapScript(bootstrapInput({ key: { kind: 'embedded', key: new Secret(bad) } })),
    );
    expect(problems.map((p) => p.path)).toEqual(['key.key']);
    expect(JSON.stringify(problems)).not.toContain(bad);
  });

  it('standalone: activation code source', () => {
    const problems = problemsOf(() =>
      renderStandaloneScript(standaloneInput({ activationCode: { kind: 'ssm', parameter: 'a b', region: 'us-east-1' } })),
    );
    expect(problems.map((p) => p.path)).toEqual(['activationCode.parameter']);
  });

  it('linkArgs on its own', () => {
    expect(() => linkArgs({ kind: 'custom', host: 'a b', port: 1 }, false)).toThrow(ConfigError);
  });

  it('pre-authorized JSON: name, role and a proxy password that would need a boot-time read', () => {
    const problems = problemsOf(() =>
      renderPreauthorizedJson({
        name: 'x y',
        key: new Secret('0123456789abcdef'),
        iamRole: 'role/with"quote',
        awsScanner: true,
        proxy: { ...proxyPlain, password: { kind: 'ssm', parameter: '/p', region: 'us-east-1' } },
      }),
    );
    expect(problems.map((p) => p.path)).toEqual(['name', 'iamRole', 'proxy.password']);
  });
});

describe('shellQuote', () => {
  it('wraps in single quotes and escapes embedded ones', () => {
    expect(shellQuote('abc')).toBe("'abc'");
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });
});
