import { Ec2ScanGateway } from '../../adapters/aws/ec2-scan.js';
import { tenableScans, type ExportFormat } from '../../adapters/tenable/scans.js';
import { createAwsGateways } from '../../app/gateways.js';
import { parseSeverity } from '../../app/scan/results.js';
import { runScan, type ScanRunResult } from '../../app/scan/run.js';
import { tenableFromEnv } from '../../app/tenable-from-env.js';
import { sleep } from '../../app/time.js';
import { CheckFailedError, UsageError } from '../../core/errors.js';
import { loadConfigFor } from '../config-loader.js';
import { confirmOrRefuse, requireYesWithoutTty } from '../fleet-runtime.js';
import { outputFor, type GlobalOptions } from '../globals.js';
import { renderScanResult } from '../render-scan.js';
import { timeoutFlag } from '../timeout-flag.js';
import type { ScanFlags } from './scan.js';
import { withScanProgress } from './scan-progress.js';

const TAG_FLAG = /^([^=]{1,128})=(.{0,256})$/;

export interface CheckedScanFlags {
  targets?: string[];
  targetTag?: { key: string; value: string };
  targetFile?: string;
  exclude: string[];
  timeoutMs: number;
  export?: { format: ExportFormat; path: string; chapters?: string[] };
  failOn?: ReturnType<typeof parseSeverity> & string;
  top: number;
}

/** Every flag problem at once (exit 2), before anything is looked up. */
export function checkScanFlags(flags: ScanFlags): CheckedScanFlags {
  const problems: string[] = [];
  const out: CheckedScanFlags = { exclude: [], timeoutMs: 0, top: 10 };
  if (flags.targets !== undefined) out.targets = [flags.targets];
  if (flags.targetFile !== undefined) out.targetFile = flags.targetFile;
  if (flags.targetTag !== undefined) {
    const m = TAG_FLAG.exec(flags.targetTag);
    if (!m) problems.push(`--target-tag "${flags.targetTag}" must be Key=Value`);
    else out.targetTag = { key: m[1]!, value: m[2]! };
  }
  if (flags.exclude !== undefined) out.exclude = [flags.exclude];
  try {
    out.timeoutMs = timeoutFlag(flags.timeout).timeoutMs ?? 2 * 3_600_000;
  } catch (e) {
    problems.push((e as Error).message.replace(/\.$/, ''));
  }
  if (flags.failOn !== undefined) {
    const s = parseSeverity(flags.failOn);
    if (!s) problems.push(`--fail-on "${flags.failOn}" must be critical, high, medium, low or info`);
    else out.failOn = s;
  }
  if (!flags.wait && flags.failOn !== undefined) problems.push('--fail-on needs the results, so it cannot be combined with --no-wait');
  if (!flags.wait && flags.export !== undefined) problems.push('--export needs the results, so it cannot be combined with --no-wait');
  if (flags.export !== undefined && !flags.out) problems.push('--export needs --out FILE');
  if (flags.out !== undefined && flags.export === undefined) problems.push('--out applies only with --export nessus|csv|html|pdf');
  if (flags.chapters !== undefined && flags.export !== 'html' && flags.export !== 'pdf') problems.push('--chapters applies only to --export html or pdf');
  if (flags.export !== undefined && flags.out) {
    out.export = {
      format: flags.export as ExportFormat,
      path: flags.out,
      ...(flags.chapters ? { chapters: flags.chapters.split(',').map((c) => c.trim()).filter(Boolean) } : {}),
    };
  }
  const top = /^\d+$/.test(flags.top) ? Number(flags.top) : NaN;
  if (!Number.isInteger(top) || top < 1 || top > 100) problems.push(`--top "${flags.top}" must be a whole number from 1 to 100`);
  else out.top = top;
  if (problems.length) {
    throw new UsageError(problems.length === 1 ? `Invalid option: ${problems[0]}.` : `Invalid options:\n  ${problems.join('\n  ')}`, {
      hint: 'run `nessus-byol scan --help` for usage',
      data: { problems },
    });
  }
  return out;
}

export async function runScanCommand(g: GlobalOptions, flags: ScanFlags): Promise<void> {
  const out = outputFor(g);
  const checked = checkScanFlags(flags);
  const config = await loadConfigFor(g, out);
  requireYesWithoutTty(g, out, 'scan');
  const aws = createAwsGateways({ region: config.region, profile: config.profile });
  const tenable = tenableFromEnv(config.tenableApiUrl, process.env, 'create, launch and read scans', (m) => out.debug(m));

  const result: ScanRunResult = await withScanProgress(g, out, `Scan of fleet ${config.fleet}`, (signal, events) =>
    runScan(
      {
        config,
        aws,
        ec2Scan: new Ec2ScanGateway(aws.ec2.client),
        tenable,
        scans: tenableScans(tenable),
        signal,
        now: Date.now,
        sleep,
      },
      {
        ...checked,
        scanner: flags.scanner,
        template: flags.template,
        wait: flags.wait,
        stopOnExit: flags.stopOnExit,
      },
      { ...events, confirm: (q) => confirmOrRefuse(g, out, q, 'scan') },
    ),
  );
  if (!g.json) out.print(renderScanResult(result, out.style));
  if (result.failOn?.failed) {
    throw new CheckFailedError(`${result.failOn.findings} finding(s) at or above ${result.failOn.severity} in scan "${result.scan.name}" (--fail-on ${result.failOn.severity}).`, {
      hint: 'fix or accept them in Tenable; `nessus-byol sechub` sends them to AWS Security Hub',
      data: { ...result },
    });
  }
  if (!flags.wait) out.notice(`scan ${result.scan.id} runs in Tenable; run the same command again to attach and wait for its results`);
  out.result({ ...result });
}
