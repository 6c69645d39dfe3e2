import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Secret } from '../core/secret.js';
import { TEST_CODE, TEST_KEY, TEST_PROXY_PASSWORD, bootstrapInput, proxyAuth, standaloneInput } from './fixtures.test-helper.js';
import { renderBootstrapScript, renderStandaloneScript } from './render.js';

const INSTANCE_ID = 'i-0123456789abcdef0';
const TOKEN = 'imds-token-xyz';

/** Stand-ins for the scanner host's commands; each records its argv (one argument a line, then ---). */
const FAKES: Record<string, string> = {
  nessuscli: `#!/bin/bash
{ printf '%s\\n' "$@"; echo ---; } >>"$FAKE_DIR/nessuscli.argv"
# Like a chatty real tool: echo what we were given (the script must keep it out of the log).
echo "nessuscli called with: $*"
exit "\${FAKE_NESSUSCLI_EXIT:-0}"
`,
  aws: `#!/bin/bash
{ printf '%s\\n' "$@"; echo ---; } >>"$FAKE_DIR/aws.argv"
if [ -n "\${FAKE_AWS_FAIL:-}" ]; then echo "AccessDeniedException: not yet" >&2; exit 254; fi
case "$*" in
  *proxy-password*) printf '%s\\n' "$FAKE_PROXY_PASSWORD" ;;
  *) printf '%s\\n' "$FAKE_KEY" ;;
esac
`,
  curl: `#!/bin/bash
{ printf '%s\\n' "$@"; echo ---; } >>"$FAKE_DIR/curl.argv"
case "$*" in
  *"-X PUT"*"X-aws-ec2-metadata-token-ttl-seconds: 300"*/latest/api/token) printf '%s' '${TOKEN}' ;;
  *"X-aws-ec2-metadata-token: ${TOKEN}"*/latest/meta-data/instance-id) printf '%s' '${INSTANCE_ID}' ;;
  *) echo "fake curl: unexpected request $*" >&2; exit 22 ;;
esac
`,
  service: `#!/bin/bash
echo "$*" >>"$FAKE_DIR/service.calls"
if [ "$2" = stop ]; then echo "nessusd: unrecognized service" >&2; exit 1; fi
exit "\${FAKE_SERVICE_START_EXIT:-0}"
`,
  yum: `#!/bin/bash
echo "$*" >>"$FAKE_DIR/yum.calls"
`,
};

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

interface Boot {
  status: number | null;
  stdout: string;
  stderr: string;
  log: string;
  logFile: string;
  calls: (name: string) => string[][];
  lines: (name: string) => string[];
  phases: string[];
}

