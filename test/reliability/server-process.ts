// Runs the compiled `gatehouse` command as a child process, the way an operator does, so tests
// can SIGKILL or SIGTERM a real server and start it again on the same data. It passes settings
// only through flags and GATEHOUSE_* variables it sets itself, never the caller's.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import type { Config } from '../../src/config.js';
import type { TestDatabase } from '../support/engines.js';

export const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export function assertBuilt(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (node scripts/prepare.mjs).`);
}

function childEnv(config: Config, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('GATEHOUSE_')) env[key] = value;
  if (config.databaseUrl) env.GATEHOUSE_DATABASE_URL = config.databaseUrl;
  return { ...env, ...extra };
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  exited: Promise<ExitStatus>;
  /** Resolves with the first output line that contains `text` (already printed ones count). */
  waitForOutput(text: string): Promise<string>;
  /** Everything printed so far, for failure messages. */
  output(): string;
  kill(signal: NodeJS.Signals): Promise<ExitStatus>;
}

function exitOf(child: ChildProcess): Promise<ExitStatus> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** `gatehouse serve --port 0` on the config's data folder (and database); resolves once it listens. */
export async function startServer(config: Config, opts: { logLevel?: string } = {}): Promise<ServerProcess> {
  const args = [CLI, 'serve', '--host', '127.0.0.1', '--port', '0', '--data-dir', config.dataDir];
  const child = spawn(process.execPath, args, {
    env: childEnv(config, { GATEHOUSE_LOG_LEVEL: opts.logLevel ?? 'warn' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = exitOf(child);
  let printed = '';
  const waiters: { text: string; resolve: (line: string) => void }[] = [];
  const onData = (chunk: Buffer) => {
    printed += chunk.toString('utf8');
    for (const waiter of [...waiters]) {
      const line = printed.split('\n').find((l) => l.includes(waiter.text));
      if (line !== undefined) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const waitForOutput = (text: string) =>
    new Promise<string>((resolve, reject) => {
      waiters.push({ text, resolve });
      onData(Buffer.alloc(0));
      void exited.then((status) =>
        reject(new Error(`server exited (${JSON.stringify(status)}) before printing "${text}":\n${printed}`)),
      );
    });
  const line = await waitForOutput('Gatehouse listening on ');
  const url = /listening on (http:\/\/\S+)/.exec(line)?.[1];
  if (!url) throw new Error(`no URL in: ${line}`);
  return {
    url,
    child,
    exited,
    waitForOutput,
    output: () => printed,
    async kill(signal) {
      child.kill(signal);
      return exited;
    },
  };
}

/** `gatehouse user create NAME --email E --password-stdin`, as the README bootstraps a registry. */
export async function createUserByCli(config: Config, name: string, password: string): Promise<void> {
  const args = [CLI, 'user', 'create', name, '--email', `${name}@example.com`, '--password-stdin', '--data-dir', config.dataDir];
  const child = spawn(process.execPath, args, { env: childEnv(config, {}), stdio: ['pipe', 'pipe', 'pipe'] });
  let printed = '';
  child.stdout!.on('data', (c: Buffer) => (printed += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (printed += c.toString('utf8')));
  const exited = exitOf(child);
  child.stdin!.end(`${password}\n`);
  const status = await exited;
  if (status.code !== 0) throw new Error(`user create ${name} failed (${JSON.stringify(status)}):\n${printed}`);
}

/**
 * The servers and databases a test file starts, cleaned up after each test: servers still running
 * are SIGKILLed (a crash test's survivors), then the databases are dropped. Call at the top level.
 */
export function cleanedUpAfterEach(): { running: ServerProcess[]; databases: TestDatabase[] } {
  const running: ServerProcess[] = [];
  const databases: TestDatabase[] = [];
  afterEach(async () => {
    for (const server of running.splice(0))
      if (server.child.exitCode === null && server.child.signalCode === null) await server.kill('SIGKILL');
    for (const db of databases.splice(0)) await db.dispose();
  });
  return { running, databases };
}
