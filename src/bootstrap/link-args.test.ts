import { describe, expect, it } from 'vitest';
import { bootstrapInput, linkLine, nameLine, proxyAuth, proxyPlain } from './fixtures.test-helper.js';
import { linkArgs, linkArgv, renderNessuscliLinkLine } from './link-args.js';
import { renderBootstrapScript } from './render.js';
import type { LinkTarget, Proxy } from './types.js';

const HEAD = '"$NESSUSCLI" managed link --key="$KEY" --name="$NAME"';
const custom: LinkTarget = { kind: 'custom', host: 'tvm.example.com', port: 8443 };
const PLAIN = "--proxy-host='proxy.corp.example' --proxy-port='3128'";
const AUTH =
  "--proxy-host='10.0.0.5' --proxy-port='8080' --proxy-username='svc-nessus' " +
  `--proxy-password="$PROXY_PASSWORD" --proxy-agent='Mozilla/5.0 (Nessus)'`;

const cases: [string, LinkTarget, boolean, Proxy | undefined, string][] = [
  ['cloud', { kind: 'cloud' }, false, undefined, '--cloud'],
  ['cloud + aws', { kind: 'cloud' }, true, undefined, '--cloud --aws-scanner'],
  ['cloud + proxy', { kind: 'cloud' }, false, proxyPlain, `--cloud ${PLAIN}`],
  ['cloud + aws + proxy auth', { kind: 'cloud' }, true, proxyAuth, `--cloud --aws-scanner ${AUTH}`],
  ['fedramp', { kind: 'fedramp' }, false, undefined, "--host='fedcloud.tenable.com' --port='443'"],
  ['fedramp + aws', { kind: 'fedramp' }, true, undefined, "--host='fedcloud.tenable.com' --port='443' --aws-scanner"],
  ['fedramp + proxy', { kind: 'fedramp' }, false, proxyPlain, `--host='fedcloud.tenable.com' --port='443' ${PLAIN}`],
  [
    'fedramp + aws + proxy auth',
    { kind: 'fedramp' },
    true,
    proxyAuth,
    `--host='fedcloud.tenable.com' --port='443' --aws-scanner ${AUTH}`,
  ],
  ['custom', custom, false, undefined, "--host='tvm.example.com' --port='8443'"],
  ['custom + aws', custom, true, undefined, "--host='tvm.example.com' --port='8443' --aws-scanner"],
  ['custom + proxy auth', custom, false, proxyAuth, `--host='tvm.example.com' --port='8443' ${AUTH}`],
  [
    'custom + aws + proxy user only',
    custom,
    true,
    { host: 'proxy', port: 80, username: 'bob' },
    "--host='tvm.example.com' --port='8443' --aws-scanner --proxy-host='proxy' --proxy-port='80' --proxy-username='bob'",
  ],
];

describe('nessuscli managed link line in the bootstrap script', () => {
  it.each(cases)('%s', (_label, target, awsScanner, proxy, flags) => {
    const script = renderBootstrapScript(bootstrapInput({ target, awsScanner, proxy }));
    expect(linkLine(script)).toBe(`${HEAD} ${flags}`);
  });
});

describe('scanner name', () => {
  it('{fleet}-{instanceId} reads the instance id over IMDSv2', () => {
    const script = renderBootstrapScript(bootstrapInput({ nameTemplate: '{fleet}-{instanceId}' }));
    expect(nameLine(script)).toBe(`NAME='prod-scanners-'"\${INSTANCE_ID}"`);
    expect(script).toContain('fetch_value INSTANCE_ID read_instance_id');
  });

  it('{instanceId} alone', () => {
    const script = renderBootstrapScript(bootstrapInput({ nameTemplate: '{instanceId}' }));
    expect(nameLine(script)).toBe(`NAME="\${INSTANCE_ID}"`);
  });

  it('{fleet}-{index} needs no metadata read', () => {
    const script = renderBootstrapScript(bootstrapInput({ nameTemplate: '{fleet}-{index}', index: 3 }));
    expect(nameLine(script)).toBe("NAME='prod-scanners-3'");
    expect(script).not.toContain('fetch_value INSTANCE_ID');
  });

  it('every placeholder, with literal text around the instance id', () => {
    const script = renderBootstrapScript(
      bootstrapInput({ nameTemplate: '{region}.{fleet}-{index}-{instanceId}.scan', index: 2 }),
    );
    expect(nameLine(script)).toBe(`NAME='us-east-1.prod-scanners-2-'"\${INSTANCE_ID}"'.scan'`);
  });

  it('a literal name without placeholders', () => {
    const script = renderBootstrapScript(bootstrapInput({ nameTemplate: 'Scanner_A.1' }));
    expect(nameLine(script)).toBe("NAME='Scanner_A.1'");
  });
});

describe('linkArgs (one source of truth for the script, the display and ssh link)', () => {
  it('is structured, with the proxy password as a run-time secret', () => {
    expect(linkArgs({ kind: 'fedramp' }, true, proxyAuth)).toEqual([
      { kind: 'value', flag: '--host', value: 'fedcloud.tenable.com' },
      { kind: 'value', flag: '--port', value: '443' },
      { kind: 'switch', flag: '--aws-scanner' },
      { kind: 'value', flag: '--proxy-host', value: '10.0.0.5' },
      { kind: 'value', flag: '--proxy-port', value: '8080' },
      { kind: 'value', flag: '--proxy-username', value: 'svc-nessus' },
      { kind: 'secret', flag: '--proxy-password', secret: 'proxyPassword' },
      { kind: 'value', flag: '--proxy-agent', value: 'Mozilla/5.0 (Nessus)' },
    ]);
  });

  it('linkArgv gives raw argv elements and needs the secret', () => {
    const args = linkArgs({ kind: 'cloud' }, false, proxyAuth);
    expect(linkArgv(args, { proxyPassword: 'pw' })).toEqual([
      '--cloud',
      '--proxy-host=10.0.0.5',
      '--proxy-port=8080',
      '--proxy-username=svc-nessus',
      '--proxy-password=pw',
      '--proxy-agent=Mozilla/5.0 (Nessus)',
    ]);
    expect(() => linkArgv(args)).toThrow(/--proxy-password/);
  });

  it('renderNessuscliLinkLine masks the key and the proxy password', () => {
    expect(renderNessuscliLinkLine({ kind: 'cloud' }, true, undefined, { name: 'prod-1' })).toBe(
      "/opt/nessus/sbin/nessuscli managed link --key=**** --name='prod-1' --cloud --aws-scanner",
    );
    expect(renderNessuscliLinkLine({ kind: 'fedramp' }, false, proxyAuth)).toBe(
      "/opt/nessus/sbin/nessuscli managed link --key=**** --host='fedcloud.tenable.com' --port='443' " +
        "--proxy-host='10.0.0.5' --proxy-port='8080' --proxy-username='svc-nessus' --proxy-password=**** " +
        "--proxy-agent='Mozilla/5.0 (Nessus)'",
    );
  });
});
