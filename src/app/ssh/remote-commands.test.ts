import { has } from '../../../test/helpers/tools.js';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { linkArgs, linkArgsToShell } from '../../bootstrap/link-args.js';
import type { LinkTarget, Proxy } from '../../bootstrap/types.js';
import {
  activateScript,
  asRoot,
  followScript,
  linkScript,
  linkSecretsOrder,
  REMOTE_LOGS,
  statusScript,
  tailScript,
} from './remote-commands.js';

const HAS_SHELLCHECK = has('shellcheck');

const proxy: Proxy = {
  host: 'proxy.example.com',
  port: 3128,
  username: 'scan',
  password: { kind: 'ssm', parameter: '/nessus/proxy-password', region: 'us-east-1' },
  agent: 'Nessus',
};

const variants: Array<{ label: string; target: LinkTarget; awsScanner: boolean; proxy?: Proxy; reset: boolean }> = [
  { label: 'cloud', target: { kind: 'cloud' }, awsScanner: false, reset: false },
  { label: 'cloud --aws-scanner relink', target: { kind: 'cloud' }, awsScanner: true, reset: true },
  { label: 'fedramp', target: { kind: 'fedramp' }, awsScanner: false, reset: false },
  {
    label: 'custom + proxy',
    target: { kind: 'custom', host: 'tenable.example.com', port: 8443 },
    awsScanner: false,
    proxy,
    reset: true,
  },
];

function shellcheck(script: string, exclude: string[] = []): string {
  const r = spawnSync('shellcheck', ['-s', 'sh', ...(exclude.length ? ['-e', exclude.join(',')] : []), '-'], {
    input: script,
    encoding: 'utf8',
  });
  return r.status === 0 ? '' : r.stdout;
}

describe('remote commands', () => {
  it.each(variants)(
    'link ($label) uses the flags linkArgs gives, reads the key from stdin and holds no secret',
    (v) => {
      const script = linkScript({ name: 'scanner-1', ...v });
      const flags = linkArgsToShell(linkArgs(v.target, v.awsScanner, v.proxy), {
        secret: () => '"$PROXY_PASSWORD"',
      }).join(' ');
      expect(script).toContain(`"$NESSUSCLI" managed link --key="$KEY" --name='scanner-1' ${flags} </dev/null`);
      expect(script).toContain('IFS= read -r KEY');
      expect(script).toContain('NESSUSCLI="${NESSUS_BYOL_NESSUSCLI:-/opt/nessus/sbin/nessuscli}"');
      expect(script.indexOf('service nessusd stop')).toBeLessThan(script.indexOf('managed link'));
      expect(script.indexOf('managed link')).toBeLessThan(script.indexOf('service nessusd start'));
      expect(script.includes('fix --reset-all')).toBe(v.reset);
      if (v.reset) expect(script.indexOf('fix --reset-all')).toBeLessThan(script.indexOf('managed link'));
      if (v.proxy) {
        expect(script).toContain('IFS= read -r PROXY_PASSWORD');
        expect(script).toContain('--proxy-password="$PROXY_PASSWORD"');
      }
      expect(linkSecretsOrder(v)).toEqual(v.proxy ? ['key', 'proxyPassword'] : ['key']);
    },
  );

  it('fedramp links to fedcloud.tenable.com:443', () => {
    expect(linkScript({ name: 'n', target: { kind: 'fedramp' }, awsScanner: false, reset: false })).toContain(
      "--host='fedcloud.tenable.com' --port='443'",
    );
  });

  it('activate reads the code from stdin', () => {
    const s = activateScript();
    expect(s).toContain('IFS= read -r CODE');
    expect(s).toContain('"$NESSUSCLI" fetch --register "$CODE"');
  });

  it('asRoot runs the script directly as root, else with sudo -n, the script quoted as one word', () => {
    const cmd = asRoot("echo 'hi'");
    expect(cmd).toBe(
      `S='echo '\\''hi'\\'''; if [ "$(id -u)" -eq 0 ]; then exec /bin/sh -c "$S"; fi; exec sudo -n /bin/sh -c "$S"`,
    );
    const r = spawnSync('/bin/sh', ['-c', asRoot('printf "%s" "$((6*7))"')], { encoding: 'utf8' });
    if (process.getuid?.() === 0) expect(r.stdout).toBe('42');
  });

  it('scripts are valid sh', () => {
    for (const s of [
      statusScript(),
      activateScript(),
      followScript(10),
      ...REMOTE_LOGS.map((l) => tailScript(l, 5)),
      ...variants.map((v) => linkScript({ name: 'n', ...v })),
    ]) {
      const r = spawnSync('/bin/sh', ['-n'], { input: s, encoding: 'utf8' });
      expect(r.status, `${r.stderr}\n${s}`).toBe(0);
    }
  });

  it.skipIf(!HAS_SHELLCHECK)('scripts pass shellcheck', () => {
    for (const s of [
      statusScript(),
      activateScript(),
      followScript(10),
      ...REMOTE_LOGS.map((l) => tailScript(l, 5)),
      ...variants.map((v) => linkScript({ name: 'n', ...v })),
    ]) {
      expect(shellcheck(s)).toBe('');
      // The wrapper single-quotes the script on purpose (SC2016): it expands on the remote side.
      expect(shellcheck(asRoot(s), ['SC2016'])).toBe('');
    }
  });

  it('the link script links with a key given on stdin and never echoes it', () => {
    const key = 'k'.repeat(64);
    const fake = `#!/bin/sh\nprintf '%s\\n' "$*" >>"$LOG"\n`;
    const dir = spawnSync('mktemp', ['-d'], { encoding: 'utf8' }).stdout.trim();
    spawnSync('/bin/sh', [
      '-c',
      `printf '%s' '${fake.replace(/'/g, `'\\''`)}' >"${dir}/nessuscli"; chmod +x "${dir}/nessuscli"; cp "${dir}/nessuscli" "${dir}/service"`,
    ]);
    const r = spawnSync(
      '/bin/sh',
      ['-c', linkScript({ name: 'scanner-1', target: { kind: 'cloud' }, awsScanner: false, reset: true })],
      {
        input: `${key}\n`,
        encoding: 'utf8',
        env: { PATH: `${dir}:/usr/bin:/bin`, NESSUS_BYOL_NESSUSCLI: `${dir}/nessuscli`, LOG: `${dir}/log` },
      },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(key);
    expect(
      spawnSync('cat', [`${dir}/log`], { encoding: 'utf8' })
        .stdout.trim()
        .split('\n'),
    ).toEqual([
      'nessusd stop',
      'fix --reset-all',
      `managed link --key=${key} --name=scanner-1 --cloud`,
      'nessusd start',
    ]);
    expect(r.stdout).toContain('nessus-byol-ssh: link-ok');
  });
});
