import type { CellState, MatrixCell } from '../../core/cloudformation-matrix.js';
import type { Output } from '../output.js';

const COLOR: Record<CellState, Parameters<Output['style']>[0]> = { ready: 'green', linked: 'yellow', missing: 'red', 'stack-failed': 'red', deploying: 'cyan' };

function cellText(c: MatrixCell): string {
  switch (c.state) {
    case 'stack-failed':
      return 'stack failed';
    case 'deploying':
      return 'deploying';
    case 'ready':
      return `ready ${c.ready}/${c.expected}`;
    case 'linked':
      return `linked ${c.linked}/${c.expected}`;
    case 'missing':
      return `missing ${c.expected - c.linked}/${c.expected}`;
  }
}

/** account × region → ready / linked / missing / stack failed, then the reasons of failed stacks. */
export function renderMatrix(cells: readonly MatrixCell[], style: Output['style']): string {
  if (cells.length === 0) return 'No stack instances.';
  const accounts = [...new Set(cells.map((c) => c.account))].sort();
  const regions = [...new Set(cells.map((c) => c.region))].sort();
  const at = new Map(cells.map((c) => [`${c.account}/${c.region}`, c]));
  const rows = accounts.map((a) => [a, ...regions.map((r) => at.get(`${a}/${r}`))] as const);
  const widths = [Math.max(7, ...accounts.map((a) => a.length)), ...regions.map((r) => Math.max(r.length, ...cells.filter((c) => c.region === r).map((c) => cellText(c).length)))];
  const pad = (s: string, i: number) => s.padEnd(widths[i]!);
  const lines = [[pad('account', 0), ...regions.map((r, i) => pad(r, i + 1))].join('  ')];
  for (const [account, ...row] of rows) {
    lines.push([pad(account, 0), ...row.map((c, i) => (c ? style(COLOR[c.state], pad(cellText(c), i + 1)) : pad('—', i + 1)))].join('  '));
  }
  const failed = cells.filter((c) => c.state === 'stack-failed');
  if (failed.length) lines.push('', 'Stack failures:', ...failed.map((c) => `  ${c.account} ${c.region}: ${c.reason ?? 'unknown reason'}`));
  const missing = cells.filter((c) => c.state === 'missing' || c.state === 'linked');
  if (missing.length) {
    lines.push('', 'Not ready:', ...missing.flatMap((c) => c.scanners.filter((s) => s.state !== 'ready').map((s) => `  ${s.name}: ${s.state === 'missing' ? 'no linked Tenable record' : `linked (Tenable id ${s.id}), not ready yet`}`)));
  }
  return lines.join('\n');
}

export function summaryLine(cells: readonly MatrixCell[]): string {
  const n = (s: CellState) => cells.filter((c) => c.state === s).length;
  const scanners = cells.reduce((a, c) => a + c.expected, 0);
  const ready = cells.reduce((a, c) => a + c.ready, 0);
  return `${ready}/${scanners} scanners ready · stacks: ${n('ready')} ready, ${n('linked')} linked, ${n('missing')} missing, ${n('deploying')} deploying, ${n('stack-failed')} failed`;
}
