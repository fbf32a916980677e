// npm 11 and npm 12 log in to Gatehouse both ways, on both engines: the legacy username/password prompt
// (PUT /-/user/org.couchdb.user:NAME) and the web flow, where the person signs in on our page in
// Chromium while npm polls. Then whoami, ping, and logout, which must revoke the token server-side.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { legacyLogin, savedToken, signInOnPage, webLogin } from './login-helpers.js';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { SKIP_BROWSER } from '../web/browser.js';
import { createWorkspace, removeWorkspace, run, runOk, skipWithout, type ClientName, type Workspace } from './clients.js';

const CLIENTS = ['npm11', 'npm12'] as const satisfies readonly ClientName[];

for (const client of CLIENTS) {
  for (const engine of ENGINES) {
    describe.skipIf(skipWithout(client))(`${client} login, whoami, ping and logout (${engine})`, () => {
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
        const ws = await createWorkspace({ registry: r.url, client, ...(token !== undefined && { token }) });
        workspaces.push(ws);
        return ws;
      }

      async function whoamiWith(token: string): Promise<{ status: number; body: unknown }> {
        const res = await fetch(`${r.url}/-/whoami`, { headers: { authorization: `Bearer ${token}` } });
        return { status: res.status, body: await res.json() };
      }

      it('npm ping answers PONG, and npm whoami names the token’s user', async () => {
        const ws = await workspace(alice.token);
        const ping = await runOk(client, ['ping'], ws);
        expect(ping.stderr).toContain(`PING ${r.url}/`);
        expect(ping.stderr).toMatch(/PONG \d+ms/);
        expect((await runOk(client, ['whoami'], ws)).stdout).toBe('alice\n');
      });

      it('npm login --auth-type=legacy reads username and password from stdin and saves a working token', async () => {
        const ws = await workspace();
        const login = await legacyLogin(client, ws, 'alice', alice.password);
        expect(login.code, login.stdout + login.stderr).toBe(0);
        expect(login.stdout).toContain(`Logged in on ${r.url}/.`);
        const token = await savedToken(ws, r.url);
        expect(token).toMatch(/^gth_/);
        expect(await whoamiWith(token!)).toEqual({ status: 200, body: { username: 'alice' } });
        expect((await runOk(client, ['whoami'], ws)).stdout).toBe('alice\n');
      });

      it('npm login --auth-type=legacy with a wrong password fails and saves nothing', async () => {
        const ws = await workspace();
        const login = await legacyLogin(client, ws, 'alice', 'not-the-password');
        expect(login.code).not.toBe(0);
        expect(login.stderr).toContain('E401');
        expect(await savedToken(ws, r.url)).toBeUndefined();
      });

      it.skipIf(SKIP_BROWSER)('npm login (web) completes once the user signs in on the printed page in Chromium', async () => {
        const ws = await workspace();
        await webLogin(client, ws, r.url, { name: 'alice', password: alice.password }, async (page, npm) => {
          // a wrong password shows the form again with the reason; npm keeps waiting
          await signInOnPage(page, 'alice', 'not-the-password');
          await page.getByRole('alert').waitFor();
          expect(await page.getByRole('alert').innerText()).toContain('Incorrect username or password');
          expect(npm.child.exitCode).toBeNull();
        });
        const token = await savedToken(ws, r.url);
        expect(token).toMatch(/^gth_/);
        expect((await runOk(client, ['whoami'], ws)).stdout).toBe('alice\n');
      });

      it('npm logout revokes the token: the registry refuses it afterwards', async () => {
        const ws = await workspace();
        expect((await legacyLogin(client, ws, 'alice', alice.password)).code).toBe(0);
        const token = await savedToken(ws, r.url);
        if (token === undefined) throw new Error('npm login saved no token');
        expect((await whoamiWith(token)).status).toBe(200);

        await runOk(client, ['logout'], ws);
        expect(await savedToken(ws, r.url)).toBeUndefined();
        expect((await whoamiWith(token)).status).toBe(401);
        const whoami = await run(client, ['whoami'], ws);
        expect(whoami.code).not.toBe(0);
        expect(whoami.stderr).toContain('ENEEDAUTH');
        // other sessions of the same user are untouched
        expect((await whoamiWith(alice.token)).status).toBe(200);
      });
    });
  }
}
