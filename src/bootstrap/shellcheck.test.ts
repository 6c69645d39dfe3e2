import { has } from '../../test/helpers/tools.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Secret } from '../core/secret.js';
import {
  TEST_CODE,
  bootstrapInput,
  embeddedKey,
  proxyAuth,
  proxyPlain,
  smKey,
  ssmKey,
  standaloneInput,
} from './fixtures.test-helper.js';
import { renderBootstrapScript, renderStandaloneScript } from './render.js';

const variants: [string, () => string][] = [
  ['cloud ssm', () => renderBootstrapScript(bootstrapInput())],
  ['cloud ssm aws-scanner os-update', () => renderBootstrapScript(bootstrapInput({ awsScanner: true, osUpdate: true }))],
  ['cloud secretsmanager proxy', () => renderBootstrapScript(bootstrapInput({ key: smKey, proxy: proxyPlain }))],
  ['cloud embedded proxy auth', () => renderBootstrapScript(bootstrapInput({ key: embeddedKey(), proxy: proxyAuth }))],
  [
    'cloud embedded key and proxy password',
    () =>
      renderBootstrapScript(
        bootstrapInput({
          key: embeddedKey(),
          proxy: { ...proxyAuth, password: { kind: 'embedded', key: new Secret('pw-12345678') } },
        }),
      ),
  ],
  ['fedramp ssm', () => renderBootstrapScript(bootstrapInput({ target: { kind: 'fedramp' } }))],
  [
    'fedramp aws-scanner proxy auth index name',
    () =>
      renderBootstrapScript(
        bootstrapInput({ target: { kind: 'fedramp' }, awsScanner: true, proxy: proxyAuth, nameTemplate: '{fleet}-{index}', index: 7 }),
      ),
  ],
  [
    'custom secretsmanager aws-scanner',
    () => renderBootstrapScript(bootstrapInput({ target: { kind: 'custom', host: 'tvm.example.com', port: 8443 }, key: smKey, awsScanner: true })),
  ],
  [
    'custom proxy os-update all placeholders',
    () =>
      renderBootstrapScript(
        bootstrapInput({
          target: { kind: 'custom', host: '10.1.2.3', port: 443 },
          proxy: proxyPlain,
          osUpdate: true,
          nameTemplate: '{region}.{fleet}-{index}-{instanceId}.scan',
          index: 0,
          linkAttempts: 1,
        }),
      ),
  ],
  ['literal name', () => renderBootstrapScript(bootstrapInput({ nameTemplate: 'scanner-a' }))],
  ['standalone ssm', () => renderStandaloneScript(standaloneInput())],
  ['standalone secretsmanager os-update', () => renderStandaloneScript(standaloneInput({ activationCode: smKey, osUpdate: true }))],
  [
    'standalone embedded proxy auth',
    () => renderStandaloneScript(standaloneInput({ activationCode: { kind: 'embedded', key: new Secret(TEST_CODE) }, proxy: proxyAuth })),
  ],
  ['standalone ssm proxy plain', () => renderStandaloneScript(standaloneInput({ activationCode: ssmKey, proxy: proxyPlain }))],
];

// A missing shellcheck skips this suite by name (npm test's preflight says how to install it; in CI
// the preflight fails the run instead, so the guarantee is always checked there).
describe.skipIf(!has('shellcheck'))('every rendered user-data variant passes shellcheck', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nessus-byol-shellcheck-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('covers at least 12 variants', () => {
    expect(variants.length).toBeGreaterThanOrEqual(12);
  });

  it.each(variants)('%s', (label, render) => {
    const script = render();
    expect(script.startsWith('#!/bin/bash\n')).toBe(true);
    expect(script).toContain('\nset -euo pipefail\n');
    expect(script).not.toMatch(/set -x|set -o xtrace|\{\{[A-Z_]+\}\}/);
    const file = join(dir, `${label.replace(/[^a-z0-9]+/gi, '-')}.sh`);
    writeFileSync(file, script);
    const r = spawnSync('shellcheck', ['-s', 'bash', '-S', 'style', file], { encoding: 'utf8' });
    if (r.error) throw new Error(`shellcheck could not run (${r.error.message}): run \`apt-get install -y shellcheck\``);
    expect(r.stdout + r.stderr, `shellcheck findings for ${label}`).toBe('');
    expect(r.status).toBe(0);
  });
});
