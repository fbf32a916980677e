// Signing in on the web with a password found in a breach after the account was made, on both
// engines: the browser is signed in to the password change page only. Every other page sends it
// there, every other form changes nothing, until a new password (screened too) is set; then the
// session rotates and the browser goes where it was headed. npm's legacy login gets no token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { browser, cookieOf, csrfOf, signedInBrowser } from './session-browser.js';
import { keyStep, registerKey, softwareKey } from './security-key-steps.js';

// The refusal of the form just posted (the page may also carry the standing notice).
const alertCode = (page: string) => /class="error" role="alert" data-code="([A-Za-z]+)"/.exec(page)?.[1];

for (const engine of ENGINES) {
  describe(`web sign-in with a leaked password (${engine})`, () => {
    const leaked = new Set<string>();
    let r: TestRegistry;
    let gail: TestUser;

    beforeAll(async () => {
      r = await startRegistry(engine, { deps: { passwordScreen: { isLeaked: async (p) => leaked.has(p) } } });
      gail = await r.createUser('gail');
      // Leaked after the account was made: sign-up took it, the next sign-in finds it listed.
      leaked.add(gail.password);
      leaked.add('also-in-a-breach-2024');
    });
    afterAll(() => r?.close());

    it('signs in only to the password change page until the password changes', async () => {
      const signIn = await browser(r).post('/login', { username: 'gail', password: gail.password, next: '/account' });
      expect(signIn.statusCode).toBe(200);
      const b = browser(r, cookieOf(signIn));

      for (const path of ['/account', '/', '/account/two-factor', '/account/email']) {
        const res = await b.get(path);
        expect([path, res.statusCode, res.headers.location]).toEqual([
          path,
          303,
          `/account/password?next=${encodeURIComponent(path)}`,
        ]);
      }
      const page = await b.get('/account/password?next=/account');
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('data-code="PasswordChangeRequired"');
      const csrf = csrfOf(page.body);

      const before = await r.registry.store.events.latestSeq();
      const revoke = await b.post(`/account/tokens/1/revoke`, { _csrf: csrf });
      expect([revoke.statusCode, revoke.headers.location]).toEqual([303, '/account/password']);
      const totp = await b.post('/account/two-factor/start', { _csrf: csrf, password: gail.password, level: 'auth-only' });
      expect(totp.statusCode).toBe(303);
      const again = await b.post('/account/password', { _csrf: csrf, current: gail.password, password: 'also-in-a-breach-2024' });
      expect([again.statusCode, alertCode(again.body)]).toEqual([400, 'PasswordLeaked']);
      expect(await r.registry.store.events.latestSeq()).toBe(before);
      expect(
        (await r.inject({ method: 'GET', url: '/-/whoami', headers: { authorization: `Bearer ${gail.token}` } })).statusCode,
      ).toBe(200);

      const done = await b.post('/account/password', {
        _csrf: csrf,
        next: '/account',
        current: gail.password,
        password: 'gail-chose-a-new-passphrase',
      });
      expect(done.statusCode).toBe(200);
      expect(done.body).toContain('href="/account"');
      const fresh = browser(r, cookieOf(done));
      expect((await fresh.get('/account')).statusCode).toBe(200);
      expect((await b.get('/account')).statusCode).toBe(303);
      expect((await b.get('/account')).headers.location).toBe('/login?next=/account');
    });

    it('holds a session the security key step opened after a leaked password to the same page', async () => {
      const kim = await r.createUser('kim');
      const key = softwareKey(r);
      await registerKey(await signedInBrowser(r, kim), key);
      leaked.add(kim.password);
      const challenge = await keyStep(r, kim);
      const signIn = await browser(r).post('/login/key', { webauthn: key.assert({ challenge }), next: '/account' });
      expect(signIn.statusCode, signIn.body).toBe(303);
      const b = browser(r, cookieOf(signIn));
      const res = await b.get('/account');
      expect([res.statusCode, res.headers.location]).toEqual([303, `/account/password?next=${encodeURIComponent('/account')}`]);
    });

    it('gives npm login no token for the leaked password', async () => {
      leaked.add('gail-chose-a-new-passphrase');
      const res = await r.inject({
        method: 'PUT',
        url: '/-/user/org.couchdb.user:gail',
        headers: { 'content-type': 'application/json' },
        payload: { _id: 'org.couchdb.user:gail', name: 'gail', password: 'gail-chose-a-new-passphrase', type: 'user', roles: [] },
      });
      expect([res.statusCode, res.json<{ code: string }>().code]).toEqual([403, 'PasswordChangeRequired']);
    });
  });
}
