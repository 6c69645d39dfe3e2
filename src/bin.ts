// The CLI proper (loaded by entry.ts once the Node version is checked): parse argv, run, map errors to exit codes — the only place that exits the process.

import { CommanderError } from 'commander';
import { buildProgram } from './cli/program.js';
import { renderError } from './cli/render-error.js';
import { ExitCode, InterruptedError } from './core/errors.js';

async function main(argv: string[]): Promise<number> {
  const wantsJson = argv.includes('--json');
  const verbose = argv.includes('--verbose');
  const program = buildProgram({
    writeErr: (s) => {
      if (!wantsJson) process.stderr.write(s);
    },
  });
  try {
    await program.parseAsync(argv);
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return ExitCode.ok; // --help, --version
      if (wantsJson) {
        process.stdout.write(
          `${JSON.stringify({ ok: false, error: { code: 'USAGE', message: error.message.replace(/^error: /, ''), hint: 'run with --help for usage' } }, null, 2)}\n`,
        );
      }
      return ExitCode.usage;
    }
    const rendered = renderError(error, { verbose });
    if (wantsJson) process.stdout.write(`${JSON.stringify(rendered.json, null, 2)}\n`);
    process.stderr.write(`${rendered.text}\n`);
    return rendered.exitCode;
  }
}

// `nessus-byol … | head` closes the pipe early: stop quietly, as other CLIs do, instead of a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

let interrupted = false;
process.on('SIGINT', () => {
  // Commands that create resources install their own handler to clean up first; this is the fallback.
  if (process.listenerCount('SIGINT') > 1 || interrupted) return;
  interrupted = true;
  const rendered = renderError(new InterruptedError(), { verbose: false });
  process.stderr.write(`\n${rendered.text}\n`);
  process.exit(ExitCode.interrupted);
});

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${renderError(error, { verbose: true }).text}\n`);
    process.exitCode = ExitCode.runtime;
  },
);
