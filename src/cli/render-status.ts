import type { FleetStatus } from '../app/status.js';
import { formatDuration } from '../app/time.js';
import type { WaitResult } from '../app/wait.js';
import { cell, renderTable } from './render-table.js';

export type Style = (format: 'bold' | 'green' | 'yellow' | 'red' | 'dim' | 'cyan', text: string) => string;

/** An age such as 42s, 5m03s, 3h10m or 2d04h. */
export function age(ms: number | null): string {
  if (ms === null) return '-';
  const h = Math.floor(ms / 3_600_000);
  return h >= 48 ? `${Math.floor(h / 24)}d${String(h % 24).padStart(2, '0')}h` : formatDuration(ms);
}

export function renderStatus(s: FleetStatus, style: Style): string {
  const lines: string[] = [];
  const head = `Fleet ${s.fleet} in ${s.region}: ${s.summary.instances}/${s.declared} instance(s), ${s.summary.ready} ready, ${s.summary.linked} linked · AMI ${s.ami.id}${s.ami.name ? ` (${s.ami.name})` : ''} [${s.ami.source}]`;
  lines.push(style('bold', head));
  if (s.scanners.length === 0) {
    lines.push('  no instance of this fleet runs — `nessus-byol up` creates them');
    return lines.join('\n');
  }
  const c = (text: string, fmt?: Parameters<Style>[0]) => cell(text, fmt ? style(fmt, text) : undefined);
  const rows = s.scanners.map((r) => [
    c(r.name),
    c(r.instanceId),
    c(r.state, r.state === 'running' ? undefined : 'yellow'),
    c(r.availabilityZone ?? '-'),
    r.amiCurrent ? c(r.ami) : c(`${r.ami} (newer: ${s.ami.id})`, 'yellow'),
    c(r.tenableId === null ? '-' : String(r.tenableId)),
    r.linked === null ? c('?') : c(r.linked ? 'yes' : 'no', r.linked ? 'green' : 'red'),
    c(r.status ?? '-', r.status === 'on' ? 'green' : r.status === 'off' ? 'red' : undefined),
    c(r.pluginSet ?? '-'),
    c(r.lastConnectAgeMs === null ? '-' : `${age(r.lastConnectAgeMs)} ago`),
    c(age(r.uptimeMs)),
  ]);
  lines.push(
    renderTable(
      [
        'NAME',
        'INSTANCE',
        'STATE',
        'AZ',
        'AMI',
        'TENABLE ID',
        'LINKED',
        'STATUS',
        'PLUGIN SET',
        'LAST CONNECT',
        'UPTIME',
      ],
      rows,
    ),
  );
  const hints: string[] = [];
  if (s.ami.outdated > 0)
    hints.push(`${s.ami.outdated} scanner(s) run an older AMI than ${s.ami.id}: \`nessus-byol rebuild\` replaces them`);
  if (s.summary.instances < s.declared)
    hints.push(`${s.declared - s.summary.instances} declared scanner(s) missing: \`nessus-byol up\``);
  if (s.scanners.some((r) => r.linked === false && r.state === 'running'))
    hints.push(
      'unlinked scanners: `nessus-byol wait` waits for them; `nessus-byol reconcile` reports ones that never linked',
    );
  for (const h of hints) lines.push(style('dim', `  ${h}`));
  return lines.join('\n');
}

export function renderWaitSummary(r: WaitResult, style: Style): string {
  const ready = r.scanners.filter((s) => s.phase === 'ready').length;
  const lines = [
    style(
      'bold',
      `Fleet ${r.fleet} in ${r.region}: ${ready}/${r.scanners.length} scanner(s) ready after ${formatDuration(r.waitMs)}`,
    ),
  ];
  for (const s of r.scanners)
    lines.push(
      `  ${s.phase === 'ready' ? style('green', '✔') : style('yellow', '…')} ${s.name}  ${s.instanceId}${s.scannerId !== undefined ? `  Tenable id ${s.scannerId}` : ''}  ${s.phase}`,
    );
  return lines.join('\n');
}
