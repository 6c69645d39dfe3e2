/** The embedded sandbox's public API (PRODUCT.md "Embedded sandbox"). */
export { startSandbox, randomHexKey, type Sandbox, type SandboxOptions, type SandboxTenableKeys } from './sandbox.js';
export {
  startSandboxDaemon,
  stopSandboxDaemon,
  readSandboxState,
  defaultSandboxDir,
  formatEnv,
  type SandboxState,
  type StartSandboxDaemonOptions,
  type StartedSandbox,
  type StopResult,
} from './control.js';
export type { EnvShell } from './format-env.js';
export { readSandboxConsole } from './console.js';
export { sandboxAwsEnv } from './aws-env.js';
export {
  SANDBOX_AMIS,
  MARKETPLACE_OWNER_ID,
  BYOL_PRODUCT_CODE,
  PREAUTHORIZED_PRODUCT_CODE,
  startMoto,
  prepareMotoRegion,
  MOTO_INSTALL_HINT,
  type MotoServer,
} from './moto.js';
export { startImds, type ImdsStandIn, type InstanceMetadata } from './imds.js';
export { startBootWatcher, type BootWatcher, type BootWatcherOptions, type BootRecord } from './boot-watcher.js';
export { readStandInLog, writeStandIns, type StandInCall } from './stand-ins/index.js';
export { runSandboxDaemon, parseDaemonArgs, type DaemonArgs } from './daemon.js';
