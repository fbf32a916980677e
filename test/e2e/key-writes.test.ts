// The stock npm publishes from an account whose only second factor is a security key: the person
// registers the key on the account page (Chromium's virtual authenticator); `npm publish`, on a
// terminal, is refused with the one-time-password 401 that carries authUrl and doneUrl, prints the
// approval page's address and polls; the person opens it in the signed-in browser and touches the
// key; npm collects the code, resends the publish with it and succeeds. The public URL is
// http://localhost:PORT (a WebAuthn RP ID must be a domain; localhost resolves to 127.0.0.1 here).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { packument } from '../support/npm-protocol.js';
import { launchBrowser, SKIP_BROWSER } from '../web/browser.js';
import { registerKeyOnPage } from './login-helpers.js';
import { createWorkspace, removeWorkspace, run, skipWithout, type ClientName, type Workspace } from './clients.js';
import { writeProject } from './fixtures/projects.js';
import { onTerminal } from './terminal.js';

const CLIENTS_UNDER_TEST: ClientName[] = ['npm11', 'npm12'];

for (const engine of ENGINES) {
  describe.skipIf(SKIP_BROWSER)(`npm publish approved with a security key (${engine})`, () => {
    let r: TestRegistry;
    let base: string;
    const workspaces: Workspace[] = [];

    beforeAll(async () => {
      r = await startRegistry(engine, { listen: true });
      base = r.url.replace('127.0.0.1', 'localhost');
      r.registry.setBaseUrl(base);
    });
    afterAll(async () => {
      for (const ws of workspaces) await removeWorkspace(ws);
      await r?.close();
    });

    for (const client of CLIENTS_UNDER_TEST) {
      it.skipIf(skipWithout(client))(`${client}: refused without a terminal, approved in the browser on one`, async () => {
        // Each client its own account: a key lives in one browser's virtual authenticator.
        const user: TestUser = await r.createUser(`user-${client}`);
        const ws = await createWorkspace({ registry: base, client, token: user.token });
        workspaces.push(ws);
        const name = `key-writes-${client}`;
        await writeProject(ws.dir, { name, version: '1.0.0' });
        const browser = await launchBrowser();
        try {
          const watched = await browser.newPage();
          const { page } = watched;
          await registerKeyOnPage(page, base, user.user.name, user.password);

          // Without a terminal npm cannot open a browser: it stops with its OTP error, nothing published.
          const piped = await run(client, ['publish'], ws);
          expect(piped.code).not.toBe(0);
          expect(piped.stdout + piped.stderr).toMatch(/EOTP|one-time password/);

          const npm = onTerminal(client, ['publish'], ws);
          const [, authUrl = ''] = await npm.waitFor(/Authenticate your account at:\s*\r?\n(\S+)/);
          expect(authUrl.startsWith(`${base}/approve/`), authUrl).toBe(true);
          await page.goto(authUrl);
          await page.getByRole('button', { name: 'Approve with a security key' }).click();
          await page.getByText(/You approved: publish a package/).waitFor();
          expect(watched.cspViolations()).toEqual([]);

          const result = await npm.done;
          expect(result.code, result.stdout).toBe(0);
          expect(result.stdout).toContain(`+ ${name}@1.0.0`);
        } finally {
          await browser.close();
        }
        expect(Object.keys((await packument(r, name)).versions)).toEqual(['1.0.0']);
      });
    }
  });
}
