import { isReady, type TenableScanner } from '../../adapters/tenable/scanner.js';
import type { TenableScannerGroup } from '../../adapters/tenable/scanner-group.js';
import { RuntimeError, UsageError } from '../../core/errors.js';

/** One of this fleet's scanners: its instance and the Tenable record joined to it. */
export interface FleetScanner {
  instanceId: string;
  name: string;
  record: TenableScanner;
  /** Joined through the id/uuid tagged on the instance (not only by name). */
  tagged: boolean;
}

export interface GroupCandidate {
  group: TenableScannerGroup;
  members: TenableScanner[];
}

export interface ScannerChoice {
  /** What `settings.scanner_id` gets: a scanner's or a scanner group's uuid. */
  uuid: string;
  kind: 'group' | 'scanner';
  name: string;
  /** Why this one, for the output. */
  why: string;
  /** The fleet scanners that may run it (the group's members, or the one scanner). */
  scanners: FleetScanner[];
}

/**
 * Which scanner runs the scan (issue 18, "Settled"): `--scanner NAME` when given (it must be one of
 * this fleet's scanners); else the first `link.groups` group whose every member is one of this
 * fleet's tagged scanners and one of them is ready; else one of the fleet's ready scanners by uuid.
 * Never a scanner that is not the fleet's.
 */
export function chooseScanner(input: {
  fleet: string;
  file: string;
  scanners: FleetScanner[];
  groups: GroupCandidate[];
  declaredGroups: string[];
  requested?: string | undefined;
}): { choice: ScannerChoice; notes: string[] } {
  const notes: string[] = [];
  const statusHint = `run \`nessus-byol status -f ${input.file}\` to see which scanners are linked and ready (and \`nessus-byol up -f ${input.file}\` or \`wait\` to fix it)`;
  const ready = input.scanners.filter((s) => isReady(s.record));

  if (input.requested !== undefined) {
    const want = input.requested;
    const s = input.scanners.find((x) => x.name === want || x.instanceId === want || x.record.name === want || x.record.uuid === want);
    if (!s) {
      throw new UsageError(`--scanner ${want} is not one of fleet ${input.fleet}'s scanners.`, {
        hint: input.scanners.length
          ? `use one of: ${input.scanners.map((x) => x.name).join(', ')} (scans run only on the fleet's own scanners)`
          : statusHint,
      });
    }
    if (!isReady(s.record)) {
      throw new RuntimeError('SCANNER_NOT_READY', `Scanner ${s.name} is not ready in Tenable (linked ${s.record.linked}, status ${s.record.status}${s.record.loadedPluginSet ? '' : ', plugins not loaded'}).`, {
        hint: statusHint,
      });
    }
    return { choice: { uuid: s.record.uuid, kind: 'scanner', name: s.name, why: '--scanner', scanners: [s] }, notes };
  }

  const ours = new Map(input.scanners.filter((s) => s.tagged).map((s) => [s.record.id, s]));
  for (const name of input.declaredGroups) {
    const g = input.groups.find((c) => c.group.name === name);
    if (!g) {
      notes.push(`scanner group "${name}" (link.groups) does not exist in Tenable`);
      continue;
    }
    if (g.members.length === 0) {
      notes.push(`scanner group "${name}" has no scanners`);
      continue;
    }
    const foreign = g.members.filter((m) => !ours.has(m.id));
    if (foreign.length) {
      notes.push(`scanner group "${name}" also holds ${foreign.length} scanner(s) that are not fleet ${input.fleet}'s (${foreign.slice(0, 3).map((m) => m.name).join(', ')}); not using it`);
      continue;
    }
    const members = g.members.map((m) => ours.get(m.id)!);
    if (!members.some((m) => isReady(m.record))) {
      notes.push(`no scanner of group "${name}" is ready`);
      continue;
    }
    return {
      choice: { uuid: g.group.uuid, kind: 'group', name, why: `link.groups: every member of "${name}" is one of this fleet's scanners`, scanners: members },
      notes,
    };
  }

  const pick = [...ready].sort((a, b) => a.name.localeCompare(b.name))[0];
  if (!pick) {
    throw new RuntimeError('NO_READY_SCANNER', `No scanner of fleet ${input.fleet} is linked and ready in Tenable${input.scanners.length ? ` (${input.scanners.length} found, none ready)` : ''}.`, {
      hint: statusHint,
      data: { notes },
    });
  }
  return {
    choice: { uuid: pick.record.uuid, kind: 'scanner', name: pick.name, why: input.declaredGroups.length ? 'no usable link.groups group; one of the fleet\'s ready scanners' : "one of the fleet's ready scanners", scanners: [pick] },
    notes,
  };
}
