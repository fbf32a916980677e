// The web UI in a real browser (Debian's Chromium via playwright-core): what a person sees, that
// the browser reports no CSP violation, that a hostile README runs nothing, and npm's web login
// from the sign-in page to the token the CLI collects.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { packageBuilder } from '../fixtures/package-builder.js';
import { launchBrowser, SKIP_BROWSER, type TestBrowser } from './browser.js';
import { addOwner, deprecate, publish } from './fixtures.js';

const HOSTILE_README = `# Hostile readme

<script>window.__xss = 'script'</script>

<img src=x onerror="window.__xss = 'img'">

<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" onload="window.__xss = 'onload'" alt="pixel">

[click me](javascript:window.__xss='link')

<a href="JaVaScRiPt:window.__xss='mixed-case'">mixed case</a>

<a href="jav&#x09;ascript:window.__xss='entity'">entity</a>

<iframe src="data:text/html,<script>parent.__xss='iframe'</script>"></iframe>

<iframe srcdoc="<script>parent.__xss='srcdoc'</script>"></iframe>

<svg><script>window.__xss = 'svg'</script></svg>

<div style="position:fixed;inset:0" onmouseover="window.__xss = 'div'">covering div</div>

<form action="/"><button formaction="javascript:window.__xss='button'">press</button></form>

[a safe link](https://example.invalid/docs)
`;

interface WebLogin {
  loginUrl: string;
  doneUrl: string;
}

