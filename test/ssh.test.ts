import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeStandIns, readStandInLog } from '../src/sandbox/stand-ins/index.js';
import { startTenableSimulator, type TenableSimulator } from '../src/sandbox/tenable-simulator.js';
import { BIN, cliEnv, expectNoStackTrace, parseSingleJson, runCli } from './helpers/cli.js';
import { HAS_SSHD, readCommandLog, startSshd, type TestSshd } from './helpers/sshd.js';

const LINKING_KEY = `lk${'7f3a9c'.repeat(10)}e1`;
const ACTIVATION_CODE = 'ABCD-EFGH-IJKL-MNOP-QRST';
const ACCESS_KEY = 'a'.repeat(64);
const SECRET_KEY = 'b'.repeat(64);
const NAME = 'ssh-test-scanner-1';

/**
 * A stand-in `nessuscli` wrapper: before running the sandbox stand-in, it looks for the secret it
 * was given (--key=… or fetch --register <code>) in the argv and environment of every other
 * process on this machine — the local CLI, sshd, the remote login shell, sh -c — and records any hit.
 */
const LEAK_CHECKER = `#!/bin/bash
secret=""
for a in "$@"; do case "$a" in --key=*) secret="\${a#--key=}" ;; esac; done
[ "\${1:-} \${2:-}" = "fetch --register" ] && secret="\${3:-}"
if [ -n "$secret" ]; then
  for p in /proc/[0-9]*; do
    pid="\${p#/proc/}"
    [ "$pid" = "$$" ] && continue
    for f in cmdline environ; do
      if tr '\\0' '\\n' <"$p/$f" 2>/dev/null | grep -qF -- "$secret"; then
        printf '%s %s %s\\n' "$pid" "$f" "$(tr '\\0' ' ' <"$p/cmdline" 2>/dev/null | cut -c1-200)" >>"$NESSUS_BYOL_TEST_LEAKS"
      fi
    done
  done
  echo checked >>"$NESSUS_BYOL_TEST_LEAKS.checks"
fi
exec "$(dirname "$0")/nessuscli-standin" "$@"
`;

