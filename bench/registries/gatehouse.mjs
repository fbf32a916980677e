// Gatehouse itself, from this repository's build (dist/), with a fresh data directory and one admin
// user whose token the benchmark uses. Never builds or edits the sources: a missing or stale build is
// reported so that the numbers are not silently of old code.

import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
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

/**
 * How the kernel runs the `gatehouse` bin: its shebang's interpreter and argument, then `nodeArgs`
 * and the script. So the server gets the Node flags its shebang gives (src/cli/main.ts), as
 * `gatehouse serve` does for users, without depending on the file's exec bit.
 */
function asTheBinRuns(main, nodeArgs) {
  const shebang = /^#!(\S+) (.*)$/m.exec(readFileSync(main, 'utf8').split('\n', 1)[0]);
  if (!shebang) throw new Error(`${main} has no shebang line`);
  return { command: shebang[1], args: [shebang[2], ...nodeArgs, main] };
}

/** dataDir: a folder already seeded (the memory benchmark's); a fresh one under workDir otherwise. */
/** nodeArgs: flags for the server's node alone, such as --cpu-prof (not allowed in NODE_OPTIONS). */
/** readyTimeoutMs: how long `serve` may take to listen (opening a data dir of 100 000 versions on a busy machine takes minutes). */
export async function startGatehouse({
  repo,
  workDir,
  log,
  dataDir = join(workDir, 'gatehouse'),
  nodeArgs = [],
  readyTimeoutMs = 30_000,
}) {
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

  const bin = asTheBinRuns(main, nodeArgs);
  // The shebang's `node` is found on PATH: the one running this benchmark (and the bare server) first.
  const serverEnv = { ...env, PATH: `${dirname(node)}${delimiter}${env.PATH}` };
  // BENCH_SERVER_NODE_OPTIONS: Node/V8 flags for the server alone (not npm or the load generator).
  if (process.env.BENCH_SERVER_NODE_OPTIONS) serverEnv.NODE_OPTIONS = process.env.BENCH_SERVER_NODE_OPTIONS;
  const server = await startServer({
    name: 'gatehouse',
    command: bin.command,
    args: [...bin.args, 'serve', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir],
    cwd: repo,
    env: serverEnv,
    logFile: join(workDir, 'gatehouse.log'),
    readyPattern: /http:\/\/127\.0\.0\.1:(\d+)/,
    timeoutMs: readyTimeoutMs,
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
