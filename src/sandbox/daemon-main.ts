/**
 * Entry of the detached sandbox process (`sandbox start` spawns `node <this file> --state-dir …`).
 * Build it as its own entry point: importing it runs the daemon.
 */
import { parseDaemonArgs, runSandboxDaemon } from './daemon.js';

runSandboxDaemon(parseDaemonArgs(process.argv.slice(2)))
  .catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  })
  // A detached process of its own: exit even if a stray handle (a socket in keep-alive) lingers.
  .finally(() => process.exit());
