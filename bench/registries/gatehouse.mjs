// Gatehouse itself, from this repository's build (dist/), with a fresh data directory and one admin
// user whose token the benchmark uses. Never builds or edits the sources: a missing or stale build is
// reported so that the numbers are not silently of old code.

import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand, startServer, stockEnv } from '../processes.mjs';
import { legacyLogin } from '../wire.mjs';

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** dataDir: a folder already seeded (the memory benchmark's); a fresh one under workDir otherwise. */
/** nodeArgs: flags for the server's node alone, such as --cpu-prof (not allowed in NODE_OPTIONS). */
export async function startGatehouse({ repo, workDir, log, dataDir = join(workDir, 'gatehouse'), nodeArgs = [] }) {
  const main = join(repo, 'dist/cli/main.js');
  if (!existsSync(main)) throw new Error('dist/cli/main.js is missing: run `npm run build` first');
  if (existsSync(join(repo, 'src')) && newestMtime(join(repo, 'src')) > statSync(main).mtimeMs) {
    log('warning: src/ has files newer than dist/cli/main.js; run `npm run build` to bench the current code');
  }
  await mkdir(dataDir, { recursive: true });
  const password = randomBytes(12).toString('hex');
  const node = process.execPath;
  // Verdaccio runs at log level warn too; per-request info lines would be measured, not the registry.
  const env = stockEnv({ GATEHOUSE_LOG_LEVEL: process.env.GATEHOUSE_LOG_LEVEL ?? 'warn' });

  const created = await runCommand(
    node,
    [main, 'user', 'create', 'bench', '--email', 'bench@example.com', '--password-stdin', '--admin', '--data-dir', dataDir],
    { cwd: repo, env, input: `${password}\n` },
  );
  if (created.code !== 0) {
    throw new Error(
      `\`gatehouse user create\` exited ${created.code}: ${(created.stderr || created.stdout).trim().slice(0, 500)}`,
    );
  }

  const server = await startServer({
    name: 'gatehouse',
    command: node,
    args: [...nodeArgs, main, 'serve', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir],
    cwd: repo,
    // BENCH_SERVER_NODE_OPTIONS: Node/V8 flags for the server alone (not npm or the load generator).
    env: process.env.BENCH_SERVER_NODE_OPTIONS ? { ...env, NODE_OPTIONS: process.env.BENCH_SERVER_NODE_OPTIONS } : env,
    logFile: join(workDir, 'gatehouse.log'),
    readyPattern: /http:\/\/127\.0\.0\.1:(\d+)/,
    timeoutMs: 30_000,
  });
  const url = `http://127.0.0.1:${server.match[1]}`;
  try {
    const token = await legacyLogin(url, { name: 'bench', password, email: 'bench@example.com' });
    const { pid } = server.child;
    return { name: 'gatehouse', label: 'Gatehouse', version: 'working tree', url, token, pid, stop: server.stop };
  } catch (err) {
    await server.stop();
    throw err;
  }
}
