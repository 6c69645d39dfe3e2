import { randomBytes } from 'node:crypto';
import type { TenableClient } from '../adapters/tenable/client.js';
import type { ResolvedConfig } from '../config/resolve.js';
import { CheckFailedError, RuntimeError } from '../core/errors.js';
import { keyPairName, ownedLinkingKeyParameter, scannerNamePattern, securityGroupName } from '../core/naming.js';
import { deleteOwned, sharedInventory, type OwnedResource } from './down-inventory.js';
import { acquireFleetLock } from './fleet-lock.js';
import type { AwsGateways } from './gateways.js';
import { describeFinding, findDrift, type Finding } from './reconcile-drift.js';
import { leftoversParameter, readLeftovers, writeLeftovers } from './tenable-leftovers.js';
import { parseDuration } from './time.js';

export interface ReconcileEvents {
  log(level: 'info' | 'warn' | 'debug', message: string): void;
  /** Shows the findings to fix (name candidates excluded unless included) and asks once. */
  confirm(findings: Array<Finding & { description: string }>): Promise<boolean>;
  /** Asks about one name-prefix candidate; undefined when nobody can be asked (no TTY, or --yes). */
  confirmCandidate?(finding: Finding & { kind: 'name-candidate' }): Promise<boolean>;
}

export interface ReconcileDeps {
  config: ResolvedConfig;
  aws: AwsGateways;
  tenable: () => TenableClient;
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  events: ReconcileEvents;
  owner: string;
}

export interface ReconcileOptions {
  fix: boolean;
  offThresholdMs: number;
  includeNameMatches: boolean;
  forceUnlock: boolean;
}

export interface ReconcileResult {
  fleet: string;
  region: string;
  findings: Array<Finding & { description: string }>;
  fixed: Array<Finding & { description: string }>;
  skipped: Array<Finding & { description: string; why: string }>;
  cancelled: boolean;
}

const withText = <T extends Finding>(f: T) => ({ ...f, description: describeFinding(f) });

/** Which owned fleet-level resources the fleet file still declares. */
function declares(config: ResolvedConfig): (r: OwnedResource) => boolean {
  const kp = config.access.keyPair;
  const keyFrom = config.link.key.from;
  const storedParameter =
    keyFrom === 'tenable-api' || keyFrom === 'env'
      ? (config.link.key.parameter ?? ownedLinkingKeyParameter(config.fleet))
      : null;
  return (r) => {
    switch (r.kind) {
      case 'security-group':
        return r.label.startsWith(`security group ${securityGroupName(config.fleet)} `);
      case 'key-pair':
        return r.id === keyPairName(config.fleet) && (kp === 'create' || (typeof kp === 'object' && 'import' in kp));
      case 'iam':
        return 'role' in config.iam;
      case 'ssm-parameter':
        return r.id === storedParameter;
    }
  };
}

/**
 * `reconcile`: reports drift between what runs (EC2 + Tenable) and what the fleet declares —
 * stale records, instances that never linked, scanners off too long, surplus instances, owned
 * resources no longer declared. Without --fix it fails with exit 5 when it finds any. With --fix it
 * removes them after confirmation, holding the fleet lock; name-prefix candidates only when
 * confirmed one by one or with --include-name-matches.
 */