async function startWebLogin(r: TestRegistry): Promise<WebLogin> {
  // What npm login sends first (npm-profile loginWeb): POST /-/v1/login with an empty JSON body.
  const res = await fetch(`${r.url}/-/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  expect(res.status).toBe(200);
  return (await res.json()) as WebLogin;
}

describe.skipIf(SKIP_BROWSER)('web UI in Chromium', () => {
  it('the CSP watch sees a violation when a page breaks the policy', async () => {
    // Checks the checker: a page served with our CSP header and an inline script and style.
    const browser = await launchBrowser();
    try {
      const { page, cspViolations } = await browser.newPage();
      await page.route('http://127.0.0.1:9/probe', (route) =>
        route.fulfill({
          status: 200,
          headers: { 'content-type': 'text/html', 'content-security-policy': "default-src 'none'; style-src 'self'" },
          body: '<p style="color:red">x</p><script>window.__ran = true</script>',
        }),
      );
      await page.goto('http://127.0.0.1:9/probe');
      expect(await page.evaluate(() => (globalThis as { __ran?: boolean }).__ran)).toBeUndefined();
      await expect.poll(() => cspViolations().length).toBeGreaterThan(0);
    } finally {
      await browser.close();
    }
  });

  for (const engine of ENGINES) {
    describe(engine, () => {
      let browser: TestBrowser;
      let r: TestRegistry;
      let alice: TestUser;

      beforeAll(async () => {
        browser = await launchBrowser();
        r = await startRegistry(engine, { listen: true });
        alice = await r.createUser('alice');
        const bob = await r.createUser('bob');
        const gadgets = (version: string) =>
          packageBuilder('gadgets', version)
            .packageJson({ description: 'Gadgets for every occasion', license: 'MIT' })
            .readme(`# Gadgets\n\nVersion ${version} of the gadgets.\n\n- [x] tested\n- [ ] documented`);
        await publish(r, alice, gadgets('1.0.0'));
        await publish(r, alice, gadgets('1.1.0'));
        await publish(r, alice, gadgets('2.0.0-rc.1'), { tag: 'next' });
        await deprecate(r, alice, 'gadgets', '1.0.0', 'Please move to 1.1.0');
        await addOwner(r, alice, 'gadgets', bob.user.name);
        await publish(r, alice, packageBuilder('hostile-readme', '1.0.0').readme(HOSTILE_README));
      });
      afterAll(async () => {
        // Browser first: Chromium keeps keep-alive sockets open, and the server would wait for them.
        await browser?.close();
        await r?.close();
      });

      it('home, package, version, search and policy pages load with no CSP violation', async () => {
        for (const path of [
          '/',
          '/package/gadgets',
          '/package/gadgets/v/1.0.0',
          '/search?q=gadgets',
          '/policies/unpublish',
          '/package/nope',
        ]) {
          const watched = await browser.newPage();
          await watched.page.goto(`${r.url}${path}`);
          // The stylesheet loaded (it is the only subresource) and applied.
          const brandColor = await watched.page
            .locator('header.site')
            .evaluate((el) => el.ownerDocument.defaultView!.getComputedStyle(el).backgroundColor);
          expect(brandColor, path).toBe('rgb(31, 45, 61)');
          expect(watched.cspViolations(), path).toEqual([]);
          expect(watched.pageErrors, path).toEqual([]);
          await watched.page.close();
        }
      });

      it('the package page shows README, versions, deprecation, dist-tags and maintainers', async () => {
        const { page } = await browser.newPage();
        await page.goto(`${r.url}/package/gadgets`);
        await expect.poll(() => page.title()).toBe('gadgets · Gatehouse');
        expect(await page.locator('h1').first().innerText()).toBe('gadgets 1.1.0');
        expect(await page.locator('.readme h1').innerText()).toBe('Gadgets');
        expect(await page.locator('.readme').innerText()).toContain('Version 1.1.0 of the gadgets.');
        expect(await page.locator('.readme input[type=checkbox]').count()).toBe(2);
        expect(await page.locator('pre.install').innerText()).toBe('npm install gadgets');
        const rows = await page.locator('.versions tbody tr').allInnerTexts();
        expect(rows.map((row) => row.split('\t')[0])).toEqual(['2.0.0-rc.1', '1.1.0', '1.0.0']);
        expect(rows[2]).toContain('Deprecated: Please move to 1.1.0');
        expect(rows[0]).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d UTC/);
        expect(await page.locator('.dist-tags li').allInnerTexts()).toEqual(
          expect.arrayContaining(['latest 1.1.0', 'next 2.0.0-rc.1']),
        );
        expect(await page.locator('.maintainers li').allInnerTexts()).toEqual(['alice', 'bob']);
        expect(await page.locator('#provenance .provenance.none').innerText()).toContain('No provenance');
        // Following a version link shows that version.
        await page.locator('.versions a', { hasText: '1.0.0' }).click();
        await page.waitForURL(`${r.url}/package/gadgets/v/1.0.0`);
        expect(await page.locator('.notice.deprecated').innerText()).toBe('Deprecated: Please move to 1.1.0');
        expect(await page.locator('pre.install').innerText()).toBe('npm install gadgets@1.0.0');
        await page.close();
      });

      it('a hostile README renders without its script, handlers, javascript: links or frames', async () => {
        const watched = await browser.newPage();
        const { page } = watched;
        await page.goto(`${r.url}/package/hostile-readme`);
        const readme = page.locator('section.readme');
        expect(await readme.locator('h1').innerText()).toBe('Hostile readme');
        expect(await readme.locator('script, iframe, frame, object, embed, svg, form, button, [style]').count()).toBe(0);
        const handlers = await readme.evaluate((root) =>
          [...root.querySelectorAll('*')].flatMap((el) => el.getAttributeNames().filter((a: string) => a.startsWith('on'))),
        );
        expect(handlers).toEqual([]);
        const hrefs = await readme
          .locator('a')
          .evaluateAll((links) => links.map((a: { getAttribute(name: string): string | null }) => a.getAttribute('href')));
        expect(hrefs.filter((h) => h !== null && !/^https?:/.test(h))).toEqual([]);
        expect(await readme.locator('a[href^="https:"]').getAttribute('rel')).toBe('nofollow noopener noreferrer');
        // Use the page as a reader would: click the links that were javascript: and hover the div.
        for (const link of await readme.locator('a:not([href])').all()) await link.click();
        await readme.getByText('covering div').hover();
        expect(page.url()).toBe(`${r.url}/package/hostile-readme`);
        expect(await page.evaluate(() => (globalThis as { __xss?: unknown }).__xss)).toBeUndefined();
        expect(watched.cspViolations()).toEqual([]);
        expect(watched.pageErrors).toEqual([]);
        await page.close();
      });

      it('the search box finds a published package', async () => {
        const { page } = await browser.newPage();
        await page.goto(`${r.url}/`);
        await page.locator('header.site input[name=q]').fill('occasion');
        await page.locator('header.site input[name=q]').press('Enter');
        await page.waitForURL(/\/search\?q=occasion$/);
        expect(await page.locator('.count').innerText()).toBe('1 package found for “occasion”.');
        await page.locator('ul.packages a.name', { hasText: 'gadgets' }).click();
        await page.waitForURL(`${r.url}/package/gadgets`);
        await page.close();
      });

      it('the policy page states the configured unpublish window', async () => {
        const { page } = await browser.newPage();
        await page.goto(`${r.url}/policies/unpublish`);
        const hours = r.registry.config.unpublishWindowHours;
        expect(await page.locator('.notice.setting .window').innerText()).toBe(`${hours} hours`);
        expect(await page.locator('article.policy h1').innerText()).toBe('Unpublish policy');
        expect(await page.locator('article.policy').innerText()).toContain('npm deprecate');
        await page.close();
      });

      it('web login: signing in on the page and approving lets the CLI collect a token once, and the token works', async () => {
        const login = await startWebLogin(r);
        expect((await fetch(login.doneUrl)).status).toBe(202);
        const watched = await browser.newPage();
        const { page } = watched;
        await page.goto(login.loginUrl);
        await page.getByLabel('Username').fill('alice');
        await page.getByLabel('Password').fill(alice.password);
        await page.getByRole('button', { name: 'Sign in', exact: true }).click();
        // Signing in approves nothing: the page names the client and waits for Approve.
        await page.getByRole('button', { name: 'Approve' }).waitFor();
        expect((await fetch(login.doneUrl)).status).toBe(202);
        await page.getByRole('button', { name: 'Approve' }).click();
        await expect.poll(() => page.locator('.done').isVisible()).toBe(true);
        expect(await page.locator('.done').innerText()).toContain('the terminal is now signed in as alice');
        expect(watched.cspViolations()).toEqual([]);
        await page.close();

        const done = await fetch(login.doneUrl);
        expect(done.status).toBe(200);
        const { token } = (await done.json()) as { token: string };
        expect(typeof token).toBe('string');
        const again = await fetch(login.doneUrl);
        expect(again.status).toBe(404);
        const whoami = await fetch(`${r.url}/-/whoami`, { headers: { authorization: `Bearer ${token}` } });
        expect(await whoami.json()).toEqual({ username: 'alice' });
      });

      it('web login: a wrong password shows an error and the CLI keeps waiting', async () => {
        // Signed out: the browser would otherwise reuse the web session the test above started.
        await browser.context.clearCookies();
        const login = await startWebLogin(r);
        const { page } = await browser.newPage();
        await page.goto(login.loginUrl);
        await page.getByLabel('Username').fill('alice');
        await page.getByLabel('Password').fill('this is not the password');
        await page.getByRole('button', { name: 'Sign in', exact: true }).click();
        await expect.poll(() => page.getByRole('alert').isVisible()).toBe(true);
        expect(await page.getByRole('alert').innerText()).toBe('Incorrect username or password.');
        // The form is offered again with the name kept, so the person can retry.
        expect(await page.getByLabel('Username').inputValue()).toBe('alice');
        await page.close();
        const poll = await fetch(login.doneUrl);
        expect(poll.status).toBe(202);
      });
    });
  }
});
