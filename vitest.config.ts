import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Most files wait on moto, the simulator and child CLIs rather than compute, and each starts its own
    // servers on free ports: three at once on a 2-core machine halves the wall time (vitest's default
    // there is one file at a time).
    maxWorkers: 3,
    env: { NO_COLOR: '1' },
    reporters: ['default', './test/helpers/skipped-suites-reporter.ts'],
  },
});
