// The account page's own forms on both engines, as a browser posts them: an authenticator app
// set up, its level changed, new recovery codes and turning it off; a password change; an email
// change. Every change of privilege gives the browser a new session and the old cookie stops
// working; a password change signs every other browser out; a refused form changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { codeSource, enrolTotp } from '../support/mfa.js';
import { readOutbox } from '../domain/mail/outbox-files.js';
import { ManualClock } from '../../src/domain/clock.js';
import type { TotpSecret } from '../../src/domain/mfa/totp.js';
import { browser, cookieOf, csrfOf, signedInBrowser, type TestBrowser } from './session-browser.js';

const alertCode = (page: string) => /role="alert" data-code="([A-Za-z]+)"/.exec(page)?.[1];
const NEW_PASSWORD = 'a-brand-new-passphrase-42';

/** Posts a form of `page` (its CSRF field included) and, when the answer sets one, moves the browser to the new cookie. */
async function submit(b: TestBrowser, page: string, url: string, fields: Record<string, string>) {
  const res = await b.post(url, { _csrf: csrfOf(page), ...fields });
  return { res, old: b.cookie, cookie: res.headers['set-cookie'] ? cookieOf(res) : undefined };
}

/** The old cookie is worth nothing: the account page sends that browser to sign in. */
async function expectSignedOut(r: TestRegistry, cookie: string) {
  const res = await browser(r, cookie).get('/account');
  expect(res.statusCode).toBe(303);
  expect(res.headers.location).toBe('/login?next=/account');
}

/** Signs in through /login with the password and a one-time code. */
async function signInWithCode(r: TestRegistry, user: TestUser, code: string): Promise<TestBrowser> {
  const res = await browser(r).post('/login', { username: user.user.name, password: user.password, code });
  expect(res.statusCode, res.body).toBe(303);
  return browser(r, cookieOf(res));
}

