import { configDefaults, defineConfig } from 'vitest/config';

// Two tiers, both run by `npm test`. fast (`npm run test:fast`) is in-process: the app through
// inject() or a listening port, both engines, no child process. slow starts
// real processes: npm/pnpm/yarn clients, Chromium and the compiled `gatehouse` command (build dist/
// first), plus two CPU-bound files. A new test file that spawns anything belongs in SLOW.
const SLOW = [
  'test/e2e/**/*.test.ts', // real npm, pnpm and yarn
  'test/web/browser.test.ts', // Chromium
  'test/web/account-browser.test.ts', // Chromium
  'test/cli/**/*.test.ts', // the compiled CLI, and npm for `gatehouse import`
  'test/reliability/crash.test.ts', // server processes killed mid-publish
  'test/reliability/database-connections.test.ts', // server processes
  'test/domain/mail/outbox-crash.test.ts', // server processes killed mid-send
  'test/http/login-log.test.ts', // a server process's log
  // in-process, but CPU-bound for most of a minute each: crafted READMEs rendered against their
  // time limit, and publishes raced under load; they would keep the fast tier over a minute
  'test/web/readme.test.ts',
  'test/reliability/concurrent-publish.test.ts',
  'test/web/report-browser.test.ts', // Chromium
  'test/client/audit.test.ts', // the compiled CLI, and npm to install the audited project
  'test/client/reachability*.test.ts', // the compiled CLI, and npm to install the app's dependencies
  'test/client/sbom-tree.test.ts', // the stock npm writes the lockfile; the compiled CLI writes the SBOM
  'test/client/trust-install.test.ts', // the stock npm writes the lockfile; the compiled CLI installs it
  'test/client/audit-install.test.ts', // the stock npm writes the lockfile; the compiled CLI installs and audits it
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
      // isolate: false reuses a worker's module graph across files (a third less time): no fast test
      // mocks modules, stubs globals or sets process.env, and each opens its own registry and database
      {
        extends: true,
        test: { name: 'fast', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, ...SLOW], isolate: false },
      },
      { extends: true, test: { name: 'slow', include: SLOW } },
    ],
  },
});
