// The web side of reports on both engines, as a browser uses it (session cookie, CSRF token read
// from the page): the package page says how to report a vulnerability, from the version's own
// SECURITY-INSIGHTS.yml or SECURITY.md, else its maintainers; a signed-in user reports through its
// form; an administrator moderates from /admin/reports. Forged posts change nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { moderatorTotp } from '../support/mfa.js';
import { ManualClock } from '../../src/domain/clock.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { packageBuilder } from '../fixtures/package-builder.js';
import * as npm from '../support/npm-protocol.js';
import { browser, csrfOf, signedInBrowser, type TestBrowser } from './session-browser.js';
import { readOutbox } from '../domain/mail/outbox-files.js';

const INSIGHTS_V2 = `header:
  schema-version: 2.0.0
  last-updated: '2025-01-01'
project:
  name: insightful
  vulnerability-reporting:
    reports-accepted: true
    bug-bounty-available: false
    contact:
      name: Security team
      email: security@insightful.example
    policy: https://insightful.example/security
`;

const INSIGHTS_V1 = `header:
  schema-version: 1.0.0
vulnerability-reporting:
  accepts-vulnerability-reports: true
  email-contact: sec@oldstyle.example
  security-policy: https://oldstyle.example/SECURITY.md
`;

const SECURITY_MD = `# Security policy

Please report vulnerabilities to <vulns@mdpolicy.example>, not in public issues.
We answer within 3 days. See https://mdpolicy.example/disclosure.
`;

// "Billion laughs": each alias doubles the document; the parser's alias cap must stop it.
const ALIAS_BOMB = [
  'a: &a ["x","x"]',
  ...Array.from(
    { length: 30 },
    (_, i) =>
      `${String.fromCharCode(98 + (i % 24))}${i}: &n${i} [*${i === 0 ? 'a' : `n${i - 1}`},*${i === 0 ? 'a' : `n${i - 1}`}]`,
  ),
].join('\n');

