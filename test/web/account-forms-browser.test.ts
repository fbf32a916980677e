// The account page's forms in a real browser (Debian's Chromium via playwright-core): a person
// sets up an authenticator app from the QR page (the code typed is computed from the link the
// page shows, as the app would), sees the ten recovery codes once, and changes the password;
// a person whose password leaked is signed in to the change page only, and goes on after it.
// No page breaks the CSP, and every form goes through with its CSRF field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { codeSource } from '../support/mfa.js';
import { systemClock } from '../../src/domain/clock.js';
import type { TotpSecret } from '../../src/domain/mfa/totp.js';
import { launchBrowser, SKIP_BROWSER, type TestBrowser } from './browser.js';

async function signIn(page: Page, base: string, user: TestUser, password = user.password): Promise<void> {
  await page.goto(`${base}/login?next=/account`);
  await page.getByLabel('Username').fill(user.user.name);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

for (const engine of ENGINES) {
  describe.skipIf(SKIP_BROWSER)(`account forms in Chromium (${engine})`, () => {
    const leaked = new Set<string>();
    let r: TestRegistry;
    let chromium: TestBrowser;
    const others: TestBrowser[] = [];

    beforeAll(async () => {
      r = await startRegistry(engine, { listen: true, deps: { passwordScreen: { isLeaked: async (p) => leaked.has(p) } } });
      chromium = await launchBrowser();
    });
    afterAll(async () => {
      await chromium?.close();
      await Promise.all(others.map((b) => b.close()));
      await r?.close();
    });

    it('sets up an authenticator app from the QR page, shows the recovery codes once, then changes the password', async () => {
      const alice = await r.createUser('alice');
      const watched = await chromium.newPage();
      const { page } = watched;
      await signIn(page, r.url, alice);
      await page.waitForURL(`${r.url}/account`);

      await page.getByRole('link', { name: 'Authenticator app and recovery codes' }).click();
      await page.getByLabel('Current password').fill(alice.password);
      await page.getByLabel('at sign-in and for publishing and other changes (recommended)').check();
      await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
      await page.locator('.qr svg').waitFor();
      expect(await page.locator('.qr svg').isVisible()).toBe(true);
      const url = await page.locator('code.otpauth').innerText();
      const nextCode = codeSource(new URL(url).searchParams.get('secret') as TotpSecret, systemClock);

      await page.getByLabel('Code from the app').fill(nextCode());
      await page.getByRole('button', { name: 'Confirm' }).click();
      await page.locator('ul.recovery-codes').waitFor();
      expect(await page.locator('ul.recovery-codes li').count()).toBe(10);
      await page.getByRole('link', { name: 'Back to your account' }).click();
      expect(await page.locator('#account .mfa').innerText()).toBe('required at sign-in and for publishing and other changes');

      await page.getByRole('link', { name: 'Change password' }).click();
      await page.getByLabel('Current password').fill(alice.password);
      await page.getByLabel('New password').fill('alice-now-has-a-new-passphrase');
      await page.getByLabel('Code from your authenticator app, or a recovery code').fill(nextCode());
      await page.getByRole('button', { name: 'Change password' }).click();
      await page.locator('p.done').waitFor();
      await page.getByRole('link', { name: 'Continue' }).click();
      await page.waitForURL(`${r.url}/account`);
      expect(await page.locator('#security-log tr[data-type="password.changed"]').count()).toBe(1);
      expect(watched.cspViolations()).toEqual([]);
      expect(watched.pageErrors).toEqual([]);
    });

    it('signs a leaked password in to its change only, then goes on to the account page', async () => {
      const bob = await r.createUser('bob');
      leaked.add(bob.password);
      // Another person's browser: its own profile, signed out.
      const other = await launchBrowser();
      others.push(other);
      const watched = await other.newPage();
      const { page } = watched;
      await signIn(page, r.url, bob);
      await page.getByRole('link', { name: 'Continue' }).click();
      await page.waitForURL(`${r.url}/account/password?next=%2Faccount`);
      expect(await page.locator('[data-code="PasswordChangeRequired"]').isVisible()).toBe(true);
      await page.goto(`${r.url}/`);
      await page.waitForURL(`${r.url}/account/password?next=%2F`);

      await page.getByLabel('Current password').fill(bob.password);
      await page.getByLabel('New password').fill('bob-picked-something-unlisted');
      await page.getByRole('button', { name: 'Change password' }).click();
      await page.getByRole('link', { name: 'Continue' }).click();
      await page.waitForURL(`${r.url}/`);
      await page.goto(`${r.url}/account`);
      expect(await page.locator('#account').innerText()).toContain('Signed in as bob');
      expect(watched.cspViolations()).toEqual([]);
    });
  });
}
