import type { SechubSummary } from '../../app/sechub/types.js';
import type { Output } from '../output.js';

const n = (x: number) => x.toLocaleString('en-US');

/** The end-of-run summary a human reads. */
export function renderSummary(s: SechubSummary, style: Output['style']): string {
  const since =
    s.since === null
      ? 'everything'
      : `since ${new Date(s.since * 1000).toISOString()} (${s.sinceSource === 'flag' ? '--since' : 'last successful run'})`;
  const lines = [
    style(
      'bold',
      `Security Hub import ${s.dryRun ? '(dry run) ' : ''}— ${s.region}, caller account ${s.callerAccount}`,
    ),
    `  findings exported   ${n(s.exported)}  (${since})`,
    `  skipped, not AWS    ${n(s.skipped.notAws)}${s.skipped.unreadable ? `  (+${n(s.skipped.unreadable)} unreadable)` : ''}`,
    `  skipped, other acct ${n(s.skipped.foreignAccount)}${s.skipped.foreignAccount ? '  (use --assume-role <name>)' : ''}`,
    s.dryRun ? `  would import        ${n(s.wouldImport)}` : `  imported            ${n(s.imported)}`,
    `  failed              ${s.failed ? style('red', n(s.failed)) : '0'}`,
  ];
  if (s.accounts.length > 0) {
    lines.push('  per account:');
    for (const a of s.accounts) {
      const via = a.via === 'caller' ? 'caller' : a.via === 'assume-role' ? 'assumed role' : 'skipped';
      lines.push(
        `    ${a.account}  ${via.padEnd(12)} ${n(a.findings)} findings, ${n(a.imported)} imported, ${n(a.failed)} failed`,
      );
    }
  }
  if (s.failed > 0) {
    lines.push(
      `  failures by code: ${Object.entries(s.failureCodes)
        .map(([c, k]) => `${c} ×${k}`)
        .join(', ')}`,
    );
    for (const f of s.failures.slice(0, 10))
      lines.push(`    ${f.account} ${f.id || '(no id)'}: ${f.code} — ${f.message.split('\n')[0]}`);
    if (s.failed > 10) lines.push(`    … ${n(s.failed - 10)} more (--json lists the first ${s.failures.length})`);
  }
  if (s.stopped) lines.push(style('yellow', '  stopped by SIGTERM: the rest is left for the next run'));
  else if (s.stateSaved) lines.push('  remembered as the start of the next run');
  return lines.join('\n');
}
