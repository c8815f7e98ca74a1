/**
 * The full fault suite (`npm run test:faults`, i.e. `vitest run --config test/fault/vitest.config.ts`):
 * the issue-8 sizes (RXFLUME_FAULTS=full: 20 kills over ≥ 200 k lines, a 30 s broker outage,
 * 100 rotations, …), one scenario file at a time so they do not compete for the machine's two
 * cores, with long timeouts. The short sizes of the same files run inside `npm test` (the root
 * vitest.config.ts includes test/**).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['test/fault/**/*.test.ts'],
    env: { RXFLUME_FAULTS: 'full' },
    testTimeout: 1_800_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