for (const engine of ENGINES) {
  describe(`report pages and security contacts (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    let bob: TestUser;
    let root: TestUser;
    let bobBrowser: TestBrowser;
    let rootBrowser: TestBrowser;
    let moderator: Awaited<ReturnType<typeof moderatorTotp>>;

    const page = async (b: TestBrowser, url: string) => {
      const res = await b.get(url);
      expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
      return res.body;
    };
    const contactSource = (body: string) => /class="security-contact" data-source="([^"]+)"/.exec(body)?.[1];
    const codeOf = (body: string) => (JSON.parse(body) as { code: string }).code;

    beforeAll(async () => {
      // A manual clock, so the moderator's one-time passwords never run out within a test.
      r = await startRegistry(engine, { deps: { clock: new ManualClock(Date.now()) } });
      alice = await r.createUser('alice');
      bob = await r.createUser('bob');
      root = await r.createUser('root', { admin: true });
      await npm.published(r, alice, packageBuilder('plain', '1.0.0'));
      await npm.published(r, alice, packageBuilder('insightful', '1.0.0').file('SECURITY-INSIGHTS.yml', INSIGHTS_V2));
      await npm.published(r, alice, packageBuilder('oldstyle', '1.0.0').file('SECURITY-INSIGHTS.yml', INSIGHTS_V1));
      await npm.published(r, alice, packageBuilder('mdpolicy', '1.0.0').file('.github/SECURITY.md', SECURITY_MD));
      await npm.published(
        r,
        alice,
        packageBuilder('broken-yaml', '1.0.0')
          .file('SECURITY-INSIGHTS.yml', 'project: [unclosed\n  : :')
          .file('SECURITY.md', SECURITY_MD),
      );
      await npm.published(r, alice, packageBuilder('bomb', '1.0.0').file('SECURITY-INSIGHTS.yml', ALIAS_BOMB));
      await npm.published(
        r,
        alice,
        packageBuilder('huge-md', '1.0.0').file('SECURITY.md', `${'x'.repeat(200_000)} sec@huge.example`),
      );
      bobBrowser = await signedInBrowser(r, bob);
      rootBrowser = await signedInBrowser(r, root);
      // Signed in first: from now on TOTP guards its sign-in, and every moderation form asks for a code.
      moderator = await moderatorTotp(r, root);
    });
    afterAll(() => r?.close());

    it('names the contact from SECURITY-INSIGHTS.yml (v2 and v1) or SECURITY.md', async () => {
      const anyone = browser(r);
      const insightful = await page(anyone, '/package/insightful');
      expect(contactSource(insightful)).toBe('SECURITY-INSIGHTS.yml');
      expect(insightful).toContain('href="mailto:security@insightful.example"');
      expect(insightful).toContain('href="https://insightful.example/security"');
      const old = await page(anyone, '/package/oldstyle');
      expect(old).toContain('mailto:sec@oldstyle.example');
      expect(old).toContain('https://oldstyle.example/SECURITY.md');
      const md = await page(anyone, '/package/mdpolicy/v/1.0.0');
      expect(contactSource(md)).toBe('SECURITY.md');
      expect(md).toContain('mailto:vulns@mdpolicy.example');
      expect(md).toContain('not in public issues');
      // Looked for once: the second view reads what was kept.
      expect(await r.registry.store.securityContacts.get('mdpolicy', '1.0.0')).toMatchObject({
        contact: { source: 'SECURITY.md' },
      });
    });

    it('ignores a malformed or hostile file, and falls back to the maintainers', async () => {
      const anyone = browser(r);
      expect(contactSource(await page(anyone, '/package/broken-yaml'))).toBe('SECURITY.md');
      const bomb = await page(anyone, '/package/bomb');
      expect(contactSource(bomb)).toBe('maintainers');
      // Only the first 64 KiB is read: an address past it is not found.
      expect(await page(anyone, '/package/huge-md')).not.toContain('sec@huge.example');
      const plain = await page(anyone, '/package/plain');
      expect(contactSource(plain)).toBe('maintainers');
      expect(plain).toMatch(/Tell its maintainers\s+\(alice\)/);
      expect(plain).toContain('Sign in</a> to report this package');
      expect(plain).not.toContain('id="report"');
    });

    it('a signed-in user reports through the package page form; a forged post changes nothing', async () => {
      const body = await page(bobBrowser, '/package/plain');
      expect(body).toContain('id="report"');
      const csrf = csrfOf(body);
      const fields = {
        package: 'plain',
        version: '1.0.0',
        reason: 'malicious',
        description: 'index.js opens a reverse shell to 192.0.2.4',
      };
      const forged = await bobBrowser.post('/reports', fields);
      expect([forged.statusCode, codeOf(forged.body)]).toEqual([403, 'CsrfTokenInvalid']);
      const crossSite = await bobBrowser.post('/reports', { ...fields, _csrf: csrf }, { 'sec-fetch-site': 'cross-site' });
      expect(codeOf(crossSite.body)).toBe('CrossSiteRequest');
      expect((await r.registry.store.reports.list({ limit: 10 })).length).toBe(0);

      const bad = await bobBrowser.post('/reports', { ...fields, reason: 'nope', _csrf: csrf });
      expect(bad.statusCode).toBe(400);
      expect(bad.body).toContain('data-code="ReportReasonInvalid"');

      const sent = await bobBrowser.post('/reports', { ...fields, _csrf: csrf });
      expect(sent.statusCode).toBe(303);
      const location = String(sent.headers.location);
      expect(location).toMatch(/^\/reports\/\d+$/);
      const thread = await page(bobBrowser, location);
      expect(await page(bobBrowser, '/reports')).toContain(`data-id="${location.split('/').pop()}"`);
      expect(thread).toContain('reverse shell');
      expect(thread).toContain('data-state="open"');
      // Another signed-in user cannot read it; a visitor is sent to sign in.
      const carol = await signedInBrowser(r, await r.createUser('carol'));
      const hidden = await carol.get(location);
      expect([hidden.statusCode, /data-code="(\w+)"/.exec(hidden.body)?.[1]]).toEqual([404, 'ReportNotFound']);
      expect((await browser(r).get(location)).statusCode).toBe(303);
    });

    it('an administrator moderates from the queue page; others cannot', async () => {
      const denied = await bobBrowser.get('/admin/reports');
      expect([denied.statusCode, /data-code="(\w+)"/.exec(denied.body)?.[1]]).toEqual([403, 'ModeratorsOnly']);
      const queue = await page(rootBrowser, '/admin/reports');
      const id = /<tr class="report" data-id="(\d+)"/.exec(queue)?.[1];
      expect(id).toBeDefined();
      const thread = await page(rootBrowser, `/reports/${id}`);
      expect(thread).toContain('id="confirm"');
      const forged = await rootBrowser.post(`/admin/reports/${id}/confirm`, {});
      expect(codeOf(forged.body)).toBe('CsrfTokenInvalid');
      expect((await r.registry.store.reports.get(Number(id)))?.state).toBe('open');
      const asBob = await bobBrowser.post(`/admin/reports/${id}/confirm`, { _csrf: csrfOf(await page(bobBrowser, '/account')) });
      expect(asBob.statusCode).toBe(403);

      const noCode = await rootBrowser.post(`/admin/reports/${id}/confirm`, { note: 'x', _csrf: csrfOf(thread) });
      expect([noCode.statusCode, /data-code="(\w+)"/.exec(noCode.body)?.[1]]).toEqual([401, 'OtpRequired']);
      expect((await r.registry.store.reports.get(Number(id)))?.state).toBe('open');
      const done = await rootBrowser.post(`/admin/reports/${id}/confirm`, {
        note: 'Reverse shell confirmed.',
        code: moderator.nextCode(),
        _csrf: csrfOf(thread),
      });
      expect(done.statusCode).toBe(303);
      expect((await r.registry.store.reports.get(Number(id)))?.state).toBe('confirmed');
      expect((await r.inject({ method: 'GET', url: '/plain/-/plain-1.0.0.tgz' })).statusCode).toBe(404);
      // The versions still served say which were removed, and link the advisory.
      await npm.published(r, alice, packageBuilder('plain', '1.0.1'));
      const warned = await page(browser(r), '/package/plain');
      expect(warned).toMatch(/data-advisory="MAL-\d{4}-1"/);
      expect(warned).toContain('Versions 1.0.0 were');
      expect(await page(rootBrowser, '/admin/reports?state=confirmed')).toContain(`data-id="${id}"`);
      await r.registry.mail.deliver();
      const mails = (await readOutbox(r.registry.config.dataDir)).filter((m) => m.to.includes('bob@'));
      expect(mails.some((m) => m.subject.includes(`report ${id}`) && m.subject.includes('confirmed'))).toBe(true);
    });

    it('an administrator releases a quarantined version from the one quarantine page; others cannot', async () => {
      const denied = await bobBrowser.get('/admin/quarantine');
      expect([denied.statusCode, /data-code="(\w+)"/.exec(denied.body)?.[1]]).toEqual([403, 'ModeratorsOnly']);
      const held = await page(rootBrowser, '/admin/quarantine');
      expect(held).toContain('data-package="plain" data-version="1.0.0"');
      const form = { package: 'plain', version: '1.0.0', note: 'false alarm' };
      expect(codeOf((await rootBrowser.post('/admin/quarantine/release', form)).body)).toBe('CsrfTokenInvalid');
      const asBob = await bobBrowser.post('/admin/quarantine/release', {
        ...form,
        _csrf: csrfOf(await page(bobBrowser, '/account')),
      });
      expect(asBob.statusCode).toBe(403);
      expect((await r.inject({ method: 'GET', url: '/plain/-/plain-1.0.0.tgz' })).statusCode).toBe(404);
      const done = await rootBrowser.post('/admin/quarantine/release', {
        ...form,
        code: moderator.nextCode(),
        _csrf: csrfOf(held),
      });
      expect(done.statusCode).toBe(303);
      expect((await r.inject({ method: 'GET', url: '/plain/-/plain-1.0.0.tgz' })).statusCode).toBe(200);
      expect(await page(rootBrowser, '/admin/quarantine')).not.toContain('data-package="plain"');
    });
  });
}
