// The whole test suite, as the README's test command and .ci/run run it: type-check, formatting
// check, lint, then every vitest file (both database engines, real clients, real Chromium). Builds
// dist/ first, because the crash and client tests run the compiled `gatehouse` command.
import { spawnSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const node = process.execPath;
const bin = (path) => fileURLToPath(new URL(`../node_modules/${path}`, import.meta.url));

function step(title, args) {
  process.stdout.write(`\n== ${title}\n`);
  const result = spawnSync(node, args, { stdio: 'inherit', env: process.env });
  if (result.status !== 0) {
    process.stdout.write(`\n${title} failed.\n`);
    process.exit(result.status ?? 1);
  }
}

const tsc = bin('typescript/bin/tsc');
step('build', [tsc, '-p', 'tsconfig.build.json']);
// The bin runs by its path (its shebang sets Node's flags): it must stay executable.
chmodSync(fileURLToPath(new URL('../dist/cli/main.js', import.meta.url)), 0o755);
step('type-check', [tsc, '--noEmit', '-p', 'tsconfig.json']);
step('format check', [bin('prettier/bin/prettier.cjs'), '--check', 'src', 'test', 'scripts', 'bench']);
step('lint', [bin('eslint/bin/eslint.js'), 'src', 'test', 'scripts', 'bench']);
step('tests', [bin('vitest/vitest.mjs'), 'run', ...process.argv.slice(2)]);
