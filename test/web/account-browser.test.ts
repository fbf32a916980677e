// The account security page in a real browser (Debian's Chromium via playwright-core): a person
// signs in on /login, lands on the account page, sees this browser marked among their sessions,
// revokes the session of another browser (which is then signed out), and signs out. The cookie
// the browser holds is HttpOnly and SameSite=Lax, and no page breaks the CSP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { launchBrowser, SKIP_BROWSER, type TestBrowser } from './browser.js';

async function signIn(page: Page, base: string, user: TestUser): Promise<void> {
  await page.goto(`${base}/account`);
  await page.waitForURL(/\/login\?next=/);
  await page.getByLabel('Username').fill(user.user.name);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL(`${base}/account`);
}

for (const engine of ENGINES) {
  describe.skipIf(SKIP_BROWSER)(`account page in Chromium (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    let laptop: TestBrowser;
    let phone: TestBrowser;

    beforeAll(async () => {
      r = await startRegistry(engine, { listen: true });
      alice = await r.createUser('alice');
      // Two browsers with their own profiles: two devices of one person.
      laptop = await launchBrowser();
      phone = await launchBrowser();
    });
    afterAll(async () => {
      await laptop?.close();
      await phone?.close();
      await r?.close();
    });

    it('signs in, sees the account page, revokes the other browser, and signs out', async () => {
      const onPhone = await phone.newPage();
      await signIn(onPhone.page, r.url, alice);

      const watched = await laptop.newPage();
      const { page } = watched;
      await signIn(page, r.url, alice);
      expect(await page.locator('#account').innerText()).toContain('Signed in as alice');
      expect(await page.locator('#account .email').innerText()).toBe('alice@example.com');
      expect(await page.locator('#account .verified').innerText()).toBe('verified');
      expect(await page.locator('header.site a.who').innerText()).toBe('alice');

      const cookies = await laptop.context.cookies(r.url);
      const session = cookies.find((c) => c.name === 'gatehouse_session');
      expect(session?.httpOnly).toBe(true);
      expect(session?.sameSite).toBe('Lax');
      expect(session?.path).toBe('/');

      const rows = page.locator('#sessions tbody tr');
      await expect.poll(() => rows.count()).toBe(2);
      expect(await page.locator('#sessions tr.current').count()).toBe(1);
      expect(await page.locator('#sessions tr.current').innerText()).toContain('(this browser)');
      // The test user's own token is an automation token, listed apart from session tokens.
      expect(await page.locator('#automation-tokens tr.token').count()).toBe(1);
      expect(await page.locator('#session-tokens tr.token').count()).toBe(0);
      expect(await page.locator('#security-log tr[data-type="session.created"]').count()).toBe(2);

      // Revoke the phone's session: the only row that is not this browser's.
      await page.locator('#sessions tr.session:not(.current)').getByRole('button', { name: 'Revoke' }).click();
      await page.waitForURL(`${r.url}/account`);
      await expect.poll(() => rows.count()).toBe(1);
      await onPhone.page.goto(`${r.url}/account`);
      await onPhone.page.waitForURL(/\/login\?next=/);
      expect(await onPhone.page.getByRole('button', { name: 'Sign in', exact: true }).isVisible()).toBe(true);

      await page.locator('header.site').getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(`${r.url}/`);
      await page.goto(`${r.url}/account`);
      await page.waitForURL(/\/login\?next=/);
      expect(watched.cspViolations()).toEqual([]);
      expect(watched.pageErrors).toEqual([]);
    });
  });
}
