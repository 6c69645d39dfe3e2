// `npm test`'s preflight: says which programs the suites need are missing and how to install them.
// On a developer's machine the suites that need them then skip, and the run's summary names them;
// in CI (CI=true) a missing program fails the run, because .ci/run installs every one of them.
//   node scripts/preflight.mjs                     report (exit 1 in CI when something is missing)
//   node scripts/preflight.mjs --debian-packages   print the Debian packages of the missing programs
import { missingTestTools } from './test-tools.mjs';

const missing = missingTestTools();
if (process.argv.includes('--debian-packages')) {
  process.stdout.write(`${[...new Set(missing.flatMap((t) => (t.debian ? [t.debian] : [])))].join(' ')}\n`);
  process.exit(0);
}
if (missing.length === 0) process.exit(0);

const ci = Boolean(process.env.CI) && process.env.CI !== 'false';
const lines = [
  `preflight: ${missing.length} program${missing.length === 1 ? '' : 's'} the tests need ${missing.length === 1 ? 'is' : 'are'} missing:`,
  ...missing.map((t) => `  - ${t.name.padEnd(12)} ${t.install.padEnd(38)} (for: ${t.suites})`),
  ci
    ? 'preflight: CI=true, so this fails the run: .ci/run installs them (apt-get update first).'
    : 'preflight: the suites that need them will be SKIPPED and named at the end of the run; install them for a full run.',
];
process.stderr.write(`${lines.join('\n')}\n`);
process.exit(ci ? 1 : 0);
