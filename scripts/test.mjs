// The whole test suite, as the README's test command and .ci/run run it: type-check, lint, then
// every vitest file (both database engines, real clients, real Chromium). Builds dist/ first,
// because the crash and client tests run the compiled `gatehouse` command.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const node = process.execPath;

function step(title, args) {
  process.stdout.write(`\n== ${title}\n`);
  const result = spawnSync(node, args, { stdio: 'inherit', env: process.env });
  if (result.status !== 0) {
    process.stdout.write(`\n${title} failed.\n`);
    process.exit(result.status ?? 1);
  }
}

const tsc = require.resolve('typescript/bin/tsc');
step('build', [tsc, '-p', 'tsconfig.build.json']);
step('type-check', [tsc, '--noEmit', '-p', 'tsconfig.json']);
step('lint', [require.resolve('eslint/bin/eslint.js'), 'src', 'test', 'scripts', 'bench']);
step('tests', [require.resolve('vitest/vitest.mjs'), 'run', ...process.argv.slice(2)]);
