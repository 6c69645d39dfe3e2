import type { RebuildPlan, RebuildResult } from '../app/rebuild.js';
import { formatDuration } from '../app/time.js';
import type { Style } from './render-status.js';

export function renderRebuildPlan(p: RebuildPlan, style: Style, opts: { dryRun: boolean; force: boolean }): string {
  const lines = [
    style(
      'bold',
      `rebuild ${opts.dryRun ? 'would replace' : 'will replace'} ${p.old.length} scanner(s) of fleet ${p.fleet} in ${p.region} (blue/green):`,
    ),
  ];
  lines.push(`  AMI ${p.ami.from.join(', ')} → ${p.ami.to}${p.ami.name ? ` (${p.ami.name})` : ''}`);
  for (const r of p.reasons) lines.push(`  · ${r}`);
  if (p.reasons.length === 0)
    lines.push(opts.force ? '  · nothing changed; rebuilding because of --force' : '  · nothing changed');
  lines.push(`  1. launch ${p.launch} replacement(s) and wait until they are ready in Tenable`);
  lines.push(
    `  2. add them to the old scanners' groups${p.groups.length ? `: ${p.groups.map((g) => g.name).join(', ')}` : ' (none beyond link.groups)'}`,
  );
  lines.push(
    `  3. terminate ${p.old.map((o) => o.instanceId).join(', ')} and delete their Tenable records (${p.old.map((o) => o.scannerId ?? 'none tagged').join(', ')})`,
  );
  lines.push(style('dim', '  a failure before step 3 removes the replacements; the old fleet keeps serving'));
  return lines.join('\n');
}

export function renderRebuildResult(r: RebuildResult, style: Style): string {
  const p = r.plan;
  if (!r.rebuilt) {
    if (r.cancelled) return 'Cancelled; nothing was changed.';
    return `Fleet ${p.fleet} in ${p.region}: every scanner runs ${p.ami.to}; nothing to rebuild (--force rebuilds anyway).`;
  }
  const lines = [
    style('bold', `Rebuilt fleet ${p.fleet} in ${p.region} on ${p.ami.to} in ${formatDuration(r.timings.totalMs)}:`),
  ];
  for (const m of r.mapping) {
    const o = m.old ? `${m.old.name} (${m.old.instanceId}, ${m.old.imageId})` : '-';
    const n = m.new
      ? `${m.new.name} (${m.new.instanceId}${m.new.scannerId !== undefined ? `, Tenable id ${m.new.scannerId}` : ''}, ${m.new.phase})`
      : '-';
    lines.push(`  ${o} → ${style('green', n)}`);
  }
  lines.push(
    style(
      'dim',
      `  removed ${r.removed.instances.length} old instance(s) and ${r.removed.records.length} Tenable record(s)`,
    ),
  );
  return lines.join('\n');
}
