// The server-rendered pages as HTTP answers: what each page says, that every page carries the
// strict CSP with no inline script or styles, and that page addresses which are also npm addresses
// still answer npm. The browser's view of the same pages is in browser.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { packageBuilder } from '../fixtures/package-builder.js';
import {
  addOwner,
  assertStrictPage,
  deprecate,
  element,
  getPage,
  publish,
  unpublishPackage,
  unpublishVersion,
  visibleText,
} from './fixtures.js';

const NPM_ACCEPT = 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*';

const HOSTILE_README = `# Hostile

<script>window.__xss = 'script'</script>

<img src=x onerror="window.__xss = 'img'">

[click me](javascript:window.__xss='link')

<iframe src="https://example.invalid/frame"></iframe>

<div style="color: red" onmouseover="window.__xss = 'div'">styled</div>

<img src="https://example.invalid/logo.png" alt="logo">

[a safe link](https://example.invalid/docs)
`;

for (const engine of ENGINES) {
  describe(`web pages (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    let bob: TestUser;

    beforeAll(async () => {
      r = await startRegistry(engine, { listen: true });
      alice = await r.createUser('alice');
      bob = await r.createUser('bob');
      const widgets = (version: string, readme: string) =>
        packageBuilder('web-widgets', version).packageJson({ description: 'Widgets for the web', license: 'MIT' }).readme(readme);
      await publish(r, alice, widgets('1.0.0', '# Widgets one\n\nThe first widgets.'));
      await publish(r, alice, widgets('1.0.1', '# Widgets one point one'));
      await publish(r, alice, widgets('1.1.0', '# Widgets\n\nMake **widgets** with `make()`.').dependency('left-pad', '^1.3.0'));
      await publish(r, alice, widgets('2.0.0-beta.1', '# Widgets two'), { tag: 'next' });
      await unpublishVersion(r, alice, 'web-widgets', '1.0.1');
      await deprecate(r, alice, 'web-widgets', '1.0.0', 'Use 1.1.0 or later');
      await addOwner(r, alice, 'web-widgets', 'bob');
      await publish(r, alice, packageBuilder('@acme/tools', '1.2.3').readme('# Acme tools'));
      await publish(r, alice, packageBuilder('hostile-readme', '1.0.0').readme(HOSTILE_README));
      await publish(r, bob, packageBuilder('gone-away', '1.0.0').readme('# Gone'));
      await unpublishPackage(r, bob, 'gone-away');
      await publish(
        r,
        alice,
        packageBuilder('findable-thing', '3.1.4').packageJson({ description: 'Finds needles in haystacks' }),
      );
      // Packages whose npm addresses look like page addresses.
      await publish(r, alice, packageBuilder('search', '1.0.0'));
      await publish(r, alice, packageBuilder('package', '1.0.0'));
    });
    afterAll(() => r.close());

    it('serves every page with the strict CSP and no inline script, styles or handlers', async () => {
      const { body: loginBody } = await r.inject({ method: 'POST', url: '/-/v1/login', payload: {} });
      const loginPath = new URL(JSON.parse(loginBody).loginUrl).pathname;
      const pages: [string, number][] = [
        ['/', 200],
        ['/search', 200],
        ['/search?q=widgets', 200],
        ['/search?q=nothing-matches-this', 200],
        ['/package/web-widgets', 200],
        ['/package/web-widgets/v/1.0.0', 200],
        ['/package/@acme/tools', 200],
        ['/package/hostile-readme', 200],
        ['/package/no-such-package', 404],
        ['/package/web-widgets/v/9.9.9', 404],
        ['/package/web-widgets/v/1.0.1', 410],
        ['/package/gone-away', 410],
        ['/policies/unpublish', 200],
        ['/policies/typosquatting', 200],
        [loginPath, 200],
        ['/login/cli/not-a-login', 404],
      ];
      for (const [url, status] of pages) {
        const res = await getPage(r, url);
        expect(res.statusCode, url).toBe(status);
        assertStrictPage(res);
      }
      const refused = await r.inject({
        method: 'POST',
        url: loginPath,
        headers: { accept: 'text/html' },
        payload: { username: 'alice', password: 'not her password' },
      });
      expect(refused.statusCode).toBe(401);
      assertStrictPage(refused);
    });

    it('serves the stylesheet', async () => {
      const res = await r.inject({ method: 'GET', url: '/static/style.css' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/css; charset=utf-8');
      expect(res.body).toContain('.readme');
    });

    it('home page says what the registry is, how to use it, and lists recently updated packages', async () => {
      const res = await getPage(r, '/');
      const text = visibleText(res.body);
      expect(text).toContain('It speaks the npm registry protocol');
      expect(text).toContain(`npm config set registry ${r.url}/`);
      expect(res.body).toMatch(/<form class="search big" action="\/search" method="get"/);
      const recent = element(res.body, '<ul class="packages"');
      expect(recent).toContain('href="/package/web-widgets"');
      expect(visibleText(recent)).toContain('web-widgets 1.1.0 updated');
      expect(visibleText(recent)).toContain('Widgets for the web');
      expect(recent).toContain('href="/package/@acme/tools"');
      // Unpublished packages are not listed.
      expect(recent).not.toContain('gone-away');
    });

    it('search page finds a published package by a word of its description', async () => {
      const res = await getPage(r, '/search?q=needles');
      const text = visibleText(res.body);
      expect(text).toContain('1 package found for “needles”');
      expect(text).toContain('findable-thing 3.1.4 updated');
      expect(text).toContain('Finds needles in haystacks');
      expect(res.body).toContain('href="/package/findable-thing"');
      const none = await getPage(r, '/search?q=zebra-crossing');
      expect(visibleText(none.body)).toContain('No packages match “zebra-crossing”');
    });

    it('search page escapes the query it shows', async () => {
      const res = await getPage(r, `/search?q=${encodeURIComponent('"><b>bold</b>')}`);
      expect(res.body).toContain('&quot;&gt;&lt;b&gt;bold&lt;/b&gt;');
      assertStrictPage(res);
    });

    it('package page shows README, install command, versions, deprecations, dist-tags and maintainers', async () => {
      const { body } = await getPage(r, '/package/web-widgets');
      const readme = element(body, '<section class="readme"');
      expect(readme).toContain('<h1>Widgets</h1>');
      expect(readme).toContain('Make <strong>widgets</strong> with <code>make()</code>.');
      expect(visibleText(element(body, '<pre class="install"'))).toBe('npm install web-widgets');
      expect(visibleText(element(body, '<p class="description"'))).toBe('Widgets for the web');
      const versions = element(body, '<section class="versions"');
      for (const v of ['1.0.0', '1.1.0', '2.0.0-beta.1']) expect(versions).toContain(`href="/package/web-widgets/v/${v}"`);
      expect(versions).toMatch(/<time datetime="\d{4}-\d\d-\d\dT[\d:.]+Z">\d{4}-\d\d-\d\d \d\d:\d\d UTC<\/time>/);
      expect(visibleText(versions)).toMatch(/1\.0\.0 \S+ \S+ UTC Deprecated: Use 1\.1\.0 or later/);
      expect(visibleText(versions)).toMatch(/1\.1\.0 \S+ \S+ UTC latest/);
      const facts = element(body, '<aside class="facts"');
      expect(visibleText(element(facts, '<ul class="dist-tags"'))).toBe('latest 1.1.0 next 2.0.0-beta.1');
      expect(visibleText(element(facts, '<ul class="maintainers"'))).toBe('alice bob');
      expect(visibleText(element(body, '<ul class="dependencies"'))).toBe('left-pad ^1.3.0');
      // The unpublished 1.0.1 is not offered, but its number is shown as used.
      expect(body).not.toContain('/package/web-widgets/v/1.0.1');
      expect(visibleText(versions)).toContain('Unpublished, and never to be published again: 1.0.1.');
    });

    it('version page shows that version, its README and deprecation, and points at latest', async () => {
      const { body } = await getPage(r, '/package/web-widgets/v/1.0.0');
      expect(element(body, '<section class="readme"')).toContain('<h1>Widgets one</h1>');
      expect(visibleText(element(body, '<pre class="install"'))).toBe('npm install web-widgets@1.0.0');
      expect(visibleText(element(body, '<p class="notice deprecated"'))).toBe('Deprecated: Use 1.1.0 or later');
      expect(visibleText(body)).toContain('The latest version is 1.1.0.');
      const tagged = await getPage(r, '/package/web-widgets/v/next');
      expect(tagged.statusCode).toBe(302);
      expect(tagged.headers.location).toBe('/package/web-widgets/v/2.0.0-beta.1');
    });

    it('scoped packages are found as /package/@scope/name and as /package/@scope%2fname', async () => {
      for (const url of ['/package/@acme/tools', '/package/@acme%2ftools', '/package/@acme%2Ftools/v/1.2.3']) {
        const res = await getPage(r, url);
        expect(res.statusCode, url).toBe(200);
        expect(element(res.body, '<section class="readme"')).toContain('<h1>Acme tools</h1>');
        expect(visibleText(element(res.body, '<pre class="install"'))).toMatch(/^npm install @acme\/tools(@1\.2\.3)?$/);
      }
    });

    it('an unknown package or version is a 404 page', async () => {
      const missing = await getPage(r, '/package/no-such-package');
      expect(missing.statusCode).toBe(404);
      expect(visibleText(missing.body)).toContain('There is no package named “no-such-package” in this registry.');
      const badName = await getPage(r, '/package/..%2f..%2fetc');
      expect(badName.statusCode).toBe(404);
      assertStrictPage(badName);
      const noVersion = await getPage(r, '/package/web-widgets/v/9.9.9');
      expect(visibleText(noVersion.body)).toContain('web-widgets has no version 9.9.9.');
    });

    it('a whole-unpublished package says so and that its name is reserved', async () => {
      const res = await getPage(r, '/package/gone-away');
      expect(res.statusCode).toBe(410);
      const text = visibleText(res.body);
      expect(text).toContain('This package was unpublished on');
      expect(text).toContain('Its name is reserved: only its owners (bob) can publish under it again');
      expect(res.body).toContain('href="/policies/unpublish"');
    });

    it('an unpublished version says its number can never be published again', async () => {
      const res = await getPage(r, '/package/web-widgets/v/1.0.1');
      expect(res.statusCode).toBe(410);
      expect(visibleText(res.body)).toContain('This version was unpublished. Its number can never be published again.');
    });

    it('a README loses script, event handlers, javascript: links, iframes and styles; safe links get rel', async () => {
      const { body } = await getPage(r, '/package/hostile-readme');
      const readme = element(body, '<section class="readme"');
      expect(readme).toContain('<h1>Hostile</h1>');
      expect(readme).not.toMatch(/<script|<iframe|onerror|onmouseover|javascript:|style=|__xss/i);
      expect(readme).toContain('<img src="https://example.invalid/logo.png" alt="logo" />');
      expect(readme).toContain('<a href="https://example.invalid/docs" rel="nofollow noopener noreferrer">a safe link</a>');
      expect(readme).toContain('<div>styled</div>');
    });

    it('the unpublish policy page states the window this registry is configured with', async () => {
      const res = await getPage(r, '/policies/unpublish');
      expect(res.statusCode).toBe(200);
      const hours = r.registry.config.unpublishWindowHours;
      expect(hours).toBe(72);
      expect(visibleText(element(res.body, '<p class="notice setting"'))).toBe(
        `On this registry, maintainers may unpublish a version within ${hours} hours of publishing it.`,
      );
      const policy = element(res.body, '<article class="policy"');
      expect(policy).toContain('<h1>Unpublish policy</h1>');
      expect(visibleText(policy)).toContain('GATEHOUSE_UNPUBLISH_WINDOW_HOURS');
      expect(visibleText(policy)).toContain('npm deprecate');
    });

    it('the policy page follows a changed unpublish window', async () => {
      const other = await startRegistry(engine, { listen: true, config: { unpublishWindowHours: 48 } });
      try {
        const res = await getPage(other, '/policies/unpublish');
        expect(visibleText(element(res.body, '<p class="notice setting"'))).toContain('within 48 hours of publishing it');
      } finally {
        await other.close();
      }
    });

    it('page addresses that are also npm addresses still answer npm clients', async () => {
      const packument = await r.inject({ method: 'GET', url: '/search', headers: { accept: NPM_ACCEPT } });
      expect(packument.statusCode).toBe(200);
      expect(packument.json().name).toBe('search');
      const head = await r.inject({ method: 'HEAD', url: '/search' });
      expect(head.statusCode).toBe(200);
      expect(head.headers['content-type']).not.toContain('text/html');
      const tarball = await r.inject({ method: 'GET', url: '/package/-/package-1.0.0.tgz' });
      expect(tarball.statusCode).toBe(200);
      expect(tarball.headers['content-type']).toBe('application/octet-stream');
      const version = await r.inject({ method: 'GET', url: '/package/1.0.0', headers: { accept: 'application/json' } });
      expect(version.json().version).toBe('1.0.0');
      const notAPage = await r.inject({ method: 'GET', url: '/policies/unpublish', headers: { accept: 'application/json' } });
      expect(notAPage.statusCode).toBe(404);
      expect(notAPage.json().error).toContain('"policies"');
      // ...while a browser at the same addresses gets pages.
      expect((await getPage(r, '/search')).headers['content-type']).toBe('text/html; charset=utf-8');
      expect(visibleText((await getPage(r, '/package/package')).body)).toContain('npm install package');
    });
  });
}
