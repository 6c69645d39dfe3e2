import type { DownPlan, DownResult } from '../app/down.js';
import type { Style } from './render-status.js';

export function renderDownPlan(p: DownPlan, style: Style, opts: { dryRun: boolean }): string {
  const lines = [
    style('bold', `${opts.dryRun ? 'down would remove' : 'down will remove'} from fleet ${p.fleet} in ${p.region}:`),
  ];
  if (p.empty) lines.push('  nothing: no instance, Tenable record or fleet-owned resource was found');
  for (const i of p.instances) lines.push(`  ${style('red', '-')} instance ${i.instanceId}  ${i.name}  (${i.state})`);
  for (const r of p.records)
    lines.push(`  ${style('red', '-')} Tenable record ${r.id}  ${r.name}  (tagged on ${r.instanceId})`);
  for (const s of p.shared) lines.push(`  ${style('red', '-')} ${s.label}`);
  for (const s of p.keptShared) lines.push(`  ${style('dim', `= keep ${s.label} (--keep-shared)`)}`);
  for (const u of p.untracked)
    lines.push(
      style(
        'yellow',
        `  ! ${u.instanceId} (${u.name}) has no Tenable id tagged; a record it may have is not deleted by name — check with \`nessus-byol reconcile\``,
      ),
    );
  for (const l of p.leftAlone) lines.push(style('dim', `  = leave ${l.kind} ${l.id}: ${l.reason}`));
  return lines.join('\n');
}

export function renderDownResult(r: DownResult, style: Style): string {
  if (r.plan.empty) return `Fleet ${r.plan.fleet} in ${r.plan.region}: nothing to remove.`;
  const lines = [style('bold', `Removed fleet ${r.plan.fleet} in ${r.plan.region}:`)];
  for (const x of r.removed)
    lines.push(
      `  ${style('green', '✔')} ${x.kind} ${x.id}${x.outcome === 'gone' ? style('dim', ' (already gone)') : ''}`,
    );
  if (r.plan.keptShared.length)
    lines.push(style('dim', `  kept (--keep-shared): ${r.plan.keptShared.map((s) => s.label).join(', ')}`));
  return lines.join('\n');
}
