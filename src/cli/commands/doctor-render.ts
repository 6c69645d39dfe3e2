import type { CheckStatus, DoctorReport } from '../../app/doctor.js';
import type { Output } from '../output.js';

const MARK: Record<CheckStatus, { text: string; color: 'green' | 'yellow' | 'red' | 'dim' }> = {
  pass: { text: 'pass', color: 'green' },
  warn: { text: 'warn', color: 'yellow' },
  fail: { text: 'FAIL', color: 'red' },
  skip: { text: 'skip', color: 'dim' },
};

export function renderDoctor(r: DoctorReport, style: Output['style']): string {
  const head = r.target.fleet
    ? `nessus-byol doctor — fleet ${r.target.fleet} (${r.target.file}) in ${r.target.region ?? '?'}`
    : `nessus-byol doctor — generic checks${r.target.region ? ` in ${r.target.region}` : ''} (no fleet file; pass -f to check a fleet)`;
  const width = Math.max(...r.checks.map((c) => c.title.length));
  const lines = [head, ''];
  for (const c of r.checks) {
    const m = MARK[c.status];
    lines.push(`  ${style(m.color, m.text)}  ${c.title.padEnd(width)}  ${c.message}`);
    if (c.fix && c.status !== 'pass') lines.push(`        ${' '.repeat(width)}  ${style('cyan', 'fix:')} ${c.fix}`);
  }
  const s = r.summary;
  lines.push(
    '',
    `${s.pass} passed · ${s.warn} warning${s.warn === 1 ? '' : 's'} · ${s.fail} failed${s.skip ? ` · ${s.skip} skipped` : ''}`,
  );
  return lines.join('\n');
}
