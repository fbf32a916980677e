// `gatehouse login` as a user runs it: the compiled CLI starts the registry's web login, prints
// the URL, and polls while the person signs in and presses Approve on the page (driven here over
// HTTP as test/web/login.test.ts does, no browser). The token lands in the user's ~/.npmrc under
// npm's key for that registry, other lines kept, mode 0600, and the stock npm then uses it.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { browser, cookieOf, csrfOf } from '../http/session-browser.js';
import { assertBuilt, CLI } from '../reliability/server-process.js';
import { createWorkspace, removeWorkspace, runOk, skipWithout, type Workspace } from './clients.js';

interface Gatehouse {
  child: ChildProcess;
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

function gatehouse(args: string[], ws: Workspace): Gatehouse {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ws.dir, env: ws.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (c: string) => {
    stdout += c;
    waiters.forEach((w) => w());
  });
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => {
      waiters.forEach((w) => w());
      resolve({ code, stdout, stderr });
    }),
  );
  const waitFor = (pattern: RegExp) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const match = stdout.match(pattern);
        if (match) {
          waiters.delete(check);
          resolve(match);
        } else if (child.exitCode !== null) reject(new Error(`gatehouse exited before ${pattern}:\n${stdout}\n${stderr}`));
      };
      waiters.add(check);
      check();
    });
  return { child, waitFor, done };
}

const SEEDED = ['color=false', '; a comment the user wrote', '//other.example/:_authToken=keep-me'];

for (const engine of ENGINES) {
  describe.skipIf(skipWithout('npm11'))(`gatehouse login (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    const workspaces: Workspace[] = [];

    beforeAll(async () => {
      assertBuilt();
      r = await startRegistry(engine, { listen: true });
      alice = await r.createUser('alice');
    });
    afterAll(async () => {
      await Promise.all(workspaces.map(removeWorkspace));
      await r?.close();
    });

    async function workspace(): Promise<{ ws: Workspace; npmrc: string; seeded: string }> {
      const ws = await createWorkspace({ registry: r.url, client: 'npm11' });
      workspaces.push(ws);
      const npmrc = join(ws.home, '.npmrc');
      // a stale token for this registry, which the login must replace in place
      const seeded = `${await readFile(npmrc, 'utf8')}${SEEDED.join('\n')}\n//${new URL(r.url).host}/:_authToken=stale\n`;
      await writeFile(npmrc, seeded);
      return { ws, npmrc, seeded };
    }

    /** Signs in on the login's page and presses Approve, as the person in front of the browser does. */
    async function approve(loginUrl: string, user: TestUser): Promise<void> {
      const path = new URL(loginUrl).pathname;
      const signedIn = await browser(r).post(path, { username: user.user.name, password: user.password });
      expect(signedIn.statusCode, signedIn.body).toBe(303);
      const b = browser(r, cookieOf(signedIn));
      const shown = await b.get(path);
      const approved = await b.post(`${path}/approve`, { _csrf: csrfOf(shown.body) });
      expect(approved.body).toContain('the terminal is now signed in as <strong>alice</strong>');
    }

    it('logs in through the web flow and saves a token that the stock npm uses', async () => {
      const { ws, npmrc } = await workspace();
      const login = gatehouse(['login', '--registry', r.url], ws);
      const [, loginUrl = ''] = await login.waitFor(/Login at:\n(\S+)/);
      expect(loginUrl.startsWith(`${r.url}/login/cli/`), loginUrl).toBe(true);
      await login.waitFor(/Waiting for the login/);
      expect(login.child.exitCode).toBeNull(); // still polling: nothing is approved by starting
      await approve(loginUrl, alice);
      const result = await login.done;
      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(result.stdout).toContain(`Logged in on ${r.url}/ as alice`);
      const saved = await readFile(npmrc, 'utf8');
      const key = `//${new URL(r.url).host}/:_authToken=`;
      const tokenLines = saved.split('\n').filter((l) => l.startsWith(key));
      expect(tokenLines).toHaveLength(1);
      const token = tokenLines[0]!.slice(key.length);
      expect(token).toMatch(/^gth_/);
      expect(result.stdout + result.stderr).not.toContain(token);
      for (const line of SEEDED) expect(saved).toContain(`${line}\n`);
      expect((await stat(npmrc)).mode & 0o777).toBe(0o600);
      expect((await runOk('npm11', ['whoami'], ws)).stdout).toBe('alice\n');
    });

    it('--scope also points the scope at the registry, as npm login --scope does', async () => {
      const { ws, npmrc } = await workspace();
      const login = gatehouse(['login', '--registry', r.url, '--scope', '@acme'], ws);
      const [, loginUrl = ''] = await login.waitFor(/Login at:\n(\S+)/);
      await approve(loginUrl, alice);
      expect((await login.done).code).toBe(0);
      expect(await readFile(npmrc, 'utf8')).toContain(`@acme:registry=${r.url}/\n`);
    });

    it('against a registry without web login it says so, exits 1 and leaves the npmrc as it was', async () => {
      const { ws, npmrc, seeded } = await workspace();
      const legacy = createServer((_req, res) => res.writeHead(404, { 'content-type': 'application/json' }).end('{}'));
      await new Promise<void>((resolve) => legacy.listen(0, '127.0.0.1', resolve));
      try {
        const address = legacy.address();
        const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
        const result = await gatehouse(['login', '--registry', url], ws).done;
        expect(result.code).toBe(1);
        expect(result.stderr).toContain('offers no web login');
        expect(result.stderr.trim().split('\n')).toHaveLength(1);
      } finally {
        await new Promise((resolve) => legacy.close(resolve));
      }
      expect(await readFile(npmrc, 'utf8')).toBe(seeded);
    });
  });
}
