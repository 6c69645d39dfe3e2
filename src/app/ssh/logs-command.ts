const SAFE = /^[A-Za-z0-9._/:@=+,-]+$/;

function q(word: string): string {
  return SAFE.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The exact command that fetches a scanner's bootstrap and Nessus logs, for diagnoses such as the
 * one `up`/`wait` print on a link timeout.
 */
export function sshLogsCommand(fleetFile: string, scannerName: string): string {
  return `nessus-byol ssh ${q(scannerName)} logs -f ${q(fleetFile)}`;
}
