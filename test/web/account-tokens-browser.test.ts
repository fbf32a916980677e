// Making a token on the account page in a real browser (Chromium): a signed-in person picks
// read-only, one package and a CIDR range, gives their password, sees the secret once, and the
// token then works within its limits only; the page lists it with its limits and last use. A post
// without the form's CSRF token is refused and makes nothing. Both engines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { published, bearer } from '../support/npm-protocol.js';
import { packageBuilder } from '../fixtures/package-builder.js';
import { launchBrowser, SKIP_BROWSER, type TestBrowser } from './browser.js';

for (const engine of ENGINES) {
  describe.skipIf(SKIP_BROWSER)(`token form on the account page (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    let browser: TestBrowser;

    beforeAll(async () => {
      r = await startRegistry(engine, { listen: true });
      alice = await r.createUser('alice');
      await published(r, alice, packageBuilder('web-a', '1.0.0'));
      browser = await launchBrowser();
    });
    afterAll(async () => {
      await browser?.close();
      await r?.close();
    });

    it('creates a limited token shown once, which then works only within its limits', async () => {
      const { page } = await browser.newPage();
      await page.goto(`${r.url}/account`);
      await page.waitForURL(/\/login\?next=/);
      await page.getByLabel('Username').fill('alice');
      await page.getByLabel('Password').fill(alice.password);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.waitForURL(`${r.url}/account`);

      const form = page.locator('#new-token');
      await form.getByLabel('Name').fill('from the web');
      await form.getByLabel('publish', { exact: true }).uncheck();
      await form.getByLabel('manage', { exact: true }).uncheck();
      await form.getByLabel('Packages and scopes').fill('web-a');
      await form.getByLabel('CIDR ranges').fill('127.0.0.0/8');
      await form.getByLabel('Password').fill(alice.password);
      await form.getByRole('button', { name: 'Create token' }).click();
      await page.waitForURL(`${r.url}/account/tokens`);
      const secret = await page.locator('code.secret').innerText();
      expect(secret).toMatch(/^gth_[0-9A-Za-z]{36}$/);
      expect(await page.locator('.access').innerText()).toContain('read; only web-a; from 127.0.0.0/8');

      const read = await fetch(`${r.url}/web-a`, { headers: bearer(secret) });
      expect(read.status).toBe(200);
      const tag = await fetch(`${r.url}/-/package/web-a/dist-tags/next`, {
        method: 'PUT',
        headers: { ...bearer(secret), 'content-type': 'application/json' },
        body: JSON.stringify('1.0.0'),
      });
      expect([tag.status, ((await tag.json()) as { code: string }).code]).toEqual([403, 'TokenReadOnly']);
      await r.registry.tokens.flushUses();

      await page.goto(`${r.url}/account`);
      const row = page.locator('#automation-tokens tr.token', { hasText: 'from the web' });
      expect(await row.innerText()).toContain('127.0.0.1');
      // Shown once: the page never carries the secret again.
      expect(await page.content()).not.toContain(secret);
    });

    it('refuses a post without the form’s CSRF token and makes nothing', async () => {
      const before = (await r.registry.store.tokens.forUser(alice.user.id)).length;
      // The browser's own session cookie (signed in above), on a post another site could forge.
      const cookie = (await browser.context.cookies(r.url)).find((c) => c.name === 'gatehouse_session');
      expect(cookie).toBeDefined();
      const res = await r.inject({
        method: 'POST',
        url: '/account/tokens',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `${cookie!.name}=${cookie!.value}` },
        payload: `name=x&password=${encodeURIComponent(alice.password)}&permissions=read`,
      });
      expect(res.statusCode).toBe(403);
      expect(res.body).toContain('CsrfTokenInvalid');
      expect((await r.registry.store.tokens.forUser(alice.user.id)).length).toBe(before);
    });
  });
}
