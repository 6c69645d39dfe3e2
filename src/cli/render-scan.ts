import type { AuditScanResult } from '../app/audit-scan/run.js';
import { SEVERITIES, type ScanResults } from '../app/scan/results.js';
import type { ScanRunResult } from '../app/scan/run.js';
import { formatDuration } from '../app/time.js';

type Style = (format: 'bold' | 'green' | 'yellow' | 'red' | 'dim' | 'cyan' | 'magenta', text: string) => string;

const SEVERITY_STYLE = { critical: 'magenta', high: 'red', medium: 'yellow', low: 'green', info: 'cyan' } as const;

export function renderSeverityTable(r: ScanResults, style: Style): string[] {
  const lines = [style('bold', `  ${'severity'.padEnd(10)} ${'findings'.padStart(8)}`)];
  for (const s of SEVERITIES) lines.push(`  ${style(SEVERITY_STYLE[s], s.padEnd(10))} ${String(r.severities[s]).padStart(8)}`);
  return lines;
}

export function renderTopFindings(r: ScanResults, style: Style): string[] {
  if (r.top.length === 0) return ['  no findings'];
  const lines = [style('bold', `  ${'plugin'.padEnd(8)} ${'severity'.padEnd(9)} ${'count'.padStart(5)}  name — hosts`)];
  for (const f of r.top) {
    const hosts = f.hosts.length ? ` — ${f.hosts.slice(0, 3).join(', ')}${f.hosts.length > 3 ? ` +${f.hosts.length - 3}` : ''}` : '';
    lines.push(`  ${String(f.pluginId).padEnd(8)} ${style(SEVERITY_STYLE[f.severity], f.severity.padEnd(9))} ${String(f.count).padStart(5)}  ${f.name}${hosts}`);
  }
  if (r.hostsRead < r.hostsScanned && r.top.some((f) => f.hosts.length)) lines.push(style('dim', `  (hosts read for the top findings: ${r.hostsRead} of ${r.hostsScanned})`));
  return lines;
}

export function renderScanResult(r: ScanRunResult, style: Style): string {
  const out: string[] = [];
  const how = r.scan.attached ? 'attached to the run in progress' : r.scan.created ? 'created and launched' : 'updated and re-launched';
  out.push(style('bold', `Scan "${r.scan.name}" (${r.scan.id}, template ${r.scan.template}) — ${how}`));
  out.push(`  targets: ${r.targets.count} (${r.targets.how})${r.targets.excluded.length ? `, ${r.targets.excluded.length} excluded` : ''}`);
  out.push(`  scanner: ${r.scanner.kind} ${r.scanner.name} (${r.scanner.uuid})`);
  out.push(`  status:  ${r.status}${r.elapsedMs !== undefined ? ` after ${formatDuration(r.elapsedMs)}` : ''}`);
  if (r.results) {
    out.push(`  hosts scanned: ${r.results.hostsScanned}`);
    out.push('');
    out.push(...renderSeverityTable(r.results, style));
    out.push('');
    out.push(style('bold', 'Top findings'));
    out.push(...renderTopFindings(r.results, style));
  }
  if (r.export) out.push('', `Export: ${r.export.format} written to ${r.export.path} (${r.export.bytes} bytes)`);
  if (r.failOn) {
    out.push('', r.failOn.failed ? style('red', `--fail-on ${r.failOn.severity}: ${r.failOn.findings} finding(s) at or above → exit 5`) : style('green', `--fail-on ${r.failOn.severity}: none at or above`));
  }
  for (const w of r.warnings) out.push(style('yellow', `warning: ${w}`));
  return out.join('\n');
}

export function renderAuditScanResult(r: AuditScanResult, style: Style): string {
  const out: string[] = [];
  const how = r.scan.attached ? 'attached to the run in progress' : r.scan.created ? 'created and launched' : 'updated and re-launched';
  out.push(style('bold', `Audit scan "${r.scan.name}" (${r.scan.id}) — ${how}`));
  out.push(`  credential: "${r.credential.name}" (${r.credential.uuid})`);
  out.push(`  audit file: ${r.audit.name} (${r.audit.id})`);
  out.push(`  regions:    ${r.regions.join(', ')}`);
  out.push(`  scanner:    ${r.scanner.name} (${r.scanner.why})`);
  out.push(`  status:     ${r.status}${r.elapsedMs !== undefined ? ` after ${formatDuration(r.elapsedMs)}` : ''}`);
  if (r.compliance) {
    const c = r.compliance;
    out.push('');
    out.push(`  ${style('red', `${c.failed} FAILED`)}   ${style('yellow', `${c.warning} WARNING`)}   ${style('green', `${c.passed} PASSED`)}${c.other ? `   ${c.other} other` : ''}`);
    if (c.failedChecks.length) {
      out.push('', style('bold', 'Failed checks'));
      for (const f of c.failedChecks) out.push(`  ${f.name}${f.count > 1 ? ` (${f.count})` : ''}`);
    }
  }
  if (r.debug) out.push('', `Scan DB (plugin debugging on): ${r.debug.path} (${r.debug.bytes} bytes, mode 0600, encrypted with the password you gave)`);
  if (r.failOn) out.push('', r.failOn.failed ? style('red', `--fail-on failed: ${r.failOn.count} failed check(s) → exit 5`) : style('green', '--fail-on failed: no failed checks'));
  for (const w of r.warnings) out.push(style('yellow', `warning: ${w}`));
  return out.join('\n');
}
