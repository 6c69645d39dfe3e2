// `npm run demo`: starts the embedded sandbox, provisions a 3-scanner fleet with live progress,
// shows it linked and ready, scans its VPC (severity table), removes it and stops the sandbox. No
// cloud account needed; nothing leaves 127.0.0.1.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const bin = join(root, 'dist', 'bin.js');
const fleet = join(root, 'examples', 'sandbox-demo.yaml');
const stateDir = mkdtempSync(join(tmpdir(), 'nessus-byol-demo-'));
const baseEnv = { ...process.env };

const color = Boolean(process.stderr.isTTY) && !process.env.NO_COLOR;
const bold = (t) => (color ? `\x1b[1m${t}\x1b[0m` : t);
const dim = (t) => (color ? `\x1b[2m${t}\x1b[0m` : t);

function say(text) {
  process.stderr.write(`\n${bold(`▶ ${text}`)}\n`);
}

function run(args, env, { capture = false } = {}) {
  process.stderr.write(`${dim(`$ nessus-byol ${args.join(' ')}`)}\n`);
  const r = spawnSync(process.execPath, [bin, ...args], { env, stdio: capture ? ['ignore', 'pipe', 'inherit'] : 'inherit', encoding: 'utf8', cwd: root });
  if (r.error) throw r.error;
  return r;
}

let sandboxEnv;
let code = 0;
try {
  say('Starting the embedded sandbox (moto_server + Tenable API simulator + boot watcher)');
  const started = run(['sandbox', 'start', '--state-dir', stateDir, '--json'], baseEnv, { capture: true });
  if (started.status !== 0) process.exit(started.status ?? 1);
  sandboxEnv = { ...baseEnv, ...JSON.parse(started.stdout).env };

  say('Provisioning 3 Nessus scanners and waiting until Tenable shows them linked and ready');
  const up = run(['up', '-f', fleet, '--yes'], sandboxEnv);
  if (up.status !== 0) throw Object.assign(new Error('up failed'), { exitCode: up.status });

  say('The fleet as AWS and Tenable see it');
  const status = run(['status', '-f', fleet], sandboxEnv);
  if (status.status !== 0) throw Object.assign(new Error('status failed'), { exitCode: status.status });

  say("Scanning the fleet's VPC with its own scanners (simulated findings) and showing the severity table");
  const scan = run(['scan', '-f', fleet, '--yes'], sandboxEnv);
  if (scan.status !== 0) throw Object.assign(new Error('scan failed'), { exitCode: scan.status });

  say('Removing everything the fleet created (instances, Tenable records, security group, role, parameter)');
  const down = run(['down', '-f', fleet, '--yes'], sandboxEnv);
  if (down.status !== 0) throw Object.assign(new Error('down failed'), { exitCode: down.status });
  say('Done: 3 scanners went from nothing to linked and ready, scanned their VPC, and were removed again.');
} catch (e) {
  code = e.exitCode ?? 1;
  process.stderr.write(`\ndemo failed: ${e.message}\n`);
} finally {
  if (sandboxEnv) run(['sandbox', 'stop', '--state-dir', stateDir], baseEnv, { capture: true });
  rmSync(stateDir, { recursive: true, force: true });
}
process.exit(code);
