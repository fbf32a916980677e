// npm 11 logs in to Gatehouse both ways, on both engines: the legacy username/password prompt
// (PUT /-/user/org.couchdb.user:NAME) and the web flow, where the person signs in on our page in
// Chromium while npm polls. Then whoami, ping, and logout, which must revoke the token server-side.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { launchBrowser, SKIP_BROWSER } from '../web/browser.js';
import {
  CLIENTS,
  createWorkspace,
  removeWorkspace,
  run,
  runOk,
  RunError,
  start,
  type ClientName,
  type ClientResult,
  type Workspace,
} from './clients.js';

/**
 * Runs a client that prompts, typing each answer once its prompt is on stdout. npm's `read` opens a
 * fresh readline per prompt and the first one swallows everything already piped in, so answers
 * written up front are lost ("Username: Password: " then exit 1): each must wait for its prompt.
 */
function answerPrompts(client: ClientName, args: string[], ws: Workspace, answers: [RegExp, string][]): Promise<ClientResult> {
  const [file, ...lead] = CLIENTS[client].command();
  if (file === undefined) throw new Error(`no command for ${client}`);
  const env = { ...ws.env, PATH: [dirname(CLIENTS[client].node), ws.env.PATH].join(delimiter) };
  const child = spawn(file, [...lead, ...args], { cwd: ws.dir, env, stdio: 'pipe' });
  const out = { stdout: '', stderr: '' };
  const pending = [...answers];
  let unanswered = ''; // stdout since the last answer
  const started = Date.now();
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  child.stdin.on('error', () => {});
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (out.stderr += chunk));
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out.stdout += chunk;
    unanswered += chunk;
    const next = pending[0];
    if (next && next[0].test(unanswered)) {
      pending.shift();
      unanswered = '';
      child.stdin.write(next[1]);
      if (pending.length === 0) child.stdin.end();
    }
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result = { code: code ?? 128, ...out, durationMs: Date.now() - started };
      if (signal !== null) reject(new RunError(`${client} ${args.join(' ')} was killed by ${signal}`, result));
      else resolve(result);
    });
  });
}

function legacyLogin(ws: Workspace, user: string, password: string): Promise<ClientResult> {
  return answerPrompts('npm11', ['login', '--auth-type=legacy'], ws, [
    [/Username: $/, `${user}\n`],
    [/Password: $/, `${password}\n`],
  ]);
}

/** The token npm saved for the registry in ~/.npmrc, if any. */
async function savedToken(ws: Workspace, registry: string): Promise<string | undefined> {
  const npmrc = await readFile(join(ws.home, '.npmrc'), 'utf8');
  const key = `//${new URL(registry).host}/:_authToken=`;
  return npmrc
    .split('\n')
    .find((line) => line.startsWith(key))
    ?.slice(key.length);
}

for (const engine of ENGINES) {
  describe(`npm login, whoami, ping and logout (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    const workspaces: Workspace[] = [];

    beforeAll(async () => {
      r = await startRegistry(engine, { listen: true });
      alice = await r.createUser('alice');
    });
    afterAll(async () => {
      await Promise.all(workspaces.map(removeWorkspace));
      await r?.close();
    });

    async function workspace(token?: string): Promise<Workspace> {
      const ws = await createWorkspace({ registry: r.url, client: 'npm11', ...(token !== undefined && { token }) });
      workspaces.push(ws);
      return ws;
    }

    async function whoamiWith(token: string): Promise<{ status: number; body: unknown }> {
      const res = await fetch(`${r.url}/-/whoami`, { headers: { authorization: `Bearer ${token}` } });
      return { status: res.status, body: await res.json() };
    }

    it('npm ping answers PONG, and npm whoami names the token’s user', async () => {
      const ws = await workspace(alice.token);
      const ping = await runOk('npm11', ['ping'], ws);
      expect(ping.stderr).toContain(`PING ${r.url}/`);
      expect(ping.stderr).toMatch(/PONG \d+ms/);
      expect((await runOk('npm11', ['whoami'], ws)).stdout).toBe('alice\n');
    });

    it('npm login --auth-type=legacy reads username and password from stdin and saves a working token', async () => {
      const ws = await workspace();
      const login = await legacyLogin(ws, 'alice', alice.password);
      expect(login.code, login.stdout + login.stderr).toBe(0);
      expect(login.stdout).toContain(`Logged in on ${r.url}/.`);
      const token = await savedToken(ws, r.url);
      expect(token).toMatch(/^gth_/);
      expect(await whoamiWith(token!)).toEqual({ status: 200, body: { username: 'alice' } });
      expect((await runOk('npm11', ['whoami'], ws)).stdout).toBe('alice\n');
    });

    it('npm login --auth-type=legacy with a wrong password fails and saves nothing', async () => {
      const ws = await workspace();
      const login = await legacyLogin(ws, 'alice', 'not-the-password');
      expect(login.code).not.toBe(0);
      expect(login.stderr).toContain('E401');
      expect(await savedToken(ws, r.url)).toBeUndefined();
    });

    it.skipIf(SKIP_BROWSER)('npm login (web) completes once the user signs in on the printed page in Chromium', async () => {
      const ws = await workspace();
      const npm = start('npm11', ['login'], ws, { timeoutMs: 90_000 });
      const [, loginUrl = ''] = await npm.waitFor(/Login at:\n(\S+)/);
      expect(loginUrl.startsWith(`${r.url}/login/cli/`), loginUrl).toBe(true);

      const browser = await launchBrowser();
      try {
        const { page } = await browser.newPage();
        await page.goto(loginUrl);
        const signIn = async (password: string) => {
          await page.getByLabel('Username').fill('alice');
          await page.getByLabel('Password').fill(password);
          await page.getByRole('button', { name: 'Sign in' }).click();
        };
        // a wrong password shows the form again with the reason; npm keeps waiting
        await signIn('not-the-password');
        await page.getByRole('alert').waitFor();
        expect(await page.getByRole('alert').innerText()).toContain('Incorrect username or password');
        expect(npm.child.exitCode).toBeNull();

        await signIn(alice.password);
        const signedIn = page.getByText(/You are signed in as/);
        await signedIn.waitFor();
        expect(await signedIn.innerText()).toContain('You are signed in as alice');
      } finally {
        await browser.close();
      }

      const result = await npm.done;
      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(result.stdout).toContain(`Logged in on ${r.url}/.`);
      const token = await savedToken(ws, r.url);
      expect(token).toMatch(/^gth_/);
      expect((await runOk('npm11', ['whoami'], ws)).stdout).toBe('alice\n');
    });

    it('npm logout revokes the token: the registry refuses it afterwards', async () => {
      const ws = await workspace();
      expect((await legacyLogin(ws, 'alice', alice.password)).code).toBe(0);
      const token = await savedToken(ws, r.url);
      if (token === undefined) throw new Error('npm login saved no token');
      expect((await whoamiWith(token)).status).toBe(200);

      await runOk('npm11', ['logout'], ws);
      expect(await savedToken(ws, r.url)).toBeUndefined();
      expect((await whoamiWith(token)).status).toBe(401);
      const whoami = await run('npm11', ['whoami'], ws);
      expect(whoami.code).not.toBe(0);
      expect(whoami.stderr).toContain('ENEEDAUTH');
      // other sessions of the same user are untouched
      expect((await whoamiWith(alice.token)).status).toBe(200);
    });
  });
}
