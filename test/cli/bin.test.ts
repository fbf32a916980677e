// The compiled `gatehouse` bin run as an operator runs it (by its path, its shebang choosing the
// interpreter): the server gets the Node and glibc settings the shebang gives (src/cli/main.ts),
// and an operator's own NODE_OPTIONS come after them, so their values win. Linux (/proc). Build first.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { assertBuilt, CLI } from '../reliability/server-process.js';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

/** `gatehouse serve` on a fresh data folder; the environment its process actually runs with. */
async function serveEnvironment(nodeOptions?: string): Promise<Map<string, string>> {
  assertBuilt();
  const dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-bin-'));
  const env: NodeJS.ProcessEnv = { PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH}`, HOME: dataDir };
  if (nodeOptions) env.NODE_OPTIONS = nodeOptions;
  const child = spawn(CLI, ['serve', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir], { env, stdio: 'pipe' });
  const exited = new Promise((done) => child.once('exit', done));
  stops.push(async () => {
    child.kill('SIGTERM');
    await exited;
    await rm(dataDir, { recursive: true, force: true });
  });
  let printed = '';
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      printed += chunk.toString('utf8');
      const found = /http:\/\/127\.0\.0\.1:\d+/.exec(printed);
      if (found) resolve(found[0]);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`gatehouse exited ${code}: ${printed}`)));
    // A bin that cannot start (not executable, no env -S) never exits: it fails to spawn.
    child.once('error', reject);
  });
  // It is the server itself (env replaced itself with node) and it answers.
  expect((await fetch(`${url}/-/ping`)).status).toBe(200);
  const environ = await readFile(`/proc/${child.pid}/environ`, 'utf8');
  return new Map(environ.split('\0').map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]));
}

describe('the gatehouse bin', () => {
  it('starts the server with 4 MB semi-spaces and a fixed mmap threshold', async () => {
    const env = await serveEnvironment();
    expect(env.get('NODE_OPTIONS')?.trim()).toBe('--max-semi-space-size=4');
    expect(env.get('MALLOC_MMAP_THRESHOLD_')).toBe('131072');
  });

  it("puts the operator's NODE_OPTIONS after its own, so that the operator's value is the one used", async () => {
    const env = await serveEnvironment('--max-semi-space-size=16 --no-warnings');
    expect(env.get('NODE_OPTIONS')).toBe('--max-semi-space-size=4 --max-semi-space-size=16 --no-warnings');
  });
});
