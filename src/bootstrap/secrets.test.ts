import { describe, expect, it } from 'vitest';
import { Secret } from '../core/secret.js';
import {
  TEST_CODE,
  TEST_KEY,
  TEST_PROXY_PASSWORD,
  bootstrapInput,
  embeddedKey,
  proxyAuth,
  smKey,
  ssmKey,
  standaloneInput,
} from './fixtures.test-helper.js';
import { embeddedSecrets, maskUserData } from './mask.js';
import { preauthorizedSecrets, renderPreauthorizedJson } from './preauthorized.js';
import { renderBootstrapScript, renderStandaloneScript } from './render.js';

describe('the linking key in user-data', () => {
  it.each([
    ['ssm', ssmKey],
    ['secretsmanager', smKey],
  ] as const)('is fetched at boot from %s, never in the script', (_label, key) => {
    const script = renderBootstrapScript(bootstrapInput({ key, proxy: proxyAuth }));
    expect(script).not.toContain(TEST_KEY);
    expect(script).not.toMatch(/set -x|set -o xtrace/);
    expect(embeddedSecrets(bootstrapInput({ key }))).toEqual([]);
  });

  it('reads SSM SecureStrings and Secrets Manager strings with the documented commands', () => {
    expect(renderBootstrapScript(bootstrapInput({ key: ssmKey }))).toContain(
      "aws ssm get-parameter --region 'us-east-1' --name '/nessus/linking-key' --with-decryption --query Parameter.Value --output text",
    );
    expect(renderBootstrapScript(bootstrapInput({ key: smKey }))).toContain(
      "aws secretsmanager get-secret-value --region 'us-east-1' --secret-id 'nessus/linking-key' --query SecretString --output text",
    );
  });

  it('embedded: the script carries the key and maskUserData removes it', () => {
    const input = bootstrapInput({
      key: embeddedKey(),
      proxy: { ...proxyAuth, password: { kind: 'embedded', key: new Secret(TEST_PROXY_PASSWORD) } },
    });
    const script = renderBootstrapScript(input);
    expect(script).toContain(`'${TEST_KEY}'`);
    expect(script).toContain(TEST_PROXY_PASSWORD);
    const masked = maskUserData(script, embeddedSecrets(input));
    expect(masked).not.toContain(TEST_KEY);
    expect(masked).not.toContain(TEST_PROXY_PASSWORD);
    expect(masked).toContain("printf '%s\\n' '****'");
  });

  it('standalone: the activation code is masked the same way', () => {
    const input = standaloneInput({ activationCode: { kind: 'embedded', key: new Secret(TEST_CODE) } });
    const script = renderStandaloneScript(input);
    expect(script).toContain(TEST_CODE);
    expect(maskUserData(script, embeddedSecrets(input))).not.toContain(TEST_CODE);
  });
});

describe('pre-authorized JSON user-data', () => {
  it('has the documented keys in a stable order', () => {
    const json = renderPreauthorizedJson({
      name: 'prod-3-k2x9',
      key: new Secret(TEST_KEY),
      iamRole: 'nessus-byol-prod-us-east-1',
      awsScanner: true,
    });
    expect(json).toBe(
      `{\n  "name": "prod-3-k2x9",\n  "key": "${TEST_KEY}",\n  "iam_role": "nessus-byol-prod-us-east-1",\n  "aws_scanner": true\n}\n`,
    );
  });

  it('with a proxy, and masked', () => {
    const input = {
      name: 'prod-0-abcd',
      key: new Secret(TEST_KEY),
      iamRole: 'role',
      awsScanner: false,
      proxy: {
        host: 'proxy.corp',
        port: 3128,
        username: 'svc',
        password: { kind: 'embedded' as const, key: new Secret(TEST_PROXY_PASSWORD) },
        agent: 'Nessus',
      },
    };
    const json = renderPreauthorizedJson(input);
    expect(JSON.parse(json)).toEqual({
      name: 'prod-0-abcd',
      key: TEST_KEY,
      iam_role: 'role',
      aws_scanner: false,
      proxy: { proxy: 'proxy.corp', proxy_port: 3128, proxy_username: 'svc', proxy_password: TEST_PROXY_PASSWORD, proxy_agent: 'Nessus' },
    });
    const masked = maskUserData(json, preauthorizedSecrets(input));
    expect(masked).not.toContain(TEST_KEY);
    expect(masked).not.toContain(TEST_PROXY_PASSWORD);
    expect(JSON.parse(masked).key).toBe('****');
  });
});

describe('maskUserData', () => {
  it('ignores values too short to mask safely and non-secrets', () => {
    expect(maskUserData('abc abc', [new Secret('abc'), undefined])).toBe('abc abc');
  });
});
