import { configDefaults, defineConfig } from 'vitest/config';

// Two tiers, both run by `npm test`. fast (`npm run test:fast`) is everything in-process: the app
// through inject() or a listening port, both engines, no child process. slow starts real processes:
// npm/pnpm/yarn clients, Chromium, and the compiled `gatehouse` command (build dist/ first). A new
// test file that spawns anything belongs in SLOW, or the fast tier stops being fast.
const SLOW = [
  'test/e2e/**/*.test.ts', // real npm, pnpm and yarn
  'test/web/browser.test.ts', // Chromium
  'test/cli/**/*.test.ts', // the compiled CLI, and npm for `gatehouse import`
  'test/reliability/crash.test.ts', // server processes killed mid-publish
  'test/reliability/database-connections.test.ts', // server processes
  'test/http/login-log.test.ts', // a server process's log
];

// Two cores: files run in two forked workers. Client end-to-end tests spawn real npm/pnpm/yarn
// processes, so their timeouts are generous; nothing here asserts on timing.
export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default'],
    projects: [
      { extends: true, test: { name: 'fast', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, ...SLOW] } },
      { extends: true, test: { name: 'slow', include: SLOW } },
    ],
  },
});
