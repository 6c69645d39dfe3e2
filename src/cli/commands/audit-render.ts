import type { AuditKeysResult } from '../../app/audit/keys.js';
import type { AuditRotateResult } from '../../app/audit/rotate.js';
import type { AuditSetupResult } from '../../app/audit/setup.js';
import type { Output } from '../output.js';
import { cell, renderTable, type Cell } from '../render-table.js';

type Style = Output['style'];


const day = (iso: string | null | undefined) => (iso ? iso.slice(0, 10) : '');

export function renderKeys(r: AuditKeysResult, style: Style): string {
  const lines: string[] = [];
  if (r.deleted.length) lines.push(`Deleted inactive keys past their grace period: ${r.deleted.join(', ')}`, '');
  if (r.keys.length === 0) {
    lines.push(`No access keys (${r.users.length === 1 ? `user ${r.users[0]}` : `${r.users.length} users`}).`);
    return lines.join('\n');
  }
  const headers = ['USER', 'ACCESS KEY ID', 'STATUS', 'TENABLE', 'AGE', 'LAST USED', 'SERVICE', `CIS 1.14 (≤ ${r.maxAgeDays} days)`];
  const rows: Cell[][] = r.keys.map((k) => {
    const [verdict, colour] =
      k.result === 'FAIL'
        ? [`FAIL — rotate (was due ${day(k.rotateBy)})`, 'red' as const]
        : k.result === 'PASS'
          ? [`PASS — rotate by ${day(k.rotateBy)}`, 'green' as const]
          : [k.deleteAfter ? `inactive — deleted after ${day(k.deleteAfter)}` : 'inactive', 'dim' as const];
    return [
      cell(k.user),
      cell(k.accessKeyId),
      cell(k.status),
      // Which key the Tenable credential holds, from the record written after Tenable confirmed it.
      k.rotationPending ? cell('pending', style('yellow', 'pending')) : cell(k.heldByTenable ? 'holds' : '-'),
      cell(`${k.ageDays}d`),
      cell(k.lastUsedAt ? day(k.lastUsedAt) : 'never'),
      cell(k.lastUsedService ?? ''),
      cell(verdict, style(colour, verdict)),
    ];
  });
  lines.push(renderTable(headers, rows));
  lines.push(
    '',
    r.failing === 0
      ? 'All active keys are within the rotation period.'
      : `${r.failing} active key${r.failing === 1 ? '' : 's'} older than ${r.maxAgeDays} days.`,
  );
  return lines.join('\n');
}

export function renderSetup(r: AuditSetupResult): string {
  const state = (created: boolean, extra = '') => (created ? `created${extra}` : `exists${extra}`);
  const lines = [
    `IAM group       ${r.group.name}: ${state(r.group.created)}; policies ${r.group.policies.map((p) => p.split('/').pop()).join(', ')}` +
      (r.group.policiesAttached.length
        ? ` (attached now: ${r.group.policiesAttached.map((p) => p.split('/').pop()).join(', ')})`
        : ''),
    `IAM user        ${r.user.name}: ${r.user.created ? 'created' : r.user.adopted ? 'adopted' : 'exists'}${r.user.addedToGroup ? `, added to ${r.group.name}` : ''}`,
    `Access key      ${r.key.accessKeyId}: ${r.key.created ? 'created' : 'held by Tenable, unchanged'}`,
    `Tenable         credential "${r.credential.name}" (${r.credential.uuid}): ${r.credential.created ? 'created' : r.credential.updated ? 'updated with the new key' : 'unchanged'}`,
  ];
  if (r.secretsManager)
    lines.push(`Secrets Manager ${r.secretsManager.name}: ${r.secretsManager.written ?? 'unchanged'}`);
  lines.push(
    '',
    r.changed
      ? 'Done. Use the credential in a Tenable "Audit Cloud Infrastructure" scan (Credentials → Amazon AWS).'
      : 'No changes: everything was already in place.',
  );
  return lines.join('\n');
}

export function renderRotate(r: AuditRotateResult): string {
  const lines = [
    `${r.resumed ? 'Finished the earlier rotation' : 'Rotated'}: Tenable credential "${r.credential.name}" now holds ${r.newKey.accessKeyId} (confirmed by Tenable; the key works${r.verified.usedAt ? `; used ${r.verified.usedAt}${r.verified.usedService ? ` by ${r.verified.usedService}` : ''}` : ''}).`,
  ];
  for (const d of r.deactivated)
    lines.push(
      `Old key ${d.accessKeyId}: ${d.deleteAfter ? `deactivated; deleted by \`audit rotate\` or \`audit keys --fix\` after ${d.deleteAfter}` : 'deactivated and deleted'}`,
    );
  if (r.deleted.length) lines.push(`Deleted inactive keys: ${r.deleted.join(', ')}`);
  if (r.secretsManager)
    lines.push(`Secrets Manager ${r.secretsManager.name}: ${r.secretsManager.written ?? 'unchanged'}`);
  return lines.join('\n');
}
