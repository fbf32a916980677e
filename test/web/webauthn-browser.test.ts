// Security keys and passkeys in a real browser: Chromium (playwright-core) with its CDP virtual
// authenticator (ctap2, internal transport, resident keys, user verification). A person adds a
// security key and a passkey on the account page, signs in with the password and then the key,
// and signs in with the passkey alone. WebAuthn needs a secure context and a domain as RP ID, so
// the registry's public URL is http://localhost:PORT (RP ID `localhost`).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { launchBrowser, SKIP_BROWSER, type TestBrowser } from './browser.js';
import { addAuthenticator } from './authenticator.js';

async function signInWithPassword(page: Page, base: string, user: TestUser): Promise<void> {
  await page.goto(`${base}/login?next=/account`);
  await page.getByLabel('Username').fill(user.user.name);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

async function signOut(page: Page, base: string): Promise<void> {
  await page.locator('header.site').getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(`${base}/`);
}

for (const engine of ENGINES) {
  describe.skipIf(SKIP_BROWSER)(`security keys and passkeys in Chromium (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    let browser: TestBrowser;
    let base: string;

    beforeAll(async () => {
      r = await startRegistry(engine, { listen: true });
      base = r.url.replace('127.0.0.1', 'localhost');
      r.registry.setBaseUrl(base);
      alice = await r.createUser('alice');
      browser = await launchBrowser();
    });
    afterAll(async () => {
      await browser?.close();
      await r?.close();
    });

    it('adds a security key and a passkey, then signs in with the key after the password and with the passkey alone', async () => {
      const watched = await browser.newPage();
      const { page } = watched;
      const removeUsbKey = await addAuthenticator(page, 'usb-key');

      await signInWithPassword(page, base, alice);
      await page.waitForURL(`${base}/account`);
      await page.getByRole('link', { name: 'Add a security key' }).click();
      await page.getByLabel('Name').fill('Desk key');
      await page.getByRole('button', { name: 'Register key' }).click();
      await page.waitForURL(`${base}/account#security-keys`);
      expect(await page.locator('#security-keys tr.security-key').innerText()).toContain('Desk key');
      await signOut(page, base);

      // The password alone is not enough now: the key's step follows, and signs in.
      await signInWithPassword(page, base, alice);
      await page.getByRole('button', { name: 'Use security key' }).click();
      await page.waitForURL(`${base}/account`);
      expect(await page.locator('#account').innerText()).toContain('Signed in as alice');

      // The USB key is unplugged; the platform authenticator makes a passkey.
      await removeUsbKey();
      await addAuthenticator(page, 'platform');
      await page.getByRole('link', { name: 'Add a passkey' }).click();
      await page.getByRole('button', { name: 'Create passkey' }).click();
      await page.waitForURL(`${base}/account#security-keys`);
      const rows = page.locator('#security-keys tr.security-key');
      expect(await rows.count()).toBe(2);
      expect(await rows.nth(1).innerText()).toContain('passkey');
      expect(await page.locator('#security-log tr[data-type="webauthn.added"]').count()).toBe(2);
      expect(await page.locator('#security-log tr[data-type="mfa.enabled"]').count()).toBe(1);
      await signOut(page, base);

      // The passkey alone: no username, no password.
      await page.goto(`${base}/login?next=/account`);
      await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
      await page.waitForURL(`${base}/account`);
      expect(await page.locator('#account').innerText()).toContain('Signed in as alice');
      expect(await page.locator('#security-log tr[data-type="user.login"]').innerText()).toContain('passkey');
      expect(watched.cspViolations()).toEqual([]);
      expect(watched.pageErrors).toEqual([]);
    });
  });
}
