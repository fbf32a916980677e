// Password reset by email as a person meets it: the /reset-password page always gives the same
// answer, a mail (read from the outbox folder) goes only to a verified address on a live domain
// (a local DNS server answers), the mailed link opens a form, and the new password works while
// every old token stops. Reused, expired, forged and other-account links get a page with a code
// and change nothing; an account with a second factor must give a code. Both engines, ManualClock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { startDnsServer, type DnsServer } from '../support/dns-server.js';
import { bearer } from '../support/npm-protocol.js';
import { ANONYMOUS_CONTEXT } from '../support/context.js';
import { enrolTotp } from '../support/mfa.js';
import { signedInBrowser } from './session-browser.js';
import { readOutbox, verificationLink } from '../domain/mail/outbox-files.js';
import { ManualClock } from '../../src/domain/clock.js';
import { isEvent } from '../../src/domain/events/store.js';

const MINUTE = 60_000;
const NEW_PASSWORD = 'a-new-reset-password-42';
const codeOnPage = (body: string) => /data-code="([A-Za-z]+)"/.exec(body)?.[1];

for (const engine of ENGINES) {
  describe(`password reset by email (${engine})`, () => {
    const clock = new ManualClock('2031-03-01T09:00:00.000Z');
    let dns: DnsServer;
    let r: TestRegistry;

    beforeAll(async () => {
      dns = await startDnsServer({
        'example.com': [{ type: 'MX', preference: 10, exchange: 'mx.example.com' }],
        'live.test': [{ type: 'MX', preference: 10, exchange: 'mx.live.test' }],
      });
      r = await startRegistry(engine, {
        deps: { clock },
        config: { dnsServers: dns.address, dnsTimeoutMs: 500, emailDomainCheckMs: 0, guessAddressBackoffAfter: 30 },
      });
    });
    afterAll(async () => {
      await r?.close();
      await dns?.close();
    });

    const ask = (login: string) =>
      r.inject({ method: 'POST', url: '/reset-password', headers: { accept: 'text/html' }, payload: { login } });
    const page = (path: string, token?: string) =>
      r.inject({ method: 'GET', url: path, headers: { accept: 'text/html', ...(token ? bearer(token) : {}) } });
    const post = (path: string, fields: Record<string, string>, token?: string) =>
      r.inject({ method: 'POST', url: path, headers: { accept: 'text/html', ...(token ? bearer(token) : {}) }, payload: fields });
    const whoami = (token: string) => r.inject({ method: 'GET', url: '/-/whoami', headers: bearer(token) });

    async function resetMails(address: string) {
      // The page answers before the account is even looked up; wait for that work, then the mail.
      await r.registry.recovery.passwordReset.settled();
      await r.registry.mail.deliver();
      return (await readOutbox(r.registry.config.dataDir)).filter((m) => m.to === address && /reset/i.test(m.subject));
    }
    async function resetLinkFor(address: string): Promise<string> {
      const last = (await resetMails(address)).sort((a, b) => a.file.localeCompare(b.file, 'en', { numeric: true })).at(-1);
      const link = last && /https?:\/\/\S+\/reset-password\/\S+/.exec(last.text)?.[0];
      if (!link) throw new Error(`no reset link to ${address}`);
      return new URL(link).pathname;
    }
    async function events() {
      return r.registry.store.events.since(0, 10_000);
    }
    async function footprint(user: TestUser) {
      return {
        seq: await r.registry.store.events.latestSeq(),
        hash: await r.registry.store.users.passwordHash(user.user.id),
      };
    }

    it('serves the account recovery policy, with this registry’s settings, to browsers only', async () => {
      const res = await page('/policies/account-recovery');
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('<strong class="reset-window">60 minutes</strong>');
      expect(res.body).toContain('<strong class="restricted">72 hours</strong>');
      expect(res.body).toContain('gatehouse user recover NAME');
      // npm asking for the same address gets npm's answer (a version of a package "policies").
      const npmAsks = await r.inject({ method: 'GET', url: '/policies/account-recovery' });
      expect(npmAsks.headers['content-type']).not.toMatch(/html/);
      expect((await page('/reset-password')).body).toContain('name="login"');
    });

    it('answers the same for an unknown name, an unverified address and a real account, and mails only the real one', async () => {
      const alice = await r.createUser('alice');
      const signup = await r.registry.signup.signUp(
        ANONYMOUS_CONTEXT,
        { name: 'una', email: 'una@example.com', password: 'una-correct-horse' },
        { token: false },
      );
      expect(signup.user.emailVerified).toBe(false);
      const answers = await Promise.all([ask('nobody-here'), ask('una'), ask('una@example.com'), ask('alice')]);
      expect(answers.map((a) => a.statusCode)).toEqual([202, 202, 202, 202]);
      expect(new Set(answers.map((a) => codeOnPage(a.body)))).toEqual(new Set(['ResetRequested']));
      expect(new Set(answers.map((a) => a.body)).size).toBe(1);
      expect(await resetMails('una@example.com')).toHaveLength(0);
      expect(await resetMails('alice@example.com')).toHaveLength(1);
      // Asking again at once sends nothing more (the same answer); a minute later, by address in any case, it does.
      expect((await ask('alice')).statusCode).toBe(202);
      expect(await resetMails('alice@example.com')).toHaveLength(1);
      clock.advance(MINUTE);
      expect((await ask('ALICE@example.com')).statusCode).toBe(202);
      expect(await resetMails('alice@example.com')).toHaveLength(2);
      const requested = (await events()).filter(isEvent('password.reset_requested'));
      expect(requested.map((e) => e.actor)).toEqual([
        { kind: 'user', userId: alice.user.id },
        { kind: 'user', userId: alice.user.id },
      ]);
      // No event or row holds the link's secret.
      const link = await resetLinkFor('alice@example.com');
      const secretPart = link.split('.').at(-1)!;
      expect(JSON.stringify(await events())).not.toContain(secretPart);
    });

    it('sends nothing to an address whose domain has no mail host', async () => {
      await r.registry.accounts.createUser({
        name: 'dora',
        email: 'dora@gone.test',
        password: 'dora-correct-horse',
        isAdmin: false,
      });
      expect((await ask('dora')).statusCode).toBe(202);
      expect(await resetMails('dora@gone.test')).toHaveLength(0);
      expect(dns.queries.some((q) => q.name === 'gone.test')).toBe(true);
      expect((await events()).filter(isEvent('password.reset_requested')).some((e) => e.data.email === 'dora@gone.test')).toBe(
        false,
      );
    });

    it('opens the link on a form, refuses a short password, then changes it, revokes every token, ends every web session and spends the link', async () => {
      const bob = await r.createUser('bob');
      const other = await r.registry.accounts.loginWithPassword('bob', bob.password, { clientIp: '127.0.0.1' });
      const web = await signedInBrowser(r, bob);
      await ask('bob');
      const link = await resetLinkFor('bob@example.com');
      const form = await page(link);
      expect(form.statusCode).toBe(200);
      expect(form.headers['cache-control']).toBe('no-store');
      expect(form.body).toContain('name="password"');
      expect(form.body).not.toContain('name="code"');

      const before = await footprint(bob);
      const short = await post(link, { password: 'short' });
      expect([short.statusCode, codeOnPage(short.body)]).toEqual([400, 'PasswordTooShort']);
      expect(await footprint(bob)).toEqual(before);

      const done = await post(link, { password: NEW_PASSWORD });
      expect([done.statusCode, codeOnPage(done.body)]).toEqual([200, 'PasswordChanged']);
      expect((await whoami(bob.token)).statusCode).toBe(401);
      expect((await whoami(other.token)).statusCode).toBe(401);
      // The browser signed in with the old password is signed out too.
      expect((await web.get('/account')).headers.location).toBe('/login?next=/account');
      await expect(r.registry.accounts.checkPassword('bob', NEW_PASSWORD, { clientIp: '127.0.0.1' })).resolves.toMatchObject({
        name: 'bob',
      });
      const changed = (await events()).filter(isEvent('password.changed')).filter((e) => e.actor.kind === 'user');
      expect(changed.at(-1)?.data).toEqual({ via: 'reset', ip: '127.0.0.1', userAgent: 'lightMyRequest' });
      expect((await events()).filter(isEvent('token.revoked')).length).toBeGreaterThanOrEqual(2);
      const mails = await r.registry.mail.deliver().then(() => readOutbox(r.registry.config.dataDir));
      expect(mails.some((m) => m.to === 'bob@example.com' && /password was changed/i.test(m.subject))).toBe(true);

      // Used: refused, with nothing changed.
      const after = await footprint(bob);
      const again = await post(link, { password: 'yet-another-password-7' });
      expect([again.statusCode, codeOnPage(again.body)]).toEqual([409, 'ResetLinkUsed']);
      expect([(await page(link)).statusCode, codeOnPage((await page(link)).body)]).toEqual([409, 'ResetLinkUsed']);
      expect(await footprint(bob)).toEqual(after);
    });

    it('refuses an expired, a forged, a verification and another account’s link, changing nothing', async () => {
      const carol = await r.createUser('carol');
      const dave = await r.createUser('dave');
      await ask('carol');
      const link = await resetLinkFor('carol@example.com');
      const before = await footprint(carol);

      const otherAccount = await post(link, { password: NEW_PASSWORD }, dave.token);
      expect([otherAccount.statusCode, codeOnPage(otherAccount.body)]).toEqual([403, 'ResetLinkWrongAccount']);

      const forged = `${link.slice(0, -3)}${link.endsWith('AAA') ? 'BBB' : 'AAA'}`;
      const refusedForged = await post(forged, { password: NEW_PASSWORD });
      expect([refusedForged.statusCode, codeOnPage(refusedForged.body)]).toEqual([404, 'ResetLinkInvalid']);
      expect(codeOnPage((await page('/reset-password/not-a-link')).body)).toBe('ResetLinkInvalid');

      // A verification link's secret is bound to its purpose: it is no reset link.
      await r.registry.verification.resendByPassword('una', 'una-correct-horse', ANONYMOUS_CONTEXT);
      await r.registry.mail.deliver();
      const verify = (await readOutbox(r.registry.config.dataDir)).filter(
        (m) => m.to === 'una@example.com' && /verify/i.test(m.subject),
      );
      const verifySecret = new URL(verificationLink(verify.at(-1)!)).pathname.split('/').at(-1)!;
      expect(codeOnPage((await page(`/reset-password/${verifySecret}`)).body)).toBe('ResetLinkInvalid');

      clock.advance(60 * MINUTE);
      const expired = await post(link, { password: NEW_PASSWORD });
      expect([expired.statusCode, codeOnPage(expired.body)]).toEqual([410, 'ResetLinkExpired']);
      expect(await footprint(carol)).toEqual({ ...before, seq: expect.any(Number) });
      expect(await r.registry.store.users.passwordHash(carol.user.id)).toBe(before.hash);
      expect((await whoami(carol.token)).statusCode).toBe(200);
      expect(
        (await events())
          .filter(isEvent('password.changed'))
          .some((e) => e.actor.kind === 'user' && e.actor.userId === carol.user.id),
      ).toBe(false);
    });

    it('asks an account with a second factor for its code, and takes a recovery code', async () => {
      const erin = await r.createUser('erin');
      const totp = await enrolTotp(r, erin, 'auth-only');
      await ask('erin');
      const link = await resetLinkFor('erin@example.com');
      const form = await page(link);
      expect(form.body).toContain('name="code"');
      const before = await footprint(erin);
      const noCode = await post(link, { password: NEW_PASSWORD });
      expect([noCode.statusCode, codeOnPage(noCode.body)]).toEqual([401, 'OtpRequired']);
      const wrong = await post(link, { password: NEW_PASSWORD, code: '000000' });
      expect([wrong.statusCode, codeOnPage(wrong.body)]).toEqual([401, 'OtpInvalid']);
      expect(await footprint(erin)).toEqual(before);
      const done = await post(link, { password: NEW_PASSWORD, code: totp.recoveryCodes[0]! });
      expect([done.statusCode, codeOnPage(done.body)]).toEqual([200, 'PasswordChanged']);
      // The second factor stays: recovery never turns it off.
      expect(await r.registry.secondFactor.required(erin.user, 'auth')).toBe(true);
    });

    it('counts forged links against the client address until it is made to wait', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 35; i++) {
        const res = await post(`/reset-password/${'0'.repeat(32)}.forged${i}`, { password: NEW_PASSWORD });
        statuses.push(res.statusCode);
        if (res.statusCode === 429) {
          expect(codeOnPage(res.body)).toBe('TooManyAttempts');
          expect(res.headers['retry-after']).toBeDefined();
          break;
        }
      }
      expect(statuses.at(-1)).toBe(429);
      expect(statuses.slice(0, -1).every((s) => s === 404)).toBe(true);
    });
  });
}
