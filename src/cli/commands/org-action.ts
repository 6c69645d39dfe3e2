import { timeoutFlag } from '../timeout-flag.js';
import { readFile } from 'node:fs/promises';
import { OrgSecretGateway } from '../../adapters/aws/cloudformation-org-secret.js';
import { StackSetGateway } from '../../adapters/aws/cloudformation-stacksets.js';
import type { OrgDeps } from '../../app/org/deps.js';
import { orgDown } from '../../app/org/down.js';
import { orgStatus } from '../../app/org/status.js';
import { ec2Lookup } from '../../app/org/template.js';
import { orgUp, type OrgUpResult } from '../../app/org/up.js';
import { parseDuration } from '../../app/time.js';
import type { ResolvedConfig } from '../../config/resolve.js';
import { isOrgId } from '../../core/cloudformation-org-policies.js';
import { isCsvTarget, parseOperationLimit, parseRegions, parseTargetCsv, parseTargetList, type OrgTargets } from '../../core/cloudformation-targets.js';
import { InterruptedError, LinkTimeoutError, NotReadyError, RuntimeError, UsageError } from '../../core/errors.js';
import { loadConfigFor } from '../config-loader.js';
import { confirmOrRefuse, createFleetRuntime } from '../fleet-runtime.js';
import { outputFor, type GlobalOptions } from '../globals.js';
import type { Output } from '../output.js';
import type { OrgDownFlags, OrgStatusFlags, OrgUpFlags } from './org.js';
import { renderMatrix, summaryLine } from './org-render.js';

async function readTargets(text: string, regions: string[]): Promise<OrgTargets> {
  if (!isCsvTarget(text)) return parseTargetList(text);
  let csv: string;
  try {
    csv = await readFile(text, 'utf8');
  } catch (e) {
    throw new UsageError(`Cannot read --targets ${text}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`, { hint: 'give a CSV file (account,ou[,region,vpcId,subnetId]) or comma-separated OU/account ids' });
  }
  return parseTargetCsv(text, csv, regions);
}

function orgDeps(config: ResolvedConfig, out: Output): { deps: OrgDeps; dispose(): void; signal: AbortSignal } {
  const rt = createFleetRuntime(config, out);
  const ctx = { region: config.region, profile: config.profile };
  let lastSummary = '';
  const deps: OrgDeps = {
    config,
    stacksets: new StackSetGateway(ctx),
    orgSecret: new OrgSecretGateway(ctx),
    aws: rt.aws,
    tenable: rt.tenable,
    ec2For: ec2Lookup({ profile: config.profile }),
    env: process.env,
    now: rt.now,
    sleep: rt.sleep,
    signal: rt.signal,
    ...(process.env.NESSUS_BYOL_SANDBOX_DIR ? { operationIntervalMs: 1000 } : {}),
    events: {
      log: (level, m) => (level === 'warn' ? out.warn(m) : level === 'debug' ? out.debug(m) : out.info(m)),
      result: (r) => out.info(`  ${r.action.toLowerCase()} ${r.account} ${r.region}: ${r.status}${r.reason ? ` — ${r.reason}` : ''}`),
      tick: (t, cells) => {
        const s = summaryLine(cells);
        if (s !== lastSummary || t % 10 === 0) out.info(`  tick ${t}: ${s}`);
        lastSummary = s;
      },
    },
  };
  return { deps, dispose: rt.dispose, signal: rt.signal };
}

