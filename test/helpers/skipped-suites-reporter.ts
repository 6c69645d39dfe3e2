import type { Reporter, TestModule } from 'vitest/node';
import { missingTestTools } from '../../scripts/test-tools.mjs';

/**
 * Names every skipped test at the end of the run, grouped by file and top-level suite, with the
 * programs the preflight found missing: a suite that skips for lack of sshd or tmux is never silent.
 */
export default class SkippedSuitesReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const groups = new Map<string, number>();
    for (const mod of modules) {
      for (const test of mod.children.allTests('skipped')) {
        const suite = test.fullName.split(' > ')[0] ?? test.name;
        const key = `${mod.relativeModuleId} > ${suite}`;
        groups.set(key, (groups.get(key) ?? 0) + 1);
      }
    }
    if (groups.size === 0) return;
    const missing = missingTestTools();
    const lines = [
      '',
      `Skipped suites (${groups.size}):`,
      ...[...groups].map(([name, n]) => `  - ${name} (${n} test${n === 1 ? '' : 's'})`),
      missing.length > 0
        ? `  missing programs: ${missing.map((t) => `${t.name} (${t.install})`).join(', ')}`
        : '  no program the tests need is missing: these skip for a reason of their own',
      '',
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  }
}