for (const engine of ENGINES) {
  describe(`account page forms (${engine})`, () => {
    const clock = new ManualClock('2031-05-01T10:00:00.000Z');
    let r: TestRegistry;

    beforeAll(async () => {
      r = await startRegistry(engine, { deps: { clock } });
    });
    afterAll(() => r?.close());

    const events = async (type: string, userId: number) =>
      (await r.registry.store.events.since(0, 10_000)).filter(
        (e) => e.type === type && e.actor.kind === 'user' && e.actor.userId === userId,
      );

    it('sets up an authenticator app: QR code and link, a code confirms, ten recovery codes once, a new session', async () => {
      const alice = await r.createUser('alice');
      const b = await signedInBrowser(r, alice);
      const overview = await b.get('/account/two-factor');
      expect(overview.statusCode).toBe(200);
      expect(overview.body).toContain('class="totp-start"');

      const start = await submit(b, overview.body, '/account/two-factor/start', {
        password: alice.password,
        level: 'auth-and-writes',
      });
      expect(start.res.statusCode).toBe(200);
      expect(start.res.headers['cache-control']).toBe('no-store');
      expect(start.res.body).toMatch(/<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]*viewBox/);
      const url = /<code class="otpauth">([^<]+)<\/code>/.exec(start.res.body)?.[1]?.replaceAll('&amp;', '&');
      expect(url).toMatch(/^otpauth:\/\/totp\//);
      const nextCode = codeSource(new URL(url!).searchParams.get('secret') as TotpSecret, clock);

      const wrong = await submit(b, start.res.body, '/account/two-factor/confirm', { code: '000000' });
      expect([wrong.res.statusCode, alertCode(wrong.res.body)]).toEqual([401, 'OtpInvalid']);
      expect(wrong.cookie).toBeUndefined();
      expect(await r.registry.mfa.mfa.status(alice.user)).toEqual({ pending: true, mode: 'auth-and-writes' });

      const done = await submit(b, wrong.res.body, '/account/two-factor/confirm', { code: nextCode() });
      expect(done.res.statusCode).toBe(200);
      expect(done.res.headers['cache-control']).toBe('no-store');
      expect([...done.res.body.matchAll(/<li><code>([^<]+)<\/code><\/li>/g)]).toHaveLength(10);
      expect(await r.registry.mfa.mfa.status(alice.user)).toEqual({ pending: false, mode: 'auth-and-writes' });
      expect((await events('mfa.enabled', alice.user.id)).at(-1)?.data).toMatchObject({
        method: 'totp',
        level: 'auth-and-writes',
      });
      expect(done.cookie).toMatch(/^gatehouse_session=./);
      await expectSignedOut(r, done.old);
      b.cookie = done.cookie!;
      expect((await b.get('/account')).body).toContain('required at sign-in and for publishing');
      await r.registry.mail.deliver();
      const mails = await readOutbox(r.registry.config.dataDir);
      expect(mails.some((m) => m.to === 'alice@example.com' && /two-factor authentication turned on/i.test(m.subject))).toBe(
        true,
      );
    });

    it('changes the level, makes new recovery codes and turns the factor off, each only with a current code', async () => {
      const bob = await r.createUser('bob');
      const totp = await enrolTotp(r, bob, 'auth-only');
      const b = await signInWithCode(r, bob, totp.nextCode());
      let page = (await b.get('/account/two-factor')).body;
      expect(page).toContain('data-level="auth-only"');

      const noCode = await submit(b, page, '/account/two-factor/recovery-codes', {});
      expect([noCode.res.statusCode, alertCode(noCode.res.body)]).toEqual([401, 'OtpRequired']);
      const codes = await submit(b, page, '/account/two-factor/recovery-codes', { code: totp.nextCode() });
      expect(codes.res.statusCode).toBe(200);
      const fresh = [...codes.res.body.matchAll(/<li><code>([^<]+)<\/code><\/li>/g)].map((m) => m[1]);
      expect(fresh).toHaveLength(10);
      expect(fresh).not.toContain(totp.recoveryCodes[0]);
      expect(await events('recovery_codes.generated', bob.user.id)).toHaveLength(2);

      const level = await submit(b, page, '/account/two-factor/start', {
        password: bob.password,
        level: 'auth-and-writes',
        code: totp.nextCode(),
      });
      expect(level.res.statusCode).toBe(200);
      expect(await r.registry.mfa.mfa.status(bob.user)).toEqual({ pending: false, mode: 'auth-and-writes' });
      await expectSignedOut(r, level.old);
      b.cookie = level.cookie!;
      page = (await b.get('/account/two-factor')).body;

      const badDisable = await submit(b, page, '/account/two-factor/disable', { password: bob.password, code: '123456' });
      expect([badDisable.res.statusCode, alertCode(badDisable.res.body)]).toEqual([401, 'OtpInvalid']);
      expect(await r.registry.mfa.mfa.status(bob.user)).not.toBeNull();
      const off = await submit(b, page, '/account/two-factor/disable', { password: bob.password, code: totp.nextCode() });
      expect(off.res.statusCode).toBe(200);
      expect(await r.registry.mfa.mfa.status(bob.user)).toBeNull();
      expect(await events('mfa.disabled', bob.user.id)).toHaveLength(1);
      await expectSignedOut(r, off.old);
    });

    it('refuses a form without its CSRF token and changes nothing', async () => {
      const carol = await r.createUser('carol');
      const b = await signedInBrowser(r, carol);
      const before = await r.registry.store.events.latestSeq();
      const res = await b.post('/account/two-factor/start', { password: carol.password, level: 'auth-only' });
      expect(res.statusCode).toBe(403);
      const pw = await b.post('/account/password', { current: carol.password, password: NEW_PASSWORD });
      expect(pw.statusCode).toBe(403);
      expect(await r.registry.store.events.latestSeq()).toBe(before);
      expect(await r.registry.mfa.mfa.status(carol.user)).toBeNull();
    });

    it('changes the password: the old one is checked, a breached one refused, every other browser signed out', async () => {
      const dave = await r.createUser('dave');
      const here = await signedInBrowser(r, dave);
      const elsewhere = await signedInBrowser(r, dave);
      const page = (await here.get('/account/password')).body;
      const before = await r.registry.store.events.latestSeq();
      const wrong = await submit(here, page, '/account/password', { current: 'not-the-password', password: NEW_PASSWORD });
      expect([wrong.res.statusCode, alertCode(wrong.res.body)]).toEqual([401, 'BadCredentials']);
      const leaked = await submit(here, page, '/account/password', { current: dave.password, password: 'password123' });
      expect([leaked.res.statusCode, alertCode(leaked.res.body)]).toEqual([400, 'PasswordLeaked']);
      const short = await submit(here, page, '/account/password', { current: dave.password, password: 'short' });
      expect(short.res.statusCode).toBe(400);
      expect(await r.registry.store.events.latestSeq()).toBe(before);

      const done = await submit(here, page, '/account/password', { current: dave.password, password: NEW_PASSWORD });
      expect(done.res.statusCode).toBe(200);
      expect(done.cookie).toMatch(/^gatehouse_session=./);
      await expectSignedOut(r, done.old);
      await expectSignedOut(r, elsewhere.cookie);
      here.cookie = done.cookie!;
      expect((await here.get('/account')).statusCode).toBe(200);
      // npm tokens are not revoked by a change the owner made (a reset revokes them): docs/web-sessions.md.
      expect(
        (await r.inject({ method: 'GET', url: '/-/whoami', headers: { authorization: `Bearer ${dave.token}` } })).statusCode,
      ).toBe(200);
      const ended = (await events('session.revoked', dave.user.id)).map((e) => (e.data as { by: string }).by);
      expect(ended.filter((by) => by === 'password-change')).toHaveLength(2);
      await r.registry.mail.deliver();
      const mail = (await readOutbox(r.registry.config.dataDir)).find(
        (m) => m.to === 'dave@example.com' && /password was changed/i.test(m.subject),
      );
      // Where the change came from: the browser's address and User-Agent (inject's own).
      expect(mail?.text).toMatch(/^From: {4}127\.0\.0\.1$/m);
      expect(mail?.text).toMatch(/^Client: {2}lightMyRequest$/m);
      expect(mail?.text).not.toContain(NEW_PASSWORD);
    });

    it('changes the email address with the current password; both addresses are told and the session rotates', async () => {
      const erin = await r.createUser('erin');
      const b = await signedInBrowser(r, erin);
      const page = (await b.get('/account/email')).body;
      const before = await r.registry.store.events.latestSeq();
      const wrong = await submit(b, page, '/account/email', { email: 'erin@new.example', password: 'nope-nope-nope' });
      expect([wrong.res.statusCode, alertCode(wrong.res.body)]).toEqual([401, 'BadCredentials']);
      const bad = await submit(b, page, '/account/email', { email: 'not an address', password: erin.password });
      expect([bad.res.statusCode, alertCode(bad.res.body)]).toEqual([400, 'InvalidEmail']);
      const taken = await submit(b, page, '/account/email', { email: 'alice@example.com', password: erin.password });
      expect([taken.res.statusCode, alertCode(taken.res.body)]).toEqual([409, 'EmailInUse']);
      expect(await r.registry.store.events.latestSeq()).toBe(before);

      const done = await submit(b, page, '/account/email', { email: 'erin@new.example', password: erin.password });
      expect(done.res.statusCode).toBe(200);
      const now = await r.registry.store.users.byId(erin.user.id);
      expect([now?.email, now?.emailVerified]).toEqual(['erin@new.example', false]);
      await expectSignedOut(r, done.old);
      await r.registry.mail.deliver();
      const mails = (await readOutbox(r.registry.config.dataDir)).filter((m) => /email address was changed/i.test(m.subject));
      expect(mails.map((m) => m.to).sort()).toEqual(['erin@example.com', 'erin@new.example']);
      for (const m of mails) expect(m.text).toMatch(/^From: {4}127\.0\.0\.1$/m);
    });
  });

  describe(`TOTP on the web under mfaNewFactors=webauthn-only (${engine})`, () => {
    let r: TestRegistry;
    let frank: TestUser;
    beforeAll(async () => {
      r = await startRegistry(engine, { config: { mfaNewFactors: 'webauthn-only' } });
      frank = await r.createUser('frank');
    });
    afterAll(() => r?.close());

    it('refuses a new authenticator app with the policy message, changing nothing', async () => {
      const b = await signedInBrowser(r, frank);
      const page = (await b.get('/account/two-factor')).body;
      const res = await submit(b, page, '/account/two-factor/start', { password: frank.password, level: 'auth-only' });
      expect([res.res.statusCode, alertCode(res.res.body)]).toEqual([403, 'MfaFactorNotAllowed']);
      expect(await r.registry.mfa.mfa.status(frank.user)).toBeNull();
      expect(res.cookie).toBeUndefined();
    });
  });
}