export async function runOrgUp(g: GlobalOptions, flags: OrgUpFlags): Promise<void> {
  const out = outputFor(g);
  // Every flag is checked before anything is read or touched (exit 2).
  if (!flags.targets) throw new UsageError('org up needs --targets.', { hint: 'e.g. --targets ou-ab12-cdef3456 (OU ids), r-ab12,111122223333 (accounts in the root) or accounts.csv' });
  if (!flags.regions) throw new UsageError('org up needs --regions.', { hint: 'e.g. --regions us-east-1,eu-west-1' });
  const regions = parseRegions(flags.regions);
  const orgId = flags.orgId ?? process.env.NESSUS_BYOL_ORG_ID;
  if (!orgId || !isOrgId(orgId)) {
    throw new UsageError(orgId ? `--org-id ${orgId} is not an organization id (o-xxxxxxxxxx).` : 'org up needs --org-id (the linking key secret is shared with that organization only).', {
      hint: 'find it with `aws organizations describe-organization --query Organization.Id`; pass --org-id or set NESSUS_BYOL_ORG_ID',
    });
  }
  const maxConcurrent = parseOperationLimit('--max-concurrent', flags.maxConcurrent, 1);
  const failureTolerance = parseOperationLimit('--failure-tolerance', flags.failureTolerance, 0);
  const timeout = timeoutFlag(flags.timeout);
  const targets = await readTargets(flags.targets, regions);
  const config = await loadConfigFor(g, out);
  if (!(await confirmOrRefuse(g, out, `Deploy fleet ${config.fleet} to ${describeTargets(targets)} in ${regions.join(', ')} through a StackSet?`, 'org up'))) {
    throw new UsageError('Cancelled; nothing was changed.');
  }
  const { deps, dispose, signal } = orgDeps(config, out);
  let result: OrgUpResult;
  try {
    result = await orgUp(deps, {
      targets,
      regions,
      orgId,
      maxConcurrent,
      failureTolerance,
      wait: flags.wait,
      timeoutMs: timeout.timeoutMs ?? parseDuration(config.wait.timeout),
      intervalMs: parseDuration(config.wait.interval),
    });
  } catch (e) {
    if (signal.aborted) throw new InterruptedError('Interrupted; the StackSet operations already started continue in AWS (check with `nessus-byol org status`).');
    throw e;
  } finally {
    dispose();
  }
  if (!g.json) out.print(renderMatrix(result.cells, out.style));
  out.info(summaryLine(result.cells));
  const data = { ...result } as unknown as Record<string, unknown>;
  const next = `nessus-byol org status -f ${config.file}  ·  nessus-byol org down -f ${config.file}`;
  switch (result.outcome) {
    case 'ok':
    case 'not-waited':
      out.result(data);
      return;
    case 'stack-failed':
      throw new RuntimeError('ORG_STACKS_FAILED', `${result.counts['stack-failed']} account/region stack(s) failed; the other ${result.cells.length - result.counts['stack-failed']} are shown above.`, { hint: `see "Stack failures" for each reason, fix it and run org up again; ${next}`, data });
    case 'not-ready':
      throw new NotReadyError(`${result.counts.scanners - result.counts.scannersReady} scanner(s) linked but not ready in time.`, { hint: `plugins can take a while on first boot: ${next}`, data });
    case 'timeout':
      throw new LinkTimeoutError(`${result.counts.scanners - result.counts.scannersLinked} scanner(s) did not link in time.`, { hint: `check the instances' console output in those accounts; ${next}`, data });
  }
}

function describeTargets(t: OrgTargets): string {
  return t.ous.length ? `OUs ${t.ous.join(', ')}` : `${t.accounts.length} account(s) from ${t.source}`;
}

export async function runOrgStatus(g: GlobalOptions, flags: OrgStatusFlags): Promise<void> {
  const out = outputFor(g);
  const regions = flags.regions === undefined ? undefined : parseRegions(flags.regions);
  const config = await loadConfigFor(g, out);
  const { deps, dispose } = orgDeps(config, out);
  try {
    const s = await orgStatus(deps, regions);
    if (g.json) {
      out.result({ ...s });
      return;
    }
    if (!s.stackSet.exists) {
      out.print(`No StackSet ${s.stackSet.name}: run \`nessus-byol org up -f ${config.file} …\` first.`);
      return;
    }
    out.print(`${renderMatrix(s.cells, out.style)}\n\n${summaryLine(s.cells)}`);
  } finally {
    dispose();
  }
}

export async function runOrgDown(g: GlobalOptions, flags: OrgDownFlags): Promise<void> {
  const out = outputFor(g);
  const scope = flags.targets ? parseTargetList(flags.targets) : { ous: [], accounts: [] };
  if (scope.accounts.length) throw new UsageError('org down --targets takes OU or root ids only (it deletes every stack instance of the StackSet).', { hint: 'e.g. --targets r-ab12' });
  const maxConcurrent = parseOperationLimit('--max-concurrent', flags.maxConcurrent, 1);
  const failureTolerance = parseOperationLimit('--failure-tolerance', flags.failureTolerance, 0);
  const config = await loadConfigFor(g, out);
  if (!flags.dryRun && !(await confirmOrRefuse(g, out, `Delete every stack of fleet ${config.fleet} across the organisation, the StackSet and their Tenable records?`, 'org down'))) {
    throw new UsageError('Cancelled; nothing was changed.');
  }
  const { deps, dispose } = orgDeps(config, out);
  try {
    const r = await orgDown(deps, { scopeOus: scope.ous, keepShared: flags.keepShared, dryRun: flags.dryRun, maxConcurrent, failureTolerance });
    if (g.json) {
      out.result({ ...r });
      return;
    }
    const verb = r.dryRun ? 'Would delete' : 'Deleted';
    out.print(
      [
        `${verb} ${r.stackInstances.length} stack instance(s) and StackSet ${r.stackSet.name} (${r.stackSet.result}).`,
        `${verb} ${r.tenableRecords.length} Tenable record(s).`,
        `Organisation secret: ${r.secret}; KMS key: ${r.kmsKey}${r.kmsKey === 'scheduled' ? ' (7-day deletion window)' : ''}.`,
      ].join('\n'),
    );
  } finally {
    dispose();
  }
}
