// Web sessions over HTTP on both engines: the cookie's attributes, the /login form, the account
// security page (address, sessions with this one marked, tokens split into session and automation
// tokens, the security log), revoking a session and a token there, signing out, a session cookie
// that never authenticates npm's API, and login tokens that expire while automation tokens do not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { ManualClock } from '../../src/domain/clock.js';
import { browser, cookieOf, signedInBrowser } from './session-browser.js';
import { startHibpServer, type HibpServer } from '../support/hibp-server.js';

const HOUR = 60 * 60 * 1000;

for (const engine of ENGINES) {
  describe(`web sessions over HTTP (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    let bob: TestUser;
    const clock = new ManualClock('2030-01-01T00:00:00.000Z');

    beforeAll(async () => {
      r = await startRegistry(engine, { deps: { clock } });
      alice = await r.createUser('alice');
      bob = await r.createUser('bob');
    });
    afterAll(() => r?.close());

    const whoami = (headers: Record<string, string>) => r.inject({ method: 'GET', url: '/-/whoami', headers });
    const legacyLogin = (user: TestUser) =>
      r.inject({
        method: 'PUT',
        url: `/-/user/org.couchdb.user:${user.user.name}`,
        payload: { name: user.user.name, password: user.password },
      });

    it('sets an HttpOnly, SameSite=Lax, Path=/ cookie at sign-in, without Secure over http', async () => {
      const res = await browser(r).post('/login', { username: 'alice', password: alice.password, next: '/account' });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/account');
      const cookie = String(res.headers['set-cookie']);
      expect(cookie).toMatch(/^gatehouse_session=[A-Za-z0-9_-]{43}; /);
      expect(cookie).toContain('HttpOnly');
      expect(cookie).toContain('SameSite=Lax');
      expect(cookie).toContain('Path=/');
      expect(cookie).not.toContain('Secure');
    });

    it('refuses a wrong password with the form again and no cookie', async () => {
      const res = await browser(r).post('/login', { username: 'alice', password: 'wrong-password' });
      expect(res.statusCode).toBe(401);
      expect(res.headers['set-cookie']).toBeUndefined();
      expect(res.body).toContain('<form method="post" action="/login"');
    });

    it('follows `next` only to a page of this site', async () => {
      for (const next of ['//evil.example/', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)']) {
        const res = await browser(r).post('/login', { username: 'alice', password: alice.password, next });
        expect(res.headers.location, next).toBe('/account');
      }
    });

    it('sends a visitor who is not signed in from /account to the sign-in page', async () => {
      const res = await browser(r).get('/account');
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/login?next=/account');
      const stale = await browser(r, 'gatehouse_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA').get('/account');
      expect(stale.statusCode).toBe(303);
    });

    it('shows the account page: address, this session marked, tokens split by kind, the security log', async () => {
      expect((await legacyLogin(alice)).statusCode).toBe(201);
      const b = await signedInBrowser(r, alice);
      const page = await b.get('/account');
      expect(page.statusCode).toBe(200);
      expect(page.headers['cache-control']).toBe('no-store');
      expect(page.body).toContain('alice@example.com');
      expect(page.body).toContain('<span class="verified">verified</span>');
      expect(page.body).toContain('<span class="mfa">not set up</span>');
      expect(page.body.match(/\(this browser\)/g)).toHaveLength(1);
      const sessionTokens = /<div id="session-tokens">([\s\S]*?)<\/div>/.exec(page.body)?.[1] ?? '';
      const automationTokens = /<div id="automation-tokens">([\s\S]*?)<\/div>/.exec(page.body)?.[1] ?? '';
      // The legacy login's token is a session token; the test user's own token was made for automation.
      expect(sessionTokens.match(/class="token"/g)).toHaveLength(1);
      expect(automationTokens.match(/class="token"/g)).toHaveLength(1);
      expect(automationTokens).toContain('never');
      expect(page.body).toContain('data-type="session.created"');
      expect(page.body).toContain('data-type="token.created"');
      // A signed-in header with Sign out.
      expect(page.body).toContain('<form class="signout" method="post" action="/logout">');
    });

    it('revokes another browser session from the account page', async () => {
      const phone = await signedInBrowser(r, alice);
      const laptop = await signedInBrowser(r, alice);
      const page = (await laptop.get('/account')).body;
      const phoneRow = [...page.matchAll(/<tr class="session" data-session="([0-9a-f]+)"/g)].map((m) => m[1]);
      expect(phoneRow.length).toBeGreaterThan(0);
      // Revoke every other session; the phone's cookie must stop working.
      for (const id of phoneRow) {
        const res = await laptop.post(`/account/sessions/${id}/revoke`, { _csrf: await laptop.csrf() });
        expect(res.statusCode).toBe(303);
      }
      expect((await phone.get('/account')).statusCode).toBe(303);
      expect((await laptop.get('/account')).statusCode).toBe(200);
      const again = await laptop.post(`/account/sessions/${phoneRow[0]}/revoke`, { _csrf: await laptop.csrf() });
      expect(again.json<{ code: string }>().code).toBe('SessionNotFound');
    });

    it("refuses to revoke another account's session or token", async () => {
      const bobs = await signedInBrowser(r, bob);
      const bobSession = /data-session="([0-9a-f]+)"/.exec((await bobs.get('/account')).body)?.[1];
      const bobToken = /data-token="([0-9]+)"/.exec((await bobs.get('/account')).body)?.[1];
      const a = await signedInBrowser(r, alice);
      const s = await a.post(`/account/sessions/${bobSession}/revoke`, { _csrf: await a.csrf() });
      expect(s.statusCode).toBe(404);
      expect(s.json<{ code: string }>().code).toBe('SessionNotFound');
      const t = await a.post(`/account/tokens/${bobToken}/revoke`, { _csrf: await a.csrf() });
      expect(t.json<{ code: string }>().code).toBe('TokenNotFound');
      expect((await bobs.get('/account')).statusCode).toBe(200);
      expect((await whoami({ authorization: `Bearer ${bob.token}` })).statusCode).toBe(200);
    });

    it('revokes a token from the account page: npm can no longer use it', async () => {
      const carol = await r.createUser('carol');
      const b = await signedInBrowser(r, carol);
      expect((await whoami({ authorization: `Bearer ${carol.token}` })).statusCode).toBe(200);
      const id = /data-token="([0-9]+)"/.exec((await b.get('/account')).body)?.[1];
      const res = await b.post(`/account/tokens/${id}/revoke`, { _csrf: await b.csrf() });
      expect(res.statusCode).toBe(303);
      expect((await whoami({ authorization: `Bearer ${carol.token}` })).statusCode).toBe(401);
      expect((await b.get('/account')).body).toContain('data-type="token.revoked"');
    });

    it("never lets a session cookie authenticate npm's API", async () => {
      const b = await signedInBrowser(r, alice);
      const res = await whoami({ cookie: b.cookie });
      expect(res.statusCode).toBe(401);
      expect(res.json<{ code: string }>().code).toBe('Unauthenticated');
      const del = await r.inject({
        method: 'DELETE',
        url: `/-/user/token/${encodeURIComponent(alice.token)}`,
        headers: { cookie: b.cookie },
      });
      expect(del.statusCode).toBe(401);
      expect((await whoami({ authorization: `Bearer ${alice.token}` })).statusCode).toBe(200);
    });

    it('signs out: the cookie is cleared and no longer works', async () => {
      const b = await signedInBrowser(r, alice);
      const res = await b.post('/logout', { _csrf: await b.csrf() });
      expect(res.statusCode).toBe(303);
      expect(String(res.headers['set-cookie'])).toMatch(/^gatehouse_session=; Max-Age=0;/);
      expect((await b.get('/account')).statusCode).toBe(303);
    });

    it('expires tokens from `npm login` after 12 hours; automation tokens keep working', async () => {
      const login = await legacyLogin(bob);
      const token = login.json<{ token: string }>().token;
      expect((await whoami({ authorization: `Bearer ${token}` })).statusCode).toBe(200);
      clock.advance(12 * HOUR);
      const expired = await whoami({ authorization: `Bearer ${token}` });
      expect(expired.statusCode).toBe(401);
      expect(expired.json<{ code: string }>().code).toBe('Unauthenticated');
      expect((await whoami({ authorization: `Bearer ${bob.token}` })).statusCode).toBe(200);
    });
  });

  describe(`web sessions behind https (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    beforeAll(async () => {
      r = await startRegistry(engine, { config: { publicUrl: 'https://registry.example' } });
      alice = await r.createUser('alice');
    });
    afterAll(() => r?.close());

    it('marks the cookie Secure, with the __Host- prefix', async () => {
      const res = await browser(r).post('/login', { username: 'alice', password: alice.password });
      const cookie = String(res.headers['set-cookie']);
      expect(cookie).toMatch(/^__Host-gatehouse_session=/);
      expect(cookie).toContain('; Secure');
      expect(cookie).toContain('Path=/');
      // The browser sends it back under that name, and it signs in.
      const page = await browser(r, cookieOf(res)).get('/account');
      expect(page.statusCode).toBe(200);
    });
  });
  describe(`web sign-in with a password that leaked later (${engine})`, () => {
    let hibp: HibpServer;
    let r: TestRegistry;
    const PASSWORD = 'a fine passphrase until it leaked';
    beforeAll(async () => {
      hibp = await startHibpServer();
      r = await startRegistry(engine, { config: { hibpUrl: hibp.url } });
      await r.registry.accounts.createUser({ name: 'erin', email: 'erin@example.com', password: PASSWORD, isAdmin: false });
      hibp.addBreached(PASSWORD, 1);
    });
    afterAll(async () => {
      await r?.close();
      await hibp?.close();
    });

    it('signs in, first shows that the password must be changed, then leads only to its change', async () => {
      const res = await browser(r).post('/login', { username: 'erin', password: PASSWORD, next: '/account' });
      expect(res.statusCode).toBe(200);
      expect(res.body).toMatch(/<p class="notice" role="alert">[^<]*breach/);
      expect(res.body).toContain('<a class="continue" href="/account">Continue</a>');
      // The rest of the way: test/http/leaked-password-sign-in.test.ts.
      expect((await browser(r, cookieOf(res)).get('/account')).headers.location).toBe('/account/password?next=%2Faccount');
    });
  });
}
