// CSRF refusals over HTTP on both engines: a form post from a web session without this session's
// token, with a wrong one or another session's, or sent by another site (Origin, Sec-Fetch-Site)
// is a 403 with a code and changes nothing: the session lives on, no event is written, a pending
// CLI login stays unapproved.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { browser, csrfOf, signedInBrowser, type TestBrowser } from './session-browser.js';

for (const engine of ENGINES) {
  describe(`CSRF checks on web forms (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    let b: TestBrowser;

    beforeAll(async () => {
      r = await startRegistry(engine);
      alice = await r.createUser('alice');
      b = await signedInBrowser(r, alice);
    });
    afterAll(() => r?.close());

    const latestSeq = () => r.registry.store.events.latestSeq();
    const codeOf = (body: string) => (JSON.parse(body) as { code: string }).code;

    /** Expects the post to be refused with `code`, leaving the event log and the session as they were. */
    async function refused(post: () => ReturnType<TestBrowser['post']>, code: string) {
      const before = await latestSeq();
      const res = await post();
      expect(res.statusCode).toBe(403);
      expect(codeOf(res.body)).toBe(code);
      expect(await latestSeq()).toBe(before);
      expect((await b.get('/account')).statusCode).toBe(200);
    }

    it('refuses sign-out without the CSRF token, or with a wrong one', async () => {
      await refused(() => b.post('/logout', {}), 'CsrfTokenInvalid');
      await refused(() => b.post('/logout', { _csrf: 'x'.repeat(43) }), 'CsrfTokenInvalid');
      await refused(() => b.post('/logout', { _csrf: '' }), 'CsrfTokenInvalid');
    });

    it("refuses another session's CSRF token", async () => {
      const other = await signedInBrowser(r, alice);
      const theirs = await other.csrf();
      await refused(() => b.post('/logout', { _csrf: theirs }), 'CsrfTokenInvalid');
    });

    it('refuses revoking a session without the token: the session keeps working', async () => {
      const phone = await signedInBrowser(r, alice);
      const id = /<tr class="session" data-session="([0-9a-f]+)"/.exec((await b.get('/account')).body)?.[1];
      await refused(() => b.post(`/account/sessions/${id}/revoke`, {}), 'CsrfTokenInvalid');
      expect((await phone.get('/account')).statusCode).toBe(200);
    });

    it('refuses a post another site sent, even with the right token', async () => {
      const token = await b.csrf();
      await refused(() => b.post('/logout', { _csrf: token }, { origin: 'https://evil.example' }), 'CrossSiteRequest');
      await refused(() => b.post('/logout', { _csrf: token }, { origin: 'null' }), 'CrossSiteRequest');
      await refused(() => b.post('/logout', { _csrf: token }, { 'sec-fetch-site': 'cross-site' }), 'CrossSiteRequest');
      await refused(() => b.post('/logout', { _csrf: token }, { 'sec-fetch-site': 'same-site' }), 'CrossSiteRequest');
      // Sec-Fetch-Site decides when present, whatever Origin says.
      await refused(
        () => b.post('/logout', { _csrf: token }, { origin: 'http://registry.test', 'sec-fetch-site': 'cross-site' }),
        'CrossSiteRequest',
      );
    });

    it('accepts a post Chromium sends from our own page (Origin: null under no-referrer, Sec-Fetch-Site: same-origin)', async () => {
      const own = await signedInBrowser(r, alice);
      const res = await own.post('/logout', { _csrf: await own.csrf() }, { origin: 'null', 'sec-fetch-site': 'same-origin' });
      expect(res.statusCode).toBe(303);
      expect((await own.get('/account')).statusCode).toBe(303);
    });

    it('accepts the same post from this site', async () => {
      const own = await signedInBrowser(r, alice);
      const res = await own.post(
        '/logout',
        { _csrf: await own.csrf() },
        { origin: 'http://registry.test', 'sec-fetch-site': 'same-origin' },
      );
      expect(res.statusCode).toBe(303);
      expect((await own.get('/account')).statusCode).toBe(303);
    });

    it('refuses a sign-in form another site sent (login CSRF), starting no session', async () => {
      const before = await latestSeq();
      const res = await browser(r).post(
        '/login',
        { username: 'alice', password: alice.password },
        { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      );
      expect(res.statusCode).toBe(403);
      expect(codeOf(res.body)).toBe('CrossSiteRequest');
      expect(res.headers['set-cookie']).toBeUndefined();
      expect(await latestSeq()).toBe(before);
    });

    it("carries the session's token in other pages' forms too (sign-up, verification resend)", async () => {
      for (const page of ['/signup', '/verify-email']) {
        expect(csrfOf((await b.get(page)).body), page).toBe(await b.csrf());
      }
      const fields = { username: 'alice', password: alice.password };
      await refused(() => b.post('/verify-email', fields), 'CsrfTokenInvalid');
      const sent = await b.post('/verify-email', { ...fields, _csrf: await b.csrf() });
      expect(/data-code="([A-Za-z]+)"/.exec(sent.body)?.[1]).toBe('EmailAlreadyVerified');
    });

    it("refuses approving a CLI's login without the token: the CLI gets nothing", async () => {
      const started = await r.inject({
        method: 'POST',
        url: '/-/v1/login',
        headers: { 'content-type': 'application/json' },
        payload: '{}',
      });
      const { loginUrl, doneUrl } = started.json<{ loginUrl: string; doneUrl: string }>();
      const id = loginUrl.split('/').pop()!;
      await refused(() => b.post(`/login/cli/${id}/approve`, {}), 'CsrfTokenInvalid');
      const poll = await r.inject({ method: 'GET', url: new URL(doneUrl).pathname });
      expect(poll.statusCode).toBe(202);
    });
  });
}
