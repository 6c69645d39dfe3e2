import type { DownPlan, DownResult } from '../app/down.js';
import type { Style } from './render-status.js';

export function renderDownPlan(p: DownPlan, style: Style, opts: { dryRun: boolean; file?: string }): string {
  const lines = [
    style('bold', `${opts.dryRun ? 'down would remove' : 'down will remove'} from fleet ${p.fleet} in ${p.region}:`),
  ];
  if (p.empty) lines.push('  nothing: no instance, Tenable record or fleet-owned resource was found');
  for (const i of p.instances) lines.push(`  ${style('red', '-')} instance ${i.instanceId}  ${i.name}  (${i.state})`);
  for (const r of p.records)
    lines.push(
      `  ${style('red', '-')} Tenable record ${r.id ?? r.uuid}  ${r.name}  (${r.instanceId ? `tagged on ${r.instanceId}` : `left by an earlier run, recorded in ${p.leftovers?.parameter ?? 'the fleet'}`})`,
    );
  if (p.leftovers && p.tenable.mode === 'used')
    lines.push(
      `  ${style('red', '-')} SSM parameter ${p.leftovers.parameter} (Tenable records an earlier run could not delete)`,
    );
  for (const s of p.shared) lines.push(`  ${style('red', '-')} ${s.label}`);
  for (const s of p.keptShared) lines.push(`  ${style('dim', `= keep ${s.label} (--keep-shared)`)}`);
  if (p.tenable.mode !== 'skipped')
    for (const u of p.untracked)
      lines.push(
        style(
          'yellow',
          `  ! ${u.instanceId} (${u.name}) has no Tenable id tagged; a record it may have is not deleted by name — check with \`nessus-byol reconcile\``,
        ),
      );
  for (const l of p.leftAlone) lines.push(style('dim', `  = leave ${l.kind} ${l.id}: ${l.reason}`));
  if (p.tenable.problem)
    lines.push(
      style(
        'yellow',
        `  ! Tenable could not be asked (${p.tenable.problem}): the instances and fleet resources go anyway; Tenable records that cannot be deleted are recorded in /nessus-byol/${p.fleet}/tenable-leftovers for a later \`down\` or \`reconcile --fix\``,
      ),
    );
  lines.push(...notChecked(p, style, opts.file));
  return lines.join('\n');
}

/** What --skip-tenable did not look at. */
function notChecked(p: DownPlan, style: Style, file = 'fleet.yaml'): string[] {
  if (p.tenable.mode !== 'skipped') return [];
  const lines = [
    style('yellow', '  ! --skip-tenable: Tenable was not asked; these records were neither checked nor deleted:'),
  ];
  for (const r of p.notChecked)
    lines.push(
      style(
        'yellow',
        `    Tenable record ${r.id ?? r.uuid}  ${r.name}${r.instanceId ? `  (tagged on ${r.instanceId})` : ''}`,
      ),
    );
  for (const u of p.untracked)
    lines.push(style('yellow', `    a record of ${u.instanceId} (${u.name}), if it linked (no id tagged)`));
  if (p.notChecked.length === 0 && p.untracked.length === 0)
    lines.push(style('yellow', '    (none tagged on the instances)'));
  if (p.leftovers)
    lines.push(style('yellow', `    kept ${p.leftovers.parameter}: it lists Tenable records still to delete`));
  lines.push(
    style(
      'dim',
      `    delete them in Tenable (Settings → Sensors), or with API keys: \`nessus-byol reconcile -f ${file} --fix\``,
    ),
  );
  return lines;
}

export function renderDownResult(r: DownResult, style: Style, file?: string): string {
  if (r.plan.empty)
    return [`Fleet ${r.plan.fleet} in ${r.plan.region}: nothing to remove.`, ...notChecked(r.plan, style, file)].join(
      '\n',
    );
  const lines = [style('bold', `Removed fleet ${r.plan.fleet} in ${r.plan.region}:`)];
  for (const x of r.removed)
    lines.push(
      `  ${style('green', '✔')} ${x.kind} ${x.id}${x.outcome === 'gone' ? style('dim', ' (already gone)') : ''}`,
    );
  if (r.plan.keptShared.length)
    lines.push(style('dim', `  kept (--keep-shared): ${r.plan.keptShared.map((s) => s.label).join(', ')}`));
  lines.push(...notChecked(r.plan, style, file));
  return lines.join('\n');
}