describe.skipIf(!HAS_SSHD)('nessus-byol ssh against a real sshd', () => {
  let sshd: TestSshd;
  let sim: TenableSimulator;
  let work: string;
  let fleet: string;
  let standInLog: string;
  let leaks: string;
  let configDir: string;
  let remoteLogs: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'nessus-byol-ssh-test-'));
    sim = await startTenableSimulator({
      accessKey: ACCESS_KEY,
      secretKey: SECRET_KEY,
      linkingKey: LINKING_KEY,
      pluginLoadDelayMs: 0,
    });
    const bin = join(work, 'bin');
    writeStandIns(bin);
    renameSync(join(bin, 'nessuscli'), join(bin, 'nessuscli-standin'));
    writeFileSync(join(bin, 'nessuscli'), LEAK_CHECKER, { mode: 0o755 });
    standInLog = join(work, 'scanner', 'standin.log');
    leaks = join(work, 'leaks.log');
    remoteLogs = join(work, 'scanner', 'logs');
    mkdirSync(remoteLogs, { recursive: true });
    writeFileSync(join(remoteLogs, 'nessusd.messages'), 'nessusd started\nplugins loaded\n');
    writeFileSync(join(remoteLogs, 'backend.log'), 'backend line 1\nbackend line 2\nbackend line 3\n');
    writeFileSync(
      join(work, 'scanner', 'bootstrap.log'),
      'nessus-byol-bootstrap: start\nnessus-byol-bootstrap: link-ok\n',
    );
    const plugins = join(work, 'scanner', 'plugins');
    mkdirSync(plugins, { recursive: true });
    writeFileSync(
      join(plugins, 'plugin_feed_info.inc'),
      'PLUGIN_SET = "202501020304";\nPLUGIN_FEED = "ProfessionalFeed (Direct)";\n',
    );
    sshd = await startSshd({
      env: {
        PATH: `${bin}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
        NESSUS_BYOL_NESSUSCLI: join(bin, 'nessuscli'),
        NESSUS_BYOL_STANDIN_LOG: standInLog,
        NESSUS_BYOL_SIM_URL: sim.url,
        NESSUS_BYOL_HOSTNAME: 'scanner-host',
        NESSUS_BYOL_PLUGINS_DIR: plugins,
        NESSUS_BYOL_NESSUS_LOG_DIR: remoteLogs,
        NESSUS_BYOL_LOG_FILE: join(work, 'scanner', 'bootstrap.log'),
        NESSUS_BYOL_TEST_LEAKS: leaks,
      },
    });
    fleet = join(work, 'fleet.yaml');
    writeFileSync(
      fleet,
      [
        'version: 1',
        'fleet: ssh-test',
        'region: us-east-1',
        'tenable: { site: cloud }',
        'link:',
        '  method: bootstrap',
        '  key: { from: env }',
        'access: { keyPair: create }',
        '',
      ].join('\n'),
    );
    configDir = join(work, 'config');
  });

  afterAll(async () => {
    await sshd?.stop();
    await sim?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const args = (op: string, ...more: string[]) => [
    'ssh',
    NAME,
    op,
    '-f',
    fleet,
    '--host',
    '127.0.0.1',
    '--port',
    String(sshd.port),
    '--user',
    sshd.user,
    '--identity',
    sshd.userKey,
    ...more,
  ];
  const env = (extra: Record<string, string | undefined> = {}) => ({
    NESSUS_BYOL_CONFIG_DIR: configDir,
    NESSUS_LINKING_KEY: LINKING_KEY,
    NESSUS_BYOL_TENABLE_API_URL: sim.url,
    TIO_ACCESS_KEY: ACCESS_KEY,
    TIO_SECRET_KEY: SECRET_KEY,
    SSH_AUTH_SOCK: undefined,
    ...extra,
  });
  const knownHosts = () => join(configDir, 'known_hosts');
  const calls = () => readStandInLog(standInLog).map((c) => [c.tool, ...c.argv].join(' '));
  /**
   * Processes other than the stand-in itself that held the secret. The operator hands the CLI its
   * secret through its own environment (NESSUS_LINKING_KEY / NESSUS_ACTIVATION_CODE), so that one
   * hit is expected; any argv hit, or any remote process's environment, is a leak.
   */
  const leaksOutsideTheCliEnvironment = () =>
    (existsSync(leaks) ? readFileSync(leaks, 'utf8') : '')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .filter((l) => !(l.split(' ')[1] === 'environ' && l.includes(BIN)));
  const expectNoSecret = (text: string) => {
    expect(text).not.toContain(LINKING_KEY);
    expect(text).not.toContain(ACTIVATION_CODE);
  };

  it('status: first connection records the host key (TOFU) and shows its SHA256 fingerprint', async () => {
    expect(existsSync(knownHosts())).toBe(false);
    const r = await runCli(args('status'), { env: env() });
    expectNoStackTrace(r.stderr);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('first connection');
    expect(r.stderr).toContain(sshd.hostKeyFingerprint());
    expect(readFileSync(knownHosts(), 'utf8')).toMatch(
      new RegExp(`^\\[127\\.0\\.0\\.1\\]:${sshd.port} ssh-ed25519 AAAA`, 'm'),
    );
    expect(r.stdout).toContain('not linked');
    expect(r.stdout).toContain('nessusd:  running');
    expect(r.stdout).toContain('10.8.3');
    expect(r.stdout).toContain('plugin set 202501020304');
    expect(calls()).toEqual(['nessuscli managed status', 'service nessusd status', 'nessuscli -v']);
  });

  it('status --json: one document; a known host key is not announced again', async () => {
    const r = await runCli([...args('status'), '--json'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('first connection');
    const doc = parseSingleJson(r.stdout);
    expect(doc).toMatchObject({
      ok: true,
      operation: 'status',
      scanner: { name: NAME },
      status: { linked: false, service: 'running', version: '10.8.3', pluginSet: '202501020304' },
    });
  });

  it('link: stops nessusd, links with the fleet flags, starts nessusd, confirms through the Tenable API — the key only ever on stdin', async () => {
    const before = readStandInLog(standInLog).length;
    const execBefore = readCommandLog(sshd.commandLog).length;
    const cliArgs = args('link');
    expect(cliArgs.join(' ')).not.toContain(LINKING_KEY);
    const r = await runCli(cliArgs, { env: env() });
    expectNoStackTrace(r.stderr);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Tenable shows it linked');
    expect(r.stderr).toContain('managed link --key=**** --name=');
    expectNoSecret(r.stdout + r.stderr);

    const linkCalls = calls().slice(before);
    expect(linkCalls).toEqual([
      'service nessusd stop',
      `nessuscli managed link --key=${LINKING_KEY} --name=${NAME} --cloud`,
      'service nessusd start',
    ]);
    expect(sim.state.linkCalls.at(-1)).toMatchObject({ name: NAME, outcome: 'linked', cloud: true });
    expect(sim.requests.filter((q) => q.method === 'GET' && q.path === '/scanners')).toHaveLength(1);

    // What sshd received as the exec request (= the remote login shell's `-c` argument).
    const execs = readCommandLog(sshd.commandLog).slice(execBefore);
    expect(execs).toHaveLength(1);
    expect(execs[0]).toContain('IFS= read -r KEY');
    expect(execs[0]).toContain('managed link --key="$KEY"');
    for (const e of execs) expectNoSecret(e);
    // sshd's DEBUG3 log.
    expectNoSecret(readFileSync(sshd.logFile, 'utf8'));
    // No other process on the machine (local CLI, sshd, login shell, sh -c) had the key in argv or environment.
    expect(existsSync(`${leaks}.checks`)).toBe(true);
    expect(leaksOutsideTheCliEnvironment()).toEqual([]);
  });

  it('status after the link shows it linked', async () => {
    const r = await runCli(args('status'), { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('linked to cloud.tenable.com:443');
  });

  it('relink: nessuscli fix --reset-all first, then the same link line', async () => {
    const before = readStandInLog(standInLog).length;
    const r = await runCli([...args('relink'), '--json'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    const doc = parseSingleJson(r.stdout);
    expect(doc).toMatchObject({
      ok: true,
      operation: 'relink',
      linked: true,
      confirmed: true,
      tenable: { status: 'on' },
    });
    expect(calls().slice(before)).toEqual([
      'service nessusd stop',
      'nessuscli fix --reset-all',
      `nessuscli managed link --key=${LINKING_KEY} --name=${NAME} --cloud`,
      'service nessusd start',
    ]);
    expectNoSecret(r.stdout + r.stderr);
  });

  it('link without Tenable keys fails before touching the scanner, naming the keys and --no-confirm', async () => {
    const execBefore = readCommandLog(sshd.commandLog).length;
    const r = await runCli(args('link'), { env: env({ TIO_ACCESS_KEY: undefined, TIO_SECRET_KEY: undefined }) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('TIO_ACCESS_KEY');
    expect(r.stderr).toContain('--no-confirm');
    expect(readCommandLog(sshd.commandLog)).toHaveLength(execBefore);
  });

  it('link --no-confirm works without Tenable keys and says it did not confirm', async () => {
    const r = await runCli([...args('link'), '--no-confirm'], {
      env: env({ TIO_ACCESS_KEY: undefined, TIO_SECRET_KEY: undefined }),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('--no-confirm');
    expect(r.stdout).toContain('not confirmed');
  });

  it('a refused link exits 1, leaves nessusd stopped like the bootstrap, and never shows the key', async () => {
    const wrong = `wrong${'9'.repeat(40)}`;
    const before = readStandInLog(standInLog).length;
    const r = await runCli(args('link'), { env: env({ NESSUS_LINKING_KEY: wrong }) });
    expectNoStackTrace(r.stderr);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('nessusd left stopped');
    expect(r.stderr).toContain(`nessus-byol ssh ${NAME} logs -f`);
    expect(r.stdout + r.stderr).not.toContain(wrong);
    expect(calls().slice(before)).toEqual([
      'service nessusd stop',
      `nessuscli managed link --key=${wrong} --name=${NAME} --cloud`,
    ]);
  });

  it('activate: nessuscli fetch --register with the code from NESSUS_ACTIVATION_CODE, over stdin', async () => {
    const before = readStandInLog(standInLog).length;
    const execBefore = readCommandLog(sshd.commandLog).length;
    const r = await runCli(args('activate'), { env: env({ NESSUS_ACTIVATION_CODE: ACTIVATION_CODE }) });
    expect(r.code, r.stderr).toBe(0);
    expect(calls().slice(before)).toEqual([
      'service nessusd stop',
      `nessuscli fetch --register ${ACTIVATION_CODE}`,
      'service nessusd start',
    ]);
    const execs = readCommandLog(sshd.commandLog).slice(execBefore);
    expect(execs[0]).toContain('IFS= read -r CODE');
    for (const e of execs) expectNoSecret(e);
    expectNoSecret(r.stdout + r.stderr);
    expectNoSecret(readFileSync(sshd.logFile, 'utf8'));
    expect(leaksOutsideTheCliEnvironment()).toEqual([]);
  });

  it('activate without a code source exits 2 naming NESSUS_ACTIVATION_CODE', async () => {
    const r = await runCli(args('activate'), { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('NESSUS_ACTIVATION_CODE');
  });

  it('logs: fetches the bootstrap log and the Nessus log tails into --out; a missing log is reported', async () => {
    const out = join(work, 'fetched');
    const r = await runCli([...args('logs'), '--out', out, '--lines', '2', '--json'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    const doc = parseSingleJson(r.stdout) as { files: Array<{ remote: string; local?: string; missing?: boolean }> };
    expect(readFileSync(join(out, 'nessus-byol-bootstrap.log'), 'utf8')).toBe(
      'nessus-byol-bootstrap: start\nnessus-byol-bootstrap: link-ok\n',
    );
    expect(readFileSync(join(out, 'nessusd.messages'), 'utf8')).toBe('nessusd started\nplugins loaded\n');
    expect(readFileSync(join(out, 'backend.log'), 'utf8')).toBe('backend line 2\nbackend line 3\n');
    expect(doc.files.find((f) => f.remote.endsWith('nessuscli.log'))).toMatchObject({ missing: true });
    expect(existsSync(join(out, 'nessuscli.log'))).toBe(false);
  });

  it('logs: defaults to ./nessus-byol-logs/<scanner>/', async () => {
    const cwd = join(work, 'cwd');
    mkdirSync(cwd, { recursive: true });
    const r = await runCli(args('logs'), { env: env(), cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(cwd, 'nessus-byol-logs', NAME, 'backend.log'))).toBe(true);
  });

  it('logs --follow streams until Ctrl-C (exit 130)', async () => {
    const child = spawn(process.execPath, [BIN, ...args('logs'), '--follow', '--lines', '5'], {
      env: cliEnv(env()),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    const deadline = Date.now() + 15_000;
    while (!stdout.includes('backend line 3') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    writeFileSync(join(remoteLogs, 'nessusd.messages'), 'nessusd started\nplugins loaded\nappended later\n');
    while (!stdout.includes('appended later') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const closed = new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const code = await closed;
    clearTimeout(timer);
    expect(stdout).toContain('backend line 3');
    expect(stdout).toContain('appended later');
    expect(code).toBe(130);
  });

  it('run: passes output through; a non-zero exit is an error carrying it', async () => {
    const ok = await runCli([...args('run'), '--', 'echo', 'hello from', '$(hostname)'], { env: env() });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^hello from \S+/);
    const bad = await runCli([...args('run'), '--json', '--', 'echo out; echo err >&2; exit 3'], { env: env() });
    expect(bad.code).toBe(1);
    const doc = parseSingleJson(bad.stdout);
    expect(doc).toMatchObject({
      ok: false,
      error: { code: 'REMOTE_EXIT', exitCode: 3, stdout: 'out\n', stderr: 'err\n' },
    });
    expect(String((doc.error as { message: string }).message)).toContain('exited 3');
  });

  it('run without a command is a usage error (exit 2)', async () => {
    const r = await runCli(args('run'), { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('needs a command');
  });

  it('a changed host key is refused with a clear message; --accept-new-host-key replaces it', async () => {
    const old = sshd.hostKeyFingerprint();
    await sshd.restart({ newHostKey: true });
    const now = sshd.hostKeyFingerprint();
    expect(now).not.toBe(old);
    const execBefore = readCommandLog(sshd.commandLog).length;

    const refused = await runCli(args('status'), { env: env() });
    expectNoStackTrace(refused.stderr);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('host key');
    expect(refused.stderr).toContain('has changed');
    expect(refused.stderr).toContain(now);
    expect(refused.stderr).toContain(old);
    expect(refused.stderr).toContain('--accept-new-host-key');
    expect(readCommandLog(sshd.commandLog)).toHaveLength(execBefore);

    const accepted = await runCli([...args('status'), '--accept-new-host-key'], { env: env() });
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(accepted.stderr).toContain(now);
    const lines = readFileSync(knownHosts(), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1);

    const again = await runCli(args('status'), { env: env() });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toContain('first connection');
  });

  it('--jump reaches the scanner through a bastion (a direct-tcpip channel over the first connection)', async () => {
    const before = readFileSync(sshd.logFile, 'utf8').split('direct-tcpip').length;
    const r = await runCli([...args('status'), '--jump', `${sshd.user}@127.0.0.1:${sshd.port}`], { env: env() });
    expectNoStackTrace(r.stderr);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`via ${sshd.user}@127.0.0.1:${sshd.port}`);
    expect(readFileSync(sshd.logFile, 'utf8').split('direct-tcpip').length).toBeGreaterThan(before);
  });

  it('an unauthorized key is refused with a hint (exit 1)', async () => {
    const other = join(work, 'other_key');
    const r0 = spawn('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
    await new Promise((r) => r0.on('close', r));
    const a = args('status');
    a[a.indexOf('--identity') + 1] = other;
    const r = await runCli(a, { env: env() });
    expectNoStackTrace(r.stderr);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('refused the SSH key');
  });
});
