// Reporting and moderating in a real browser (Debian's Chromium via playwright-core): a signed-in
// user opens "Report this package" on the package page, sends the form and lands on the report's
// page; an administrator finds it in the queue and confirms it, after which the version's tarball
// is gone. No page breaks the CSP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { packageBuilder } from '../fixtures/package-builder.js';
import * as npm from '../support/npm-protocol.js';
import { launchBrowser, SKIP_BROWSER, type TestBrowser } from './browser.js';
import { moderatorTotp } from '../support/mfa.js';

async function signIn(page: Page, base: string, user: TestUser, code?: string): Promise<void> {
  await page.goto(`${base}/account`);
  await page.waitForURL(/\/login\?next=/);
  await page.getByLabel('Username').fill(user.user.name);
  await page.getByLabel('Password').fill(user.password);
  if (code) await page.getByLabel('One-time code, if you set up two-factor authentication').fill(code);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL(`${base}/account`);
}

for (const engine of ENGINES) {
  describe.skipIf(SKIP_BROWSER)(`reports in Chromium (${engine})`, () => {
    let r: TestRegistry;
    let bob: TestUser;
    let root: TestUser;
    let rootCode: () => string;
    let reporter: TestBrowser;
    let moderator: TestBrowser;

    beforeAll(async () => {
      r = await startRegistry(engine, { listen: true });
      const alice = await r.createUser('alice');
      bob = await r.createUser('bob');
      root = await r.createUser('root', { admin: true });
      // Moderation asks the administrator's second factor every time (docs/reports.md).
      rootCode = (await moderatorTotp(r, root)).nextCode;
      await npm.published(r, alice, packageBuilder('shady', '1.0.0'));
      reporter = await launchBrowser();
      moderator = await launchBrowser();
    });
    afterAll(async () => {
      await reporter?.close();
      await moderator?.close();
      await r?.close();
    });

    it('reports from the package page, and an administrator confirms from the queue', async () => {
      const asBob = await reporter.newPage();
      await signIn(asBob.page, r.url, bob);
      await asBob.page.goto(`${r.url}/package/shady`);
      await asBob.page.getByText('Report this package').click();
      await asBob.page.getByLabel('Which').selectOption('1.0.0');
      await asBob.page.getByLabel('Reason').selectOption('malicious');
      await asBob.page.getByLabel('What you found').fill('index.js downloads and runs http://192.0.2.5/x');
      await asBob.page.getByRole('button', { name: 'Send report' }).click();
      await asBob.page.waitForURL(/\/reports\/\d+$/);
      expect(await asBob.page.locator('blockquote.description').innerText()).toContain('192.0.2.5');
      expect(await asBob.page.locator('dd.state').innerText()).toBe('open');

      const asRoot = await moderator.newPage();
      await signIn(asRoot.page, r.url, root, rootCode());
      await asRoot.page.goto(`${r.url}/admin/reports`);
      await asRoot.page.locator('table.reports tr.report a').first().click();
      await asRoot.page.waitForURL(/\/reports\/\d+$/);
      await asRoot.page.locator('#confirm textarea').fill('Downloads and runs a payload.');
      await asRoot.page.locator('#confirm').getByLabel('Your two-factor code').fill(rootCode());
      await asRoot.page.getByRole('button', { name: 'Confirm' }).click();
      await asRoot.page.waitForURL(/\/reports\/\d+$/);
      expect(await asRoot.page.locator('dd.state').innerText()).toBe('confirmed');
      expect(await asRoot.page.locator('li.message.resolution').innerText()).toContain('Downloads and runs a payload.');
      expect((await fetch(`${r.url}/shady/-/shady-1.0.0.tgz`)).status).toBe(404);
      for (const watched of [asBob, asRoot]) {
        expect(watched.cspViolations()).toEqual([]);
        expect(watched.pageErrors).toEqual([]);
      }
    });
  });
}
