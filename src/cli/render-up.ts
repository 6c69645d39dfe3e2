import type { UpResult } from '../app/up.js';
import { formatDuration } from '../app/time.js';

type Style = (format: 'bold' | 'green' | 'yellow' | 'red' | 'dim' | 'cyan', text: string) => string;

export function renderUpSummary(r: UpResult, style: Style, file: string): string {
  const lines: string[] = [];
  const ready = r.scanners.filter((s) => s.phase === 'ready').length;
  const linked = r.scanners.filter((s) => s.phase === 'linked').length;
  lines.push(style('bold', `Fleet ${r.fleet} in ${r.region}: ${r.scanners.length} scanner(s), ${ready} ready${linked ? `, ${linked} linked` : ''} (AMI ${r.ami.id}${r.ami.name ? ` — ${r.ami.name}` : ''})`));
  for (const s of r.scanners) {
    const timing = s.readyAfterMs !== undefined ? `ready after ${formatDuration(s.readyAfterMs)}` : s.linkedAfterMs !== undefined ? `linked after ${formatDuration(s.linkedAfterMs)}` : s.phase;
    lines.push(`  ${s.phase === 'ready' ? style('green', '✔') : s.phase === 'failed' ? style('red', '✖') : style('yellow', '…')} ${s.name}  ${s.instanceId}${s.scannerId !== undefined ? `  Tenable id ${s.scannerId}` : ''}  ${timing}${s.isNew ? '' : style('dim', '  (existing)')}`);
  }
  if (r.created.length) lines.push(`  created: ${r.created.map((c) => `${c.kind} ${c.id}`).join(', ')}`);
  if (r.kept.length) lines.push(`  kept: ${r.kept.join(', ')}`);
  for (const d of r.drift) lines.push(style('yellow', `  drift: ${d}`));
  lines.push(style('dim', `  provisioned in ${formatDuration(r.timings.provisionMs)}, waited ${formatDuration(r.timings.waitMs)}, total ${formatDuration(r.timings.totalMs)}`));
  lines.push(style('dim', `  next: nessus-byol status -f ${file}   ·   nessus-byol down -f ${file}`));
  return lines.join('\n');
}
