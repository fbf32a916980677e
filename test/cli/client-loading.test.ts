// Client commands start light: running one imports its own module tree and the pure domain modules
// it needs, never the server framework or a database driver (src/client/command.ts). A resolve hook
// registered before the bin's code records every module the process loads. Build first.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLIENT_COMMANDS } from '../../src/client/command.js';
import { assertBuilt, CLI } from '../reliability/server-process.js';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-loading-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HOOK = `
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(process.env.LOADED_LOG, resolved.url + '\\n');
  return resolved;
}`;
const REGISTER = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOK)}`)});`;

function loadedBy(args: string[]): { status: number | null; loaded: string[] } {
  assertBuilt();
  const log = join(dir, `${args[0]}-${args.length}.log`);
  const result = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(REGISTER)}`, CLI, ...args], {
    env: { ...process.env, LOADED_LOG: log },
    encoding: 'utf8',
  });
  return { status: result.status, loaded: readFileSync(log, 'utf8').split('\n').filter(Boolean) };
}

const SERVER_ONLY =
  /\/node_modules\/(fastify|@fastify|pg|kysely|better-sqlite3|ioredis|nodemailer)\/|\/dist\/(http|storage|adapters)\/|\/dist\/registry\.js/;

describe('client commands', () => {
  it.each(Object.keys(CLIENT_COMMANDS))('`gatehouse %s --help` loads no server module', (name) => {
    const { status, loaded } = loadedBy([name, '--help']);
    expect(status).toBe(0);
    expect(loaded.some((url) => url.includes(`/dist/client/`))).toBe(true);
    expect(loaded.filter((url) => SERVER_ONLY.test(url))).toEqual([]);
  });

  it('the hook does see the server modules an operator command loads, so its silence above means something', () => {
    const { loaded } = loadedBy(['names', 'check', 'left-pad', '--data-dir', join(dir, 'data')]);
    expect(loaded.filter((url) => SERVER_ONLY.test(url)).length).toBeGreaterThan(0);
  });
});
