#!/usr/bin/env node
// The published `bin`: checks the Node version before the bundle (which may use newer syntax and
// APIs) is imported. Deliberately tiny and free of imports so that an old Node can parse and run it.
// `--help` and `--version` still work on an old Node, with a one-line warning; every other command
// exits 2 (missing required environment) naming the Node it needs.
const REQUIRED = [22, 13] as const;
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);

if (major < REQUIRED[0] || (major === REQUIRED[0] && minor < REQUIRED[1])) {
  const args = process.argv.slice(2);
  const infoOnly = args[0] === 'help' || args.some((a) => a === '--help' || a === '-h' || a === '--version' || a === '-V');
  const needed = `Node >= ${REQUIRED.join('.')} (22 or 24)`;
  if (!infoOnly) {
    const message = `missing required environment: nessus-byol needs ${needed}; this is Node ${process.versions.node}.`;
    const hint = 'install Node 22 (e.g. `nvm install 22`, or your package manager\u2019s nodejs 22), then run the command again';
    if (args.includes('--json')) process.stdout.write(`${JSON.stringify({ ok: false, error: { code: 'NODE_VERSION', message, hint } }, null, 2)}\n`);
    process.stderr.write(`Error: ${message}\n  hint: ${hint}\n`);
    process.exit(2);
  }
  process.stderr.write(`warning: nessus-byol needs ${needed}; this is Node ${process.versions.node}. Only --help and --version work here.\n`);
}

await import('./bin.js');
