// The stock npm 11 and npm 12 show the difference between session and automation tokens: after
// `npm login`, `npm token list` names the login's token as a session token with its expiry and
// the automation token apart, and `npm token revoke` revokes the one it names; a web login from a
// browser already signed in asks no password, only Approve, and saves a session token. Both engines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approveOnPage, legacyLogin, savedToken, signInOnPage, signedInText } from './login-helpers.js';
import { launchBrowser, SKIP_BROWSER } from '../web/browser.js';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { createWorkspace, removeWorkspace, runOk, skipWithout, start, type ClientName, type Workspace } from './clients.js';

const CLIENTS = ['npm11', 'npm12'] as const satisfies readonly ClientName[];

for (const client of CLIENTS) {
  for (const engine of ENGINES) {
    describe.skipIf(skipWithout(client))(`${client} token list after npm login (${engine})`, () => {
      let r: TestRegistry;
      let alice: TestUser;
      let ws: Workspace | undefined;
      const more: Workspace[] = [];

      beforeAll(async () => {
        r = await startRegistry(engine, { listen: true });
        alice = await r.createUser('alice');
      });
      afterAll(async () => {
        await Promise.all([ws, ...more].filter((w) => w !== undefined).map(removeWorkspace));
        await r?.close();
      });

      it('lists the login token as a session token that expires, and the automation token apart', async () => {
        ws = await createWorkspace({ registry: r.url, client });
        const login = await legacyLogin(client, ws, 'alice', alice.password);
        expect(login.code, login.stdout + login.stderr).toBe(0);
        const listed = (await runOk(client, ['token', 'list'], ws)).stdout;
        expect(listed).toMatch(/name session token \(npm login\), expires \d{4}-\d\d-\d\dT/);
        expect(listed).toContain('name automation token');
        const json = JSON.parse((await runOk(client, ['token', 'list', '--json'], ws)).stdout) as {
          kind: string;
          expires: string | null;
        }[];
        const session = json.find((t) => t.kind === 'session');
        expect(Date.parse(session?.expires ?? '') - Date.now()).toBeGreaterThan(11 * 60 * 60 * 1000);
        expect(json.find((t) => t.kind === 'automation')?.expires).toBeNull();
      });

      it('npm token revoke <id> revokes the automation token it names; the login token keeps working', async () => {
        const json = JSON.parse((await runOk(client, ['token', 'list', '--json'], ws!)).stdout) as { kind: string; id: string }[];
        const automation = json.find((t) => t.kind === 'automation');
        await runOk(client, ['token', 'revoke', automation!.id], ws!);
        const whoami = await fetch(`${r.url}/-/whoami`, { headers: { authorization: `Bearer ${alice.token}` } });
        expect(whoami.status).toBe(401);
        expect((await runOk(client, ['whoami'], ws!)).stdout).toBe('alice\n');
      });

      it.skipIf(SKIP_BROWSER)(
        'npm login (web) from a browser already signed in asks no password, only Approve, and saves a session token',
        async () => {
          const browser = await launchBrowser();
          try {
            const { page } = await browser.newPage();
            // Signed in on the web first, as a person browsing the registry would be.
            await page.goto(`${r.url}/login`);
            await signInOnPage(page, 'alice', alice.password);
            await page.waitForURL(`${r.url}/account`);

            const fresh = await createWorkspace({ registry: r.url, client });
            more.push(fresh);
            const npm = start(client, ['login'], fresh, { timeoutMs: 90_000 });
            const [, loginUrl = ''] = await npm.waitFor(/Login at:\n(\S+)/);
            await page.goto(loginUrl);
            expect(await page.getByLabel('Password').count()).toBe(0);
            expect(await page.locator('.requested').innerText()).toContain('127.0.0.1');
            await approveOnPage(page);
            expect(await signedInText(page)).toContain('the terminal is now signed in as alice');
            const result = await npm.done;
            expect(result.code, result.stdout + result.stderr).toBe(0);
            const token = await savedToken(fresh, r.url);
            const listed = JSON.parse((await runOk(client, ['token', 'list', '--json'], fresh)).stdout) as {
              token: string;
              kind: string;
            }[];
            expect(listed.find((t) => token?.startsWith(t.token.replace(/…$/, '')))?.kind).toBe('session');
          } finally {
            await browser.close();
          }
        },
      );
    });
  }
}
