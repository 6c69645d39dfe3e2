import { startTenableSimulator } from './tenable-simulator.js';

/**
 * Runs the Tenable simulator as its own process for the sandbox. Configured from the environment;
 * prints one JSON line `{"url":…}` on stdout once listening; stops on SIGTERM/SIGINT.
 */
function required(name: string): string {
  const v = process.env[name];
  if (!v) {
    console.error(`tenable-simulator: ${name} is not set`);
    process.exit(2);
  }
  return v;
}

const delay = process.env.SIM_PLUGIN_DELAY_MS;
const sim = await startTenableSimulator({
  port: Number(process.env.SIM_PORT ?? 0) || 0,
  accessKey: required('SIM_ACCESS_KEY'),
  secretKey: required('SIM_SECRET_KEY'),
  linkingKey: required('SIM_LINKING_KEY'),
  ...(delay ? { pluginLoadDelayMs: Number(delay) } : {}),
});
process.stdout.write(`${JSON.stringify({ url: sim.url })}\n`);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  void sim.stop().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
