import { has } from './helpers/tools.js';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_URL } from '../src/config/schema.js';
import { startSandbox, type Sandbox } from '../src/sandbox/sandbox.js';
import { BIN, cliEnv, runCli } from './helpers/cli.js';

const SOCKET = `nb-wizard-${process.pid}`;
const tmux = (...args: string[]) => spawnSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
const HAS_TMUX = has('tmux');
const sh = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The whole pane history, wrapped lines joined. */
const pane = (session: string) => tmux('capture-pane', '-p', '-J', '-S', '-', '-t', session).stdout;

async function waitFor(session: string, re: RegExp, timeoutMs = 90_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const text = pane(session);
    if (re.test(text)) return text;
    if (Date.now() > end) throw new Error(`timed out waiting for ${re}; the pane shows:\n${text}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Answers the prompt whose question matches `question` once it is on screen. */
async function answer(session: string, question: RegExp, ...keys: string[]): Promise<void> {
  await waitFor(session, new RegExp(`\\? ${question.source}`));
  for (const k of keys) tmux('send-keys', '-t', session, ...(k === 'Enter' || k === 'C-c' || k === 'C-u' ? [k] : ['-l', k]));
  await new Promise((r) => setTimeout(r, 150));
  if (!keys.includes('C-c')) await waitFor(session, new RegExp(`✔ ${question.source}`));
}

/** Starts the built CLI in a 200×50 pseudo-terminal, with this environment, in `dir`. */
function startInTmux(session: string, dir: string, args: string[], env: Record<string, string>): void {
  const script = join(dir, `${session}.sh`);
  const exports = Object.entries(cliEnv({ CI: undefined, ...env }))
    .filter(([k]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k))
    .map(([k, v]) => `export ${k}=${sh(v ?? '')}`)
    .join('\n');
  writeFileSync(script, `${exports}\ncd ${sh(dir)}\n${sh(process.execPath)} ${sh(BIN)} ${args.map(sh).join(' ')}\necho "EXIT=$?"\nsleep 600\n`);
  const r = tmux('new-session', '-d', '-s', session, '-x', '200', '-y', '50', `bash ${sh(script)}`);
  if (r.status !== 0) throw new Error(`tmux failed: ${r.stderr}`);
}

describe.skipIf(!HAS_TMUX)('the wizard in a terminal (tmux) against the sandbox', () => {
  let sandbox: Sandbox;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wiz-e2e-'));
    sandbox = await startSandbox({ stateDir: join(dir, 'sandbox') });
  }, 180_000);

  afterAll(async () => {
    tmux('kill-server');
    await sandbox?.stop();
  }, 60_000);

  it('init: from nothing to a saved fleet.yaml whose `plan -f` equals the reviewed plan', async () => {
    const s = 'init';
    const key = sandbox.tenable.linkingKey;
    startInTmux(s, dir, ['init'], { ...sandbox.env, HOME: dir });
    await waitFor(s, /\? Fleet name/);
    tmux('send-keys', '-t', s, '-l', 'Bad_Name');
    tmux('send-keys', '-t', s, 'Enter');
    await waitFor(s, /lowercase letters, digits and dashes/);
    tmux('send-keys', '-t', s, 'C-u');
    await answer(s, /Fleet name/, 'wiz-e2e', 'Enter');
    await answer(s, /AWS region/, 'Enter');
    await answer(s, /VPC for the scanners/, 'Enter');
    await answer(s, /Subnets to spread/, 'Enter');
    await answer(s, /Tenable Vulnerability Management site/, 'Enter');
    await waitFor(s, /TIO_ACCESS_KEY\/TIO_SECRET_KEY work/);
    await answer(s, /How the scanners link/, 'Enter');
    // "paste it now" is the 4th choice.
    await waitFor(s, /\? Where the linking key comes from/);
    for (let i = 0; i < 3; i++) tmux('send-keys', '-t', s, 'Down');
    await answer(s, /Where the linking key comes from/, 'Enter');
    await answer(s, /Linking key/, key, 'Enter');
    await waitFor(s, /Scanner groups/);
    await answer(s, /Scanner groups/, 'Enter');
    await answer(s, /EC2 instance type/, 'Enter');
    await answer(s, /Number of scanners/, 'C-u', '2', 'Enter');
    await answer(s, /Root volume size/, 'Enter');
    await answer(s, /CIDRs allowed to reach port 8834/, '203.0.113.0/24', 'Enter');
    await answer(s, /CIDRs allowed to reach port 22/, 'Enter');
    await answer(s, /SSH key pair/, 'Enter');
    await answer(s, /Extra tags/, 'Owner=secops', 'Enter');
    const review = await waitFor(s, /\? What now\?/, 120_000);
    await answer(s, /What now\?/, 'Enter');
    const end = await waitFor(s, /EXIT=\d+/);
    expect(end).toMatch(/EXIT=0/);
    expect(end).not.toContain(key);

    const file = join(dir, 'fleet.yaml');
    const text = readFileSync(file, 'utf8');
    expect(text.split('\n')[0]).toBe(`# yaml-language-server: $schema=${SCHEMA_URL}`);
    expect(text).not.toContain(key);
    expect(text).toContain('NESSUS_LINKING_KEY');
    expect(parse(text)).toMatchObject({
      version: 1,
      fleet: 'wiz-e2e',
      region: 'us-east-1',
      tenable: { site: 'cloud' },
      scanners: { instanceType: 'm5.xlarge', count: 2, volume: { sizeGiB: 50 } },
      link: { method: 'bootstrap', key: { from: 'env' } },
      network: { allowUiFrom: ['203.0.113.0/24'], allowSshFrom: [] },
      access: { keyPair: 'none' },
      tags: { Owner: 'secops' },
    });

    const reviewed = review.slice(review.indexOf('Plan for fleet'), review.lastIndexOf('? What now?'));
    const plan = await runCli(['plan', '-f', file, '--no-user-data'], { env: { ...sandbox.env, HOME: dir }, timeoutMs: 90_000 });
    expect(plan.code, plan.stderr).toBe(0);
    const norm = (t: string) => t.split('\n').map((l) => l.trimEnd()).join('\n').trim();
    expect(norm(reviewed)).toBe(norm(plan.stdout));
    expect(norm(plan.stdout)).toContain('inbound:  tcp/8834 203.0.113.0/24');
  }, 300_000);

  it('Ctrl-C at a prompt exits 130 and writes nothing', async () => {
    const s = 'ctrlc';
    const sub = mkdtempSync(join(dir, 'ctrlc-'));
    startInTmux(s, sub, ['init'], { ...sandbox.env, HOME: dir });
    await answer(s, /Fleet name/, 'wiz-ctrlc', 'Enter');
    await answer(s, /AWS region/, 'C-c');
    expect(await waitFor(s, /EXIT=\d+/)).toMatch(/EXIT=130/);
    expect(existsSync(join(sub, 'fleet.yaml'))).toBe(false);
  }, 120_000);
});

describe('the wizard without a terminal', () => {
  it.each([[[]], [['init']]])('`nessus-byol %j` refuses with exit 2 and names the command to use', async (args) => {
    const r = await runCli(args as string[], { timeoutMs: 30_000 });
    expect(r.timedOut).toBe(false);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no terminal');
    expect(r.stderr).toContain('nessus-byol up -f fleet.yaml --yes');
  });
});
