import { defineConfig } from 'vitest/config';

// Two cores: files run in two forked workers. Client end-to-end tests spawn real npm/pnpm/yarn
// processes, so their timeouts are generous; nothing here asserts on timing.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
