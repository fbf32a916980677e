// Web sign-in and the `npm login` approval with a real second factor (TOTP set up through npm's
// profile API), on both engines: the password alone starts no session; a wrong code neither; the
// approval of a CLI's login asks for a code of its own, and without it the CLI gets nothing. Page
// refusals carry the catalog code on the alert (`data-code`).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { enrolTotp, type Enrolled } from '../support/mfa.js';
import { ManualClock } from '../../src/domain/clock.js';
import { browser, cookieOf, csrfOf } from './session-browser.js';

const alertCode = (page: string) => /role="alert" data-code="([A-Za-z]+)"/.exec(page)?.[1];

for (const engine of ENGINES) {
  describe(`web sign-in with a second factor (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    let totp: Enrolled;
    const clock = new ManualClock('2030-01-01T00:00:00.000Z');

    beforeAll(async () => {
      r = await startRegistry(engine, { deps: { clock } });
      alice = await r.createUser('alice');
      totp = await enrolTotp(r, alice, 'auth-only');
    });
    afterAll(() => r?.close());

    const signIn = (fields: Record<string, string>, url = '/login') =>
      browser(r).post(url, { username: 'alice', password: alice.password, ...fields });

    it('starts no session on the password alone, or with a wrong code', async () => {
      const before = await r.registry.store.events.latestSeq();
      const none = await signIn({});
      expect(none.statusCode).toBe(401);
      expect(alertCode(none.body)).toBe('OtpRequired');
      expect(none.headers['set-cookie']).toBeUndefined();
      const wrong = await signIn({ code: '000000' });
      expect(wrong.statusCode).toBe(401);
      expect(alertCode(wrong.body)).toBe('OtpInvalid');
      expect(wrong.headers['set-cookie']).toBeUndefined();
      expect(await r.registry.store.events.latestSeq()).toBe(before);
    });

    it('signs in with the code, and the account page shows the second factor', async () => {
      const res = await signIn({ code: totp.nextCode(), next: '/account' });
      expect(res.statusCode).toBe(303);
      const page = await browser(r, cookieOf(res)).get('/account');
      expect(page.body).toContain('<span class="mfa">required at sign-in</span>');
    });

    it("asks a code again to approve a CLI's login; without one the CLI gets nothing", async () => {
      const started = await r.inject({
        method: 'POST',
        url: '/-/v1/login',
        headers: { 'content-type': 'application/json' },
        payload: '{}',
      });
      const { loginUrl, doneUrl } = started.json<{ loginUrl: string; doneUrl: string }>();
      const id = loginUrl.split('/').pop()!;
      const poll = () => r.inject({ method: 'GET', url: new URL(doneUrl).pathname });
      const signedIn = await signIn({ code: totp.nextCode() }, `/login/cli/${id}`);
      expect(signedIn.statusCode).toBe(303);
      const b = browser(r, cookieOf(signedIn));
      const shown = await b.get(`/login/cli/${id}`);
      expect(shown.body).toContain('name="code"');
      const refused = await b.post(`/login/cli/${id}/approve`, { _csrf: csrfOf(shown.body) });
      expect(refused.statusCode).toBe(401);
      expect(alertCode(refused.body)).toBe('OtpRequired');
      const wrong = await b.post(`/login/cli/${id}/approve`, { _csrf: csrfOf(shown.body), code: '000000' });
      expect(alertCode(wrong.body)).toBe('OtpInvalid');
      expect((await poll()).statusCode).toBe(202);
      const approved = await b.post(`/login/cli/${id}/approve`, { _csrf: csrfOf(shown.body), code: totp.nextCode() });
      expect(approved.statusCode).toBe(200);
      expect((await poll()).statusCode).toBe(200);
    });
  });
}
