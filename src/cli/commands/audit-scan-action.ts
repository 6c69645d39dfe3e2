import { existsSync } from 'node:fs';
import { tenableScans } from '../../adapters/tenable/scans.js';
import { runAuditScan, type AuditScanResult } from '../../app/audit-scan/run.js';
import { createAwsGateways } from '../../app/gateways.js';
import { tenableFromEnv } from '../../app/tenable-from-env.js';
import { parseDuration, sleep } from '../../app/time.js';
import { regionSchema } from '../../config/schema.js';
import type { ResolvedConfig } from '../../config/resolve.js';
import { CheckFailedError, UsageError } from '../../core/errors.js';
import { Secret } from '../../core/secret.js';
import { loadConfigFor } from '../config-loader.js';
import { outputFor, type GlobalOptions } from '../globals.js';
import { renderAuditScanResult } from '../render-scan.js';
import { timeoutFlag } from '../timeout-flag.js';
import { auditTenableUrl } from './audit-options.js';
import { withScanProgress } from './scan-progress.js';

export interface AuditScanFlags {
  regions?: string;
  audit?: string;
  credentialName: string;
  scanner?: string;
  group?: string;
  wait: boolean;
  timeout: string;
  stopOnExit: boolean;
  failOn?: string;
  debug: boolean;
  dbOut?: string;
}

export const DB_PASSWORD_ENV = 'NESSUS_BYOL_SCAN_DB_PASSWORD';

/** The Scan DB password: the environment, else a prompt on a terminal; never argv. */
async function dbPassword(env: NodeJS.ProcessEnv, interactive: boolean): Promise<Secret> {
  const fromEnv = env[DB_PASSWORD_ENV];
  if (fromEnv) return new Secret(fromEnv, DB_PASSWORD_ENV);
  if (!interactive) {
    throw new UsageError(`--debug needs a password to encrypt the Scan DB, and ${DB_PASSWORD_ENV} is not set (no terminal to ask on).`, {
      hint: `export ${DB_PASSWORD_ENV} (e.g. from your CI secret store); it is never taken from the command line`,
    });
  }
  const { password } = await import('@inquirer/prompts');
  const value = await password({ message: 'Password to encrypt the Scan DB with:', mask: true, validate: (v) => v.length >= 8 || 'at least 8 characters' }, { output: process.stderr });
  return new Secret(value, 'Scan DB password');
}

export async function runAuditScanCommand(g: GlobalOptions, flags: AuditScanFlags, env: NodeJS.ProcessEnv): Promise<void> {
  const out = outputFor(g);
  const problems: string[] = [];
  let timeoutMs = 2 * 3_600_000;
  try {
    timeoutMs = timeoutFlag(flags.timeout).timeoutMs ?? timeoutMs;
  } catch (e) {
    problems.push((e as Error).message.replace(/\.$/, ''));
  }
  const regionList = flags.regions?.split(',').map((r) => r.trim()).filter(Boolean);
  for (const r of regionList ?? []) if (!regionSchema.safeParse(r).success) problems.push(`--regions: "${r}" is not an AWS region name`);
  if (regionList?.length === 0) problems.push('--regions is empty');
  if (flags.scanner !== undefined && flags.group !== undefined) problems.push('give --scanner or --group, not both');
  if (!flags.wait && flags.failOn !== undefined) problems.push('--fail-on needs the results, so it cannot be combined with --no-wait');
  if (!flags.wait && flags.debug) problems.push('--debug downloads the Scan DB after the scan, so it cannot be combined with --no-wait');
  if (flags.dbOut !== undefined && !flags.debug) problems.push('--db-out applies only with --debug');
  if (problems.length) {
    throw new UsageError(problems.length === 1 ? `Invalid option: ${problems[0]}.` : `Invalid options:\n  ${problems.join('\n  ')}`, {
      hint: 'run `nessus-byol audit scan --help` for usage',
      data: { problems },
    });
  }

  // The fleet is needed for its scanners (--scanner/--group) and gives the default region and poll interval.
  const needFleet = flags.scanner !== undefined || flags.group !== undefined;
  let config: ResolvedConfig | undefined;
  if (needFleet || existsSync(g.file ?? 'fleet.yaml')) config = await loadConfigFor(g, out);
  const regions = regionList ?? (config ? [config.region] : [env.AWS_REGION || env.AWS_DEFAULT_REGION].filter((r): r is string => Boolean(r)));
  if (regions.length === 0) {
    throw new UsageError('audit scan does not know which AWS regions to audit.', { hint: 'pass --regions us-east-1[,…], give the fleet file with -f, or set AWS_REGION' });
  }
  const debug = flags.debug ? { password: await dbPassword(env, out.interactive), path: flags.dbOut ?? 'nessus-byol-audit-scan.db' } : undefined;

  const tenable = tenableFromEnv(config?.tenableApiUrl ?? auditTenableUrl(env), env, 'create, launch and read the audit scan', (m) => out.debug(m));
  const result: AuditScanResult = await withScanProgress(g, out, 'Audit Cloud Infrastructure scan', (signal, events) =>
    runAuditScan(
      {
        tenable,
        scans: tenableScans(tenable),
        ...(config ? { fleet: { config, aws: createAwsGateways({ region: config.region, profile: config.profile }) } } : {}),
        signal,
        now: Date.now,
        sleep,
      },
      {
        credentialName: flags.credentialName,
        regions,
        audit: flags.audit,
        scanner: flags.scanner,
        group: flags.group,
        wait: flags.wait,
        timeoutMs,
        intervalMs: Math.max(1000, config ? parseDuration(config.wait.interval) : 10_000),
        stopOnExit: flags.stopOnExit,
        failOnFailed: flags.failOn === 'failed',
        debug,
      },
      events,
    ),
  );
  if (!g.json) out.print(renderAuditScanResult(result, out.style));
  if (result.debug) out.notice(`Scan DB saved to ${result.debug.path} (mode 0600); give it and its password to Tenable Support`);
  if (result.failOn?.failed) {
    throw new CheckFailedError(`${result.failOn.count} compliance check(s) failed in "${result.scan.name}" (audit file ${result.audit.name}).`, {
      hint: 'fix the failed checks listed (each has its solution in Tenable: Scans → the scan → Audits)',
      data: { ...result },
    });
  }
  out.result({ ...result });
}
