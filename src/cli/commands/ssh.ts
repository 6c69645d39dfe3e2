import { Argument, InvalidArgumentError, Option, type Command } from 'commander';
import { SSH_OPERATIONS, type SshOperation } from '../../app/ssh/operation-names.js';
import { globalsOf } from '../globals.js';

export interface SshCommandOptions {
  host?: string;
  port: number;
  user: string;
  identity?: string;
  jump?: string;
  via?: 'direct' | 'ssm';
  acceptNewHostKey: boolean;
  confirm: boolean;
  out?: string;
  follow: boolean;
  lines: number;
}

function positiveInt(what: string, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < 1 || n > max)
      throw new InvalidArgumentError(`${what} must be a whole number from 1 to ${max}.`);
    return n;
  };
}

export function registerSsh(program: Command): void {
  program
    .command('ssh')
    .description(
      'Operate a scanner over SSH: nessuscli status, link, relink, standalone activation, logs, or any command.',
    )
    .argument('<scanner>', 'scanner name or instance id from the fleet (with --host: the scanner name)')
    .addArgument(new Argument('<operation>', 'what to do').choices(SSH_OPERATIONS))
    .argument('[command...]', 'run: the remote command, after --')
    .option('--host <address>', 'connect to this address instead of looking the scanner up in AWS')
    .option('--port <n>', 'SSH port', positiveInt('--port', 65535), 22)
    .option('--user <name>', 'login user', 'ec2-user')
    .option(
      '-i, --identity <file>',
      'private key (default: access.privateKeyPath or ./nessus-byol-<fleet>-<region>.pem; ssh-agent when SSH_AUTH_SOCK is set)',
    )
    .option('--jump <user@host[:port]>', 'reach the scanner through this SSH bastion')
    .addOption(
      new Option(
        '--via <how>',
        'direct, or ssm (Session Manager tunnel; the default for access.keyPair: none)',
      ).choices(['direct', 'ssm']),
    )
    .option(
      '--accept-new-host-key',
      'replace a recorded host key that changed (after checking the new fingerprint)',
      false,
    )
    .option('--no-confirm', 'link/relink: do not confirm the link through the Tenable API (no TIO keys needed)')
    .option('--out <dir>', 'logs: folder to write into (default ./nessus-byol-logs/<scanner>/)')
    .option('--follow', 'logs: stream the logs (tail -F) until Ctrl-C', false)
    .option('--lines <n>', 'logs: lines of each log', positiveInt('--lines', 1_000_000), 1000)
    .addHelpText(
      'after',
      `
Operations:
  status     nessuscli managed status, nessusd state, Nessus version, plugin set
  link       stop nessusd, nessuscli managed link with the fleet's link flags, start nessusd,
             then confirm through the Tenable API (TIO_ACCESS_KEY/TIO_SECRET_KEY, or --no-confirm)
  relink     the same, after nessuscli fix --reset-all
  activate   nessuscli fetch --register with NESSUS_ACTIVATION_CODE or link.activationCode
  logs       tails of the bootstrap log, nessusd.messages, backend.log, nessuscli.log into --out
  run        any command as the login user; its exit status is reported

The linking key (NESSUS_LINKING_KEY or link.key) and the activation code travel over the SSH
channel's stdin, never in argv or in the command sshd receives. Host keys are trusted on first use
and recorded in ~/.config/nessus-byol/known_hosts; a changed key is refused.

Examples:
  $ nessus-byol ssh prod-scanners-i-0abc1234 status -f fleet.yaml
  $ nessus-byol ssh i-0abc1234 relink -f fleet.yaml
  $ nessus-byol ssh prod-scanners-i-0abc1234 logs -f fleet.yaml --out ./diag
  $ nessus-byol ssh prod-scanners-i-0abc1234 logs -f fleet.yaml --follow
  $ nessus-byol ssh i-0abc1234 run -f fleet.yaml -- 'sudo systemctl status nessusd'
  $ nessus-byol ssh scanner-1 link -f fleet.yaml --host 10.0.1.5 --jump ec2-user@bastion.example.com`,
    )
    .action(
      async (scanner: string, operation: SshOperation, command: string[], opts: SshCommandOptions, cmd: Command) => {
        const { runSsh } = await import('./ssh-action.js');
        await runSsh(globalsOf(cmd), { scanner, operation, command }, opts);
      },
    );
}