export async function reconcile(deps: ReconcileDeps, opts: ReconcileOptions): Promise<ReconcileResult> {
  const { config, aws, events } = deps;
  const tenable = config.link.method === 'standalone' ? null : deps.tenable();
  const [instances, records, inventory, leftovers] = await Promise.all([
    aws.ec2.fleetInstances(config.fleet, ['pending', 'running', 'stopping', 'stopped', 'shutting-down', 'terminated']),
    tenable ? tenable.listScanners() : Promise.resolve([]),
    sharedInventory(config, aws),
    tenable ? readLeftovers(aws.ssm, config.fleet) : Promise.resolve(null),
  ]);
  const findings = findDrift({
    fleet: config.fleet,
    declared: config.scanners.list?.length ?? config.scanners.count,
    namePattern: scannerNamePattern(config.scanners.name, { fleet: config.fleet, region: config.region }),
    linkTimeoutMs: parseDuration(config.wait.timeout),
    offThresholdMs: opts.offThresholdMs,
    instances,
    records,
    owned: inventory.owned,
    declares: declares(config),
    now: deps.now(),
    leftovers: leftovers ? { parameter: leftoversParameter(config.fleet), records: leftovers } : undefined,
  }).map(withText);
  const result: ReconcileResult = {
    fleet: config.fleet,
    region: config.region,
    findings,
    fixed: [],
    skipped: [],
    cancelled: false,
  };
  if (findings.length === 0) return result;
  if (!opts.fix) {
    const candidates = findings.filter((f) => f.kind === 'name-candidate').length;
    throw new CheckFailedError(
      `reconcile found ${findings.length} problem(s) in fleet "${config.fleet}"${candidates ? ` (${candidates} of them name-prefix candidates)` : ''}:\n${findings.map((f) => `  ${f.kind === 'name-candidate' ? '?' : '-'} ${f.description}`).join('\n')}`,
      {
        hint: `remove them with \`nessus-byol reconcile -f ${config.file} --fix\`${candidates ? ' (name-prefix candidates are asked one by one, or --include-name-matches)' : ''}`,
        data: { fleet: config.fleet, region: config.region, findings },
      },
    );
  }

  const certain = findings.filter((f) => f.kind !== 'name-candidate');
  const candidates = findings.filter(
    (f): f is Extract<typeof f, { kind: 'name-candidate' }> => f.kind === 'name-candidate',
  );
  let chosen = opts.includeNameMatches ? [...certain, ...candidates] : certain;
  if (chosen.length > 0 && !(await events.confirm(chosen))) return { ...result, cancelled: true };
  if (!opts.includeNameMatches) {
    for (const c of candidates) {
      const yes = events.confirmCandidate ? await events.confirmCandidate(c) : false;
      if (yes) chosen = [...chosen, c];
      else
        result.skipped.push({
          ...c,
          why: events.confirmCandidate
            ? 'not confirmed'
            : 'name-prefix candidate: confirm on a terminal or pass --include-name-matches',
        });
    }
  }
  if (chosen.length === 0) return result;

  const lock = await acquireFleetLock(aws.ssm, {
    fleet: config.fleet,
    owner: deps.owner,
    runId: randomBytes(6).toString('hex'),
    command: 'reconcile --fix',
    ttlMs: 60 * 60_000,
    now: deps.now,
    forceUnlock: opts.forceUnlock,
  });
  const failures: string[] = [];
  try {
    const terminate = chosen.filter(
      (f) => f.kind === 'unlinked-instance' || f.kind === 'off-scanner' || f.kind === 'surplus-instance',
    );
    const ids = terminate.map((f) => (f as { instanceId: string }).instanceId);
    let terminated = ids.length === 0;
    if (ids.length > 0) {
      events.log('info', `terminating ${ids.join(', ')}`);
      try {
        await aws.ec2.terminate(ids);
        await aws.ec2.waitTerminated(ids);
        terminated = true;
      } catch (e) {
        failures.push(`terminating ${ids.join(', ')}: ${(e as Error).message}`);
      }
    }
    for (const f of chosen) {
      try {
        if (f.kind === 'stale-record' || f.kind === 'name-candidate') {
          await deps.tenable().deleteScanner(f.recordId);
        } else if (f.kind === 'leftover-record') {
          if (f.exists && f.recordId !== null) await deps.tenable().deleteScanner(f.recordId);
        } else if (f.kind === 'unlinked-instance') {
          if (!terminated) continue;
        } else if (f.kind === 'off-scanner' || f.kind === 'surplus-instance') {
          if (!terminated) continue;
          const recordId: number | null = f.recordId;
          if (recordId !== null) await deps.tenable().deleteScanner(recordId);
        } else if (f.kind === 'undeclared-resource') {
          if (
            f.resource.kind === 'iam' &&
            instances.some(
              (i) => !ids.includes(i.instanceId) && ['pending', 'running', 'stopping', 'stopped'].includes(i.state),
            )
          ) {
            result.skipped.push({
              ...f,
              why: 'running instances may still use this role: run `nessus-byol rebuild` first, then reconcile again',
            });
            continue;
          }
          await deleteOwned(f.resource, config, aws, (ms) => deps.sleep(ms));
        }
        result.fixed.push(f);
        events.log('info', `fixed: ${f.description}`);
      } catch (e) {
        failures.push(`${f.description}: ${(e as Error).message}`);
      }
    }
    if (leftovers) {
      // The leftovers record keeps only what is still in Tenable and was not deleted now (nor claimed by a live scanner).
      const deleted = new Set(
        result.fixed.flatMap((f) => ('recordId' in f && typeof f.recordId === 'number' ? [f.recordId] : [])),
      );
      const reported = new Set(
        findings.flatMap((f) =>
          (f.kind === 'leftover-record' || f.kind === 'stale-record') && typeof f.recordId === 'number'
            ? [f.recordId]
            : [],
        ),
      );
      const remaining = leftovers.filter((l) => {
        const r = records.find((x) => (l.id !== null && x.id === l.id) || (l.uuid !== null && x.uuid === l.uuid));
        return r !== undefined && reported.has(r.id) && !deleted.has(r.id);
      });
      try {
        await writeLeftovers(aws.ssm, config.fleet, remaining);
      } catch (e) {
        failures.push(`updating ${leftoversParameter(config.fleet)}: ${(e as Error).message}`);
      }
    }
  } finally {
    await lock.release().catch(() => undefined);
  }
  if (failures.length > 0) {
    throw new RuntimeError(
      'RECONCILE_INCOMPLETE',
      `reconcile --fix fixed ${result.fixed.length} problem(s) but failed on ${failures.length}:\n${failures.map((f) => `  ${f}`).join('\n')}`,
      {
        hint: `fix the cause and run \`nessus-byol reconcile -f ${config.file} --fix\` again`,
        data: { fixed: result.fixed, failures },
      },
    );
  }
  return result;
}
