// The programs the test suites need beside Node, in one list: `npm test`'s preflight reports the
// missing ones, `.ci/run` installs them, and the suites that need one skip (reported by name at the
// end of the run) when it is missing on a developer's machine.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** @type {ReadonlyArray<{ name: string; probe: string[]; paths?: string[]; install: string; debian?: string; suites: string }>} */
export const TEST_TOOLS = [
  { name: 'shellcheck', probe: ['shellcheck', '--version'], debian: 'shellcheck', install: 'apt-get install -y shellcheck', suites: 'rendered user-data and remote scripts pass shellcheck' },
  { name: 'sshd', probe: ['sshd', '-V'], paths: ['/usr/sbin/sshd'], debian: 'openssh-server', install: 'apt-get install -y openssh-server', suites: 'ssh against a real sshd' },
  { name: 'ssh-keygen', probe: ['ssh-keygen', '-?'], debian: 'openssh-client', install: 'apt-get install -y openssh-client', suites: 'ssh host keys, ssh' },
  { name: 'tmux', probe: ['tmux', '-V'], debian: 'tmux', install: 'apt-get install -y tmux', suites: 'the wizard in a terminal' },
  { name: 'script', probe: ['script', '--version'], debian: 'bsdutils', install: 'apt-get install -y bsdutils', suites: 'terminal (TTY) behaviour of up, audit and sechub' },
  { name: 'jq', probe: ['jq', '--version'], debian: 'jq', install: 'apt-get install -y jq', suites: 'the sandbox boot (stand-in nessuscli)' },
  { name: 'curl', probe: ['curl', '--version'], debian: 'curl', install: 'apt-get install -y curl', suites: 'the sandbox boot (user-data)' },
  { name: 'aws', probe: ['aws', '--version'], debian: 'awscli', install: 'apt-get install -y awscli', suites: 'the sandbox boot (user-data reads SSM through the aws CLI)' },
  { name: 'moto_server', probe: ['moto_server', '--help'], install: 'pip install "moto[server]"', suites: 'every end-to-end suite against AWS (moto)' },
];

/** True when the tool runs (exit status is not checked: `ssh-keygen -?` exits 1 by design). */
export function hasTool(tool) {
  if (tool.paths?.some((p) => existsSync(p))) return true;
  const r = spawnSync(tool.probe[0], tool.probe.slice(1), { stdio: 'ignore', timeout: 20_000 });
  // exit code 127: a pyenv shim or `env` found no program behind it.
  return r.error === undefined && r.status !== 127;
}

export function missingTestTools() {
  return TEST_TOOLS.filter((t) => !hasTool(t));
}
