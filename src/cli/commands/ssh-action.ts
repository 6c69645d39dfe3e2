import type { AwsGateways } from '../../app/gateways.js';
import type { SshOperation } from '../../app/ssh/operation-names.js';
import type { ScannerHostStatus } from '../../app/ssh/parse-status.js';
import { runSshOperation, type SshEvents, type SshOutcome } from '../../app/ssh/ssh.js';
import { tenableFromEnv } from '../../app/tenable-from-env.js';
import { InterruptedError, UsageError } from '../../core/errors.js';
import { loadConfigFor } from '../config-loader.js';
import type { GlobalOptions } from '../globals.js';
import { outputFor } from '../globals.js';
import type { Output } from '../output.js';
import type { SshCommandOptions } from './ssh.js';

export async function runSsh(
  g: GlobalOptions,
  args: { scanner: string; operation: SshOperation; command: string[] },
  opts: SshCommandOptions,
): Promise<void> {
  const out = outputFor(g);
  if (g.json && opts.follow)
    throw new UsageError('--follow streams text and cannot be combined with --json.', {
      hint: 'drop --json, or drop --follow to fetch the logs into files',
    });
  const config = await loadConfigFor(g, out);

  let gateways: Promise<AwsGateways> | undefined;
  // The AWS SDK loads only when the operation needs AWS (not with --host and secrets from the environment).
  const aws = () =>
    (gateways ??= import('../../app/gateways.js').then(({ createAwsGateways }) =>
      createAwsGateways({ region: config.region, profile: config.profile }),
    ));

  const events: SshEvents = {
    info: (m) => out.info(m),
    notice: (m) => out.notice(m),
    warn: (m) => out.warn(m),
    success: (m) => out.success(m),
    debug: (m) => {
      if (m) out.debug(m);
    },
    ...(g.json ? {} : { stdout: (c: Buffer) => void process.stdout.write(c) }),
    stderr: (c: Buffer) => void process.stderr.write(c),
  };

  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.on('SIGINT', onSigint);
  let outcome: SshOutcome;
  try {
    outcome = await runSshOperation(
      {
        config,
        operation: args.operation,
        scanner: args.scanner,
        host: opts.host,
        port: opts.port,
        user: opts.user,
        identity: opts.identity,
        jump: opts.jump,
        via: opts.via,
        acceptNewHostKey: opts.acceptNewHostKey,
        confirm: opts.confirm,
        out: opts.out,
        lines: opts.lines,
        follow: opts.follow,
        command: args.command,
        env: process.env,
        cwd: process.cwd(),
        signal: abort.signal,
      },
      {
        aws,
        tenable: () =>
          tenableFromEnv(
            config.tenableEndpoint,
            process.env,
            'confirm the link (and read a link.key.from: tenable-api key)',
            (m) => out.debug(m),
          ),
      },
      events,
    );
  } catch (e) {
    if (abort.signal.aborted) throw new InterruptedError();
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
  }
  if (abort.signal.aborted) throw new InterruptedError();
  render(outcome, out);
}

function render(outcome: SshOutcome, out: Output): void {
  if (out.json) {
    out.result({ ...outcome });
    return;
  }
  const s = outcome.scanner;
  switch (outcome.operation) {
    case 'status':
      out.print(renderStatus(s.name, s.instanceId, outcome.status));
      return;
    case 'link':
    case 'relink':
      out.print(
        outcome.confirmed
          ? `${s.name}: ${outcome.operation === 'relink' ? 'relinked' : 'linked'}; Tenable shows it linked (id ${outcome.tenable?.id}, status ${outcome.tenable?.status}).`
          : `${s.name}: ${outcome.operation === 'relink' ? 'relinked' : 'linked'} (not confirmed through the Tenable API).`,
      );
      return;
    case 'activate':
      out.print(`${s.name}: activated.`);
      return;
    case 'logs':
      if (outcome.dir) {
        const fetched = (outcome.files ?? []).filter((f) => f.local).length;
        out.print(`${s.name}: ${fetched} log file(s) in ${outcome.dir}`);
      }
      return;
    case 'run':
      return; // its output was streamed
  }
}

function renderStatus(name: string, instanceId: string | undefined, st: ScannerHostStatus): string {
  const rows = [
    `${name}${instanceId ? ` (${instanceId})` : ''}`,
    `  link:     ${st.linked ? `linked to ${st.linkedTo}` : 'not linked'}`,
    `  nessusd:  ${st.service}`,
    `  version:  ${st.version ?? 'unknown'}`,
    `  plugins:  ${st.pluginSet ? `loaded (plugin set ${st.pluginSet})` : 'not loaded'}`,
  ];
  return rows.join('\n');
}