function boot(script: string, env: Record<string, string> = {}): Boot {
  const dir = mkdtempSync(join(tmpdir(), 'nessus-byol-boot-'));
  dirs.push(dir);
  for (const [name, body] of Object.entries(FAKES)) {
    writeFileSync(join(dir, name), body);
    chmodSync(join(dir, name), 0o755);
  }
  const scriptPath = join(dir, 'user-data.sh');
  writeFileSync(scriptPath, script);
  const logFile = join(dir, 'bootstrap.log');
  const r = spawnSync('bash', [scriptPath], {
    encoding: 'utf8',
    timeout: 30_000,
    env: {
      PATH: `${dir}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      FAKE_DIR: dir,
      FAKE_KEY: TEST_KEY,
      FAKE_PROXY_PASSWORD: TEST_PROXY_PASSWORD,
      NESSUS_BYOL_NESSUSCLI: join(dir, 'nessuscli'),
      NESSUS_BYOL_IMDS_ENDPOINT: 'http://127.0.0.1:1',
      NESSUS_BYOL_LOG_FILE: logFile,
      NESSUS_BYOL_LINK_BACKOFF_SECONDS: '0',
      NESSUS_BYOL_FETCH_BACKOFF_SECONDS: '0',
      ...env,
    },
  });
  const read = (f: string): string => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8') : '');
  return {
    status: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    log: read('bootstrap.log'),
    logFile,
    calls: (name) =>
      read(`${name}.argv`)
        .split('---\n')
        .filter((c) => c.length > 0)
        .map((c) => c.replace(/\n$/, '').split('\n')),
    lines: (name) => read(name).split('\n').filter(Boolean),
    phases: r.stdout.split('\n').filter((l) => l.startsWith('nessus-byol-bootstrap: ')),
  };
}

function expectNoSecrets(b: Boot, ...secrets: string[]): void {
  for (const s of secrets) {
    expect(b.stdout).not.toContain(s);
    expect(b.stderr).not.toContain(s);
    expect(b.log).not.toContain(s);
  }
}

describe('the rendered bootstrap script, run with bash and stand-ins', () => {
  it('cloud + ssm: reads the instance id over IMDSv2, fetches the key, links, starts nessusd', () => {
    const b = boot(renderBootstrapScript(bootstrapInput()));
    expect(b.stderr).toBe('');
    expect(b.status).toBe(0);
    expect(b.calls('nessuscli')).toEqual([
      ['managed', 'link', `--key=${TEST_KEY}`, `--name=prod-scanners-${INSTANCE_ID}`, '--cloud'],
    ]);
    expect(b.phases).toEqual([
      'nessus-byol-bootstrap: start fleet=prod-scanners region=us-east-1 method=bootstrap tool=0.1.0',
      'nessus-byol-bootstrap: key-fetched source=ssm',
      `nessus-byol-bootstrap: link-ok name=prod-scanners-${INSTANCE_ID} attempts=1`,
      'nessus-byol-bootstrap: nessusd-started',
    ]);
    expect(b.stdout.trim().split('\n')).toEqual(b.phases);
    expect(b.calls('aws')).toEqual([
      [
        'ssm',
        'get-parameter',
        '--region',
        'us-east-1',
        '--name',
        '/nessus/linking-key',
        '--with-decryption',
        '--query',
        'Parameter.Value',
        '--output',
        'text',
      ],
    ]);
    const curl = b.calls('curl');
    expect(curl[0]).toEqual(expect.arrayContaining(['-X', 'PUT', 'X-aws-ec2-metadata-token-ttl-seconds: 300', 'http://127.0.0.1:1/latest/api/token']));
    expect(curl[1]).toEqual(expect.arrayContaining([`X-aws-ec2-metadata-token: ${TOKEN}`, 'http://127.0.0.1:1/latest/meta-data/instance-id']));
    expect(b.lines('service.calls')).toEqual(['nessusd stop', 'nessusd start']);
    expect(b.lines('yum.calls')).toEqual([]);
    // The log has the phases and the (redacted) nessuscli output, never the key.
    expect(b.log).toContain('nessus-byol-bootstrap: link-ok');
    expect(b.log).toContain('nessuscli called with: managed link --key=**** --name=');
    expectNoSecrets(b, TEST_KEY);
  });

  it('nessuscli failing every time ends in link-failed after the retries, nessusd left stopped', () => {
    const b = boot(renderBootstrapScript(bootstrapInput({ linkAttempts: 3 })), { FAKE_NESSUSCLI_EXIT: '2' });
    expect(b.status).toBe(1);
    expect(b.calls('nessuscli')).toHaveLength(3);
    expect(b.phases).toEqual([
      'nessus-byol-bootstrap: start fleet=prod-scanners region=us-east-1 method=bootstrap tool=0.1.0',
      'nessus-byol-bootstrap: key-fetched source=ssm',
      `nessus-byol-bootstrap: link-failed nessuscli exited 2 after 3 attempts (details in ${b.logFile})`,
    ]);
    expect(b.lines('service.calls')).toEqual(['nessusd stop']);
    expect(b.log).toContain('link_once failed with status 2 (attempt 3 of 3)');
    expectNoSecrets(b, TEST_KEY);
  });

  it('a key that never becomes readable ends in link-failed without calling nessuscli', () => {
    const b = boot(renderBootstrapScript(bootstrapInput({ nameTemplate: '{fleet}-{index}', index: 1 })), {
      FAKE_AWS_FAIL: '1',
    });
    expect(b.status).toBe(1);
    expect(b.calls('aws')).toHaveLength(6);
    expect(b.calls('nessuscli')).toEqual([]);
    expect(b.calls('curl')).toEqual([]);
    expect(b.phases.at(-1)).toBe('nessus-byol-bootstrap: link-failed linking key not readable from ssm after 6 attempts');
    expect(b.log).toContain('AccessDeniedException');
  });

  it('an unexpected failure is reported once by the ERR trap with the step and line', () => {
    const b = boot(renderBootstrapScript(bootstrapInput()), { FAKE_SERVICE_START_EXIT: '3' });
    expect(b.status).toBe(3);
    const failed = b.phases.filter((l) => l.includes(' failed '));
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatch(/^nessus-byol-bootstrap: failed start-nessusd line \d+ status 3$/);
    expect(b.phases).toContain(`nessus-byol-bootstrap: link-ok name=prod-scanners-${INSTANCE_ID} attempts=1`);
    expect(b.phases).not.toContain('nessus-byol-bootstrap: nessusd-started');
  });

  it('fedramp + aws-scanner + authenticated proxy + os update', () => {
    const b = boot(
      renderBootstrapScript(
        bootstrapInput({ target: { kind: 'fedramp' }, awsScanner: true, proxy: proxyAuth, osUpdate: true, nameTemplate: '{fleet}-{index}', index: 4 }),
      ),
    );
    expect(b.stderr).toBe('');
    expect(b.status).toBe(0);
    expect(b.calls('nessuscli')).toEqual([
      [
        'managed',
        'link',
        `--key=${TEST_KEY}`,
        '--name=prod-scanners-4',
        '--host=fedcloud.tenable.com',
        '--port=443',
        '--aws-scanner',
        '--proxy-host=10.0.0.5',
        '--proxy-port=8080',
        '--proxy-username=svc-nessus',
        `--proxy-password=${TEST_PROXY_PASSWORD}`,
        '--proxy-agent=Mozilla/5.0 (Nessus)',
      ],
    ]);
    expect(b.phases.map((l) => l.split(' ')[1])).toEqual(['start', 'os-update', 'key-fetched', 'link-ok', 'nessusd-started']);
    expect(b.lines('yum.calls')).toEqual(['update -y']);
    expectNoSecrets(b, TEST_KEY, TEST_PROXY_PASSWORD);
  });
});

describe('the rendered standalone script, run with bash and stand-ins', () => {
  it('registers with the activation code and starts nessusd', () => {
    const b = boot(renderStandaloneScript(standaloneInput({ activationCode: { kind: 'embedded', key: new Secret(TEST_CODE) } })));
    expect(b.stderr).toBe('');
    expect(b.status).toBe(0);
    expect(b.calls('nessuscli')).toEqual([['fetch', '--register', TEST_CODE]]);
    expect(b.phases.map((l) => l.split(' ')[1])).toEqual(['start', 'key-fetched', 'activate-ok', 'nessusd-started']);
    expect(b.lines('service.calls')).toEqual(['nessusd stop', 'nessusd start']);
    expectNoSecrets(b, TEST_CODE);
  });

  it('reports activate-failed when registration keeps failing', () => {
    const b = boot(renderStandaloneScript(standaloneInput()), { FAKE_NESSUSCLI_EXIT: '1' });
    expect(b.status).toBe(1);
    expect(b.calls('nessuscli')).toHaveLength(5);
    expect(b.phases.at(-1)).toMatch(/^nessus-byol-bootstrap: activate-failed nessuscli exited 1 after 5 attempts/);
    expectNoSecrets(b, TEST_KEY);
  });
});
