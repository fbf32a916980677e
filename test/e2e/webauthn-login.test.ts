// The stock npm 11 logs in with the web flow to an account whose only second factor is a security
// key: the person registers the key on the account page (Chromium's virtual authenticator), then
// on the page `npm login` printed signs in with the password, touches the key, and approves with
// the key again; npm receives its token. The public URL is http://localhost:PORT (a WebAuthn RP ID
// must be a domain; localhost resolves to 127.0.0.1 here).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerKeyOnPage, savedToken, signInOnPage, signedInText } from './login-helpers.js';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { launchBrowser, SKIP_BROWSER } from '../web/browser.js';
import { createWorkspace, removeWorkspace, runOk, skipWithout, start, type Workspace } from './clients.js';

for (const engine of ENGINES) {
  describe.skipIf(skipWithout('npm11') || SKIP_BROWSER)(`npm 11 web login approved with a security key (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    let base: string;
    let ws: Workspace | undefined;

    beforeAll(async () => {
      r = await startRegistry(engine, { listen: true });
      base = r.url.replace('127.0.0.1', 'localhost');
      r.registry.setBaseUrl(base);
      alice = await r.createUser('alice');
    });
    afterAll(async () => {
      if (ws) await removeWorkspace(ws);
      await r?.close();
    });

    it('signs in with password and key on the printed page, approves with the key, and npm is logged in', async () => {
      ws = await createWorkspace({ registry: base, client: 'npm11' });
      const browser = await launchBrowser();
      try {
        const watched = await browser.newPage();
        const { page } = watched;
        await registerKeyOnPage(page, base, 'alice', alice.password);
        await page.locator('header.site').getByRole('button', { name: 'Sign out' }).click();
        await page.waitForURL(`${base}/`);

        const npm = start('npm11', ['login', '--auth-type=web'], ws, { timeoutMs: 90_000 });
        const [, loginUrl = ''] = await npm.waitFor(/Login at:\n(\S+)/);
        expect(loginUrl.startsWith(`${base}/login/cli/`), loginUrl).toBe(true);
        await page.goto(loginUrl);
        await signInOnPage(page, 'alice', alice.password);
        await page.getByRole('button', { name: 'Use security key' }).click();
        await page.waitForURL(loginUrl);
        // Only keys on this account: no code field, the key approves.
        expect(await page.locator('form.approve').count()).toBe(0);
        expect(npm.child.exitCode).toBeNull();
        await page.getByRole('button', { name: 'Approve with a security key' }).click();
        expect(await signedInText(page)).toContain('the terminal is now signed in as alice');
        expect(watched.cspViolations()).toEqual([]);

        const result = await npm.done;
        expect(result.code, result.stdout + result.stderr).toBe(0);
        expect(result.stdout).toContain(`Logged in on ${base}/.`);
      } finally {
        await browser.close();
      }
      expect(await savedToken(ws, base)).toMatch(/^gth_/);
      expect((await runOk('npm11', ['whoami'], ws)).stdout).toBe('alice\n');
    });
  });
}
