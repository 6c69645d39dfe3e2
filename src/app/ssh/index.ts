export { sshLogsCommand } from './logs-command.js';
export { SSH_OPERATIONS, type SshOperation } from './operation-names.js';
export { runSshOperation, type SshInput, type SshOutcome, type SshEvents, type SshDeps } from './ssh.js';
