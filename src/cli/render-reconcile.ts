import type { ReconcileResult } from '../app/reconcile.js';
import type { Finding } from '../app/reconcile-drift.js';
import type { Style } from './render-status.js';

type Described = Finding & { description: string };

export function renderFindings(findings: Described[], style: Style): string {
  const certain = findings.filter((f) => f.kind !== 'name-candidate');
  const candidates = findings.filter((f) => f.kind === 'name-candidate');
  const lines: string[] = [];
  for (const f of certain) lines.push(`  ${style('red', '-')} ${f.description}`);
  if (candidates.length) {
    lines.push(
      style(
        'yellow',
        '  name-prefix candidates (fit the name template, claimed by no instance of this fleet; removed only when confirmed):',
      ),
    );
    for (const f of candidates) lines.push(`  ${style('yellow', '?')} ${f.description}`);
  }
  return lines.join('\n');
}

export function renderReconcile(r: ReconcileResult, style: Style): string {
  if (r.findings.length === 0) return style('green', `Fleet ${r.fleet} in ${r.region}: no drift found.`);
  const lines = [style('bold', `Fleet ${r.fleet} in ${r.region}: ${r.findings.length} problem(s)`)];
  if (r.cancelled) lines.push('  cancelled; nothing was changed');
  for (const f of r.fixed) lines.push(`  ${style('green', '✔')} fixed: ${f.description}`);
  for (const f of r.skipped) lines.push(`  ${style('yellow', '=')} left: ${f.description} — ${f.why}`);
  return lines.join('\n');
}
