import type { Command } from 'commander';
import { globalsOf } from '../globals.js';

export function registerLinkingKey(program: Command): void {
  program
    .command('linking-key')
    .description('Read the linking key from the Tenable API (printed masked); optionally store it as an SSM SecureString for the instances to read.')
    .option('--store <target>', 'store it: ssm:/path/to/parameter (SecureString; overwritten when it exists)')
    .addHelpText(
      'after',
      `
Examples:
  $ nessus-byol linking-key                                   show which key the container uses (masked)
  $ nessus-byol linking-key --store ssm:/nessus/linking-key   then use link.key: { from: ssm, parameter: /nessus/linking-key }
  $ nessus-byol linking-key --store ssm:/nessus/linking-key --region us-gov-west-1 --tenable-url https://fedcloud.tenable.com

Needs TIO_ACCESS_KEY/TIO_SECRET_KEY of a user with the Scan Manager role (or the linking-key read
permission). Tenable API URL: --tenable-url, else TIO_URL (alias NESSUS_BYOL_TENABLE_API_URL), else
https://cloud.tenable.com. The key itself is never printed; the last 4 characters let you tell keys apart.`,
    )
    .action(async (opts: { store?: string }, cmd: Command) => {
      const { runLinkingKey } = await import('./linking-key-action.js');
      await runLinkingKey(globalsOf(cmd), opts);
    });
}
