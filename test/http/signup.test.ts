// Sign-up and email verification as a client sees them: npm adduser's PUT, the /signup page, the
// mailed /verify-email link, and the resend page and API. Every refusal carries its code and
// leaves no trace. Runs on both engines with a ManualClock (link expiry without waiting).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { packageBuilder } from '../fixtures/package-builder.js';
import { ManualClock } from '../../src/domain/clock.js';
import { openDatabase } from '../../src/storage/db/database.js';
import type { DB } from '../../src/storage/db/schema.js';
import { isEvent } from '../../src/domain/events/store.js';
import type { PasswordScreen } from '../../src/domain/accounts/password-screen.js';
import { readOutbox, verificationLink, type ReceivedMail } from '../domain/mail/outbox-files.js';

const PASSWORD = 'sign-up-correct-horse';
const LEAKED = 'password1234';
// A screen that knows one breached password, standing in for the corpus another part provides.
const screen: PasswordScreen = { isLeaked: async (password) => password === LEAKED };

function adduserBody(name: string, fields: Record<string, unknown>) {
  // npm-profile's adduserCouch body.
  return { _id: `org.couchdb.user:${name}`, name, type: 'user', roles: [], date: new Date().toISOString(), ...fields };
}

for (const engine of ENGINES) {
  describe(`sign-up and email verification (${engine})`, () => {
    let r: TestRegistry;
    let admin: TestUser;
    /** A second connection to the registry's database, to count and sweep rows as an auditor would. */
    let db: Kysely<DB>;
    const clock = new ManualClock('2026-04-01T08:00:00.000Z');

    beforeAll(async () => {
      r = await startRegistry(engine, { deps: { clock, passwordScreen: screen } });
      db = (await openDatabase(r.registry.config)).db;
      admin = await r.createUser('admin');
    });
    afterAll(async () => {
      await db.destroy();
      await r.close();
    });

    const adduser = (name: string, fields: Record<string, unknown>) =>
      r.inject({ method: 'PUT', url: `/-/user/org.couchdb.user:${name}`, payload: adduserBody(name, fields) });
    const openLink = (link: string, token?: string) =>
      r.inject({
        method: 'GET',
        url: new URL(link).pathname,
        headers: { accept: 'text/html', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      });
    const codeOnPage = (body: string) => /data-code="([A-Za-z]+)"/.exec(body)?.[1];

    /** Runs the worker and returns the newest verification mail to `address`. */
    async function mailTo(address: string): Promise<ReceivedMail> {
      await r.registry.mail.deliver();
      const mails = (await readOutbox(r.registry.config.dataDir)).filter(
        (m) => m.to.toLowerCase() === address.toLowerCase() && /verify/i.test(m.subject),
      );
      const last = mails
        .sort((a, b) => Number(/\.(\d+)\./.exec(a.messageId)![1]) - Number(/\.(\d+)\./.exec(b.messageId)![1]))
        .at(-1);
      if (!last) throw new Error(`no mail to ${address}`);
      return last;
    }

    /** What a refused request must not have changed. */
    async function footprint() {
      const users = await sql<{ n: number | string }>`select count(*) as n from users`.execute(db);
      return { users: Number(users.rows[0]!.n), seq: await r.registry.store.events.latestSeq() };
    }

    it('npm adduser creates an unverified account, answers 201 with a token, and mails a link', async () => {
      const res = await adduser('carol', { password: PASSWORD, email: 'Carol@Example.com' });
      expect(res.statusCode).toBe(201);
      const body = res.json<{ ok: boolean; id: string; token: string }>();
      expect(body).toMatchObject({ ok: true, id: 'org.couchdb.user:carol' });
      const whoami = await r.inject({ method: 'GET', url: '/-/whoami', headers: { authorization: `Bearer ${body.token}` } });
      expect(whoami.json()).toEqual({ username: 'carol' });

      const events = await r.registry.store.events.since(0, 1000);
      expect(events.filter(isEvent('user.created')).find((e) => e.data.user === 'carol')?.data.via).toBe('signup');
      expect(events.filter(isEvent('email.verification_requested')).some((e) => e.data.email === 'Carol@Example.com')).toBe(true);

      const mail = await mailTo('carol@example.com');
      // Sent to the address as it was typed (local parts may be case-sensitive; the domain is not).
      expect(mail.to).toMatch(/^Carol@/);
      expect(mail.subject).toMatch(/verify your email/i);
      expect(verificationLink(mail)).toMatch(/\/verify-email\/[0-9a-f]{32}\.[A-Za-z0-9_-]+$/);
    });

    it('refuses to publish until the link is opened, then publishes', async () => {
      const token = (await adduser('dave', { password: PASSWORD, email: 'dave@example.com' })).json<{ token: string }>().token;
      const dave = { user: (await r.registry.store.users.byName('dave'))!, token, password: PASSWORD };
      const refused = await r.publish(dave, packageBuilder('dave-lib', '1.0.0'));
      expect(refused.statusCode).toBe(403);
      expect(refused.json()).toMatchObject({ code: 'EmailUnverified' });

      const page = await openLink(verificationLink(await mailTo('dave@example.com')));
      expect(page.statusCode).toBe(200);
      expect(codeOnPage(page.body)).toBe('EmailVerified');
      expect((await r.registry.store.users.byName('dave'))!.emailVerified).toBe(true);
      const events = await r.registry.store.events.since(0, 1000);
      expect(events.filter(isEvent('email.verified')).map((e) => e.data.email)).toContain('dave@example.com');

      // The token authenticated a moment ago as unverified; the change applies at once.
      expect((await r.publish(dave, packageBuilder('dave-lib', '1.0.0'))).statusCode).toBe(201);
    });

    it('refuses a used, forged or malformed link with a page that says which, changing nothing', async () => {
      await adduser('erin', { password: PASSWORD, email: 'erin@example.com' });
      const link = verificationLink(await mailTo('erin@example.com'));
      expect((await openLink(link)).statusCode).toBe(200);
      const before = await footprint();
      const reused = await openLink(link);
      expect(reused.statusCode).toBe(409);
      expect(codeOnPage(reused.body)).toBe('VerificationLinkUsed');

      const [request, mac] = new URL(link).pathname.split('/').at(-1)!.split('.');
      const forged = `${r.url}/verify-email/${request}.${mac!.slice(0, -2)}${mac!.endsWith('AA') ? 'BB' : 'AA'}`;
      for (const bad of [forged, `${r.url}/verify-email/${'0'.repeat(32)}.${mac}`, `${r.url}/verify-email/nonsense`]) {
        const res = await openLink(bad);
        expect(res.statusCode, bad).toBe(404);
        expect(codeOnPage(res.body)).toBe('VerificationLinkInvalid');
      }
      expect(await footprint()).toEqual(before);
    });

    it('refuses an expired link, and a link opened by another signed-in account', async () => {
      await adduser('frank', { password: PASSWORD, email: 'frank@example.com' });
      const link = verificationLink(await mailTo('frank@example.com'));
      const before = await footprint();
      const other = await openLink(link, admin.token);
      expect(other.statusCode).toBe(403);
      expect(codeOnPage(other.body)).toBe('VerificationLinkWrongAccount');

      clock.advance(24 * 3600 * 1000);
      const expired = await openLink(link);
      expect(expired.statusCode).toBe(410);
      expect(codeOnPage(expired.body)).toBe('VerificationLinkExpired');
      expect(await footprint()).toEqual(before);
      expect((await r.registry.store.users.byName('frank'))!.emailVerified).toBe(false);

      // A new link (the API, with the account's token) works where the old one expired.
      const token = (await adduser('frank', { password: PASSWORD, email: 'frank@example.com' })).json<{ token: string }>().token;
      const resend = await r.inject({
        method: 'POST',
        url: '/-/gatehouse/v1/email/verification',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(resend.statusCode).toBe(202);
      const fresh = verificationLink(await mailTo('frank@example.com'));
      expect(fresh).not.toBe(link);
      expect((await openLink(fresh)).statusCode).toBe(200);
      const again = await r.inject({
        method: 'POST',
        url: '/-/gatehouse/v1/email/verification',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(again.statusCode).toBe(409);
      expect(again.json()).toMatchObject({ code: 'EmailAlreadyVerified' });
    });

    it('adduser for an existing name logs its owner in, and refuses anyone else with UserExists', async () => {
      const login = await adduser('admin', { password: admin.password, email: 'whatever@example.com' });
      expect(login.statusCode).toBe(201);
      expect(login.json()).toMatchObject({ ok: true, token: expect.any(String) });
      const before = await footprint();
      const taken = await adduser('admin', { password: 'someone-elses-password', email: 'mallory@example.com' });
      expect(taken.statusCode).toBe(409);
      expect(taken.json()).toMatchObject({ code: 'UserExists' });
      expect(await footprint()).toEqual(before);
    });

    const refusals: [string, Record<string, unknown>, number, string][] = [
      ['an address in use, in any case', { password: PASSWORD, email: 'ADMIN@example.COM' }, 409, 'EmailInUse'],
      ['an invalid address', { password: PASSWORD, email: 'not-an-address' }, 400, 'InvalidEmail'],
      ['an empty address', { password: PASSWORD, email: '' }, 400, 'InvalidEmail'],
      ['an empty password', { password: '', email: 'gina@example.com' }, 400, 'PasswordEmpty'],
      ['a short password', { password: 'short', email: 'gina@example.com' }, 400, 'PasswordTooShort'],
      ['a password over 1 KB', { password: 'x'.repeat(1025), email: 'gina@example.com' }, 400, 'PasswordTooLong'],
      ['a leaked password', { password: LEAKED, email: 'gina@example.com' }, 400, 'PasswordLeaked'],
    ];
    for (const [what, fields, status, code] of refusals) {
      it(`refuses sign-up with ${what} (${code}), changing nothing`, async () => {
        const before = await footprint();
        const res = await adduser('gina', fields);
        expect(res.statusCode).toBe(status);
        expect(res.json()).toMatchObject({ code });
        expect(await footprint()).toEqual(before);
        expect(await r.registry.store.users.byName('gina')).toBeUndefined();
      });
    }

    it('the /signup page creates the same account, and shows a refusal with its code', async () => {
      const page = await r.inject({ method: 'GET', url: '/signup', headers: { accept: 'text/html' } });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('<form method="post" action="/signup"');
      const post = (fields: Record<string, string>) =>
        r.inject({
          method: 'POST',
          url: '/signup',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams(fields).toString(),
        });
      const created = await post({ name: 'hana', email: 'hana@example.com', password: PASSWORD });
      expect(created.statusCode).toBe(201);
      expect(created.body).toContain('hana@example.com');
      expect(created.body).not.toContain(PASSWORD);
      expect((await r.registry.store.users.byName('hana'))!.emailVerified).toBe(false);
      expect((await mailTo('hana@example.com')).subject).toMatch(/verify/i);

      const before = await footprint();
      const taken = await post({ name: 'hana2', email: 'HANA@example.com', password: PASSWORD });
      expect(taken.statusCode).toBe(409);
      expect(codeOnPage(taken.body)).toBe('EmailInUse');
      expect(taken.body).not.toContain(PASSWORD);
      expect(await footprint()).toEqual(before);
    });

    it('the resend page sends a new link to an account proven by its password', async () => {
      await adduser('ivan', { password: PASSWORD, email: 'ivan@example.com' });
      const first = verificationLink(await mailTo('ivan@example.com'));
      const post = (username: string, password: string) =>
        r.inject({
          method: 'POST',
          url: '/verify-email',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({ username, password }).toString(),
        });
      const wrong = await post('ivan', 'not-the-password');
      expect(wrong.statusCode).toBe(401);
      expect(codeOnPage(wrong.body)).toBe('BadCredentials');
      expect((await post('ivan', PASSWORD)).statusCode).toBe(202);
      expect(verificationLink(await mailTo('ivan@example.com'))).not.toBe(first);
    });

    it('keeps the link secret out of every event and every table', async () => {
      await adduser('judy', { password: PASSWORD, email: 'judy@example.com' });
      const secret = new URL(verificationLink(await mailTo('judy@example.com'))).pathname.split('/').at(-1)!;
      const mac = secret.split('.')[1]!;
      const events = JSON.stringify(await r.registry.store.events.since(0, 10_000));
      expect(events).not.toContain(mac);
      for (const table of ['events', 'email_verifications', 'mail_outbox', 'users', 'tokens']) {
        const rows = await sql`select * from ${sql.table(table)}`.execute(db);
        expect(JSON.stringify(rows.rows), table).not.toContain(mac);
        expect(JSON.stringify(rows.rows), table).not.toContain(PASSWORD);
      }
    });
  });
}

describe('sign-up turned off', () => {
  it('refuses npm adduser and the page with SignupClosed; existing accounts still log in', async () => {
    const r = await startRegistry(ENGINES[0]!, { config: { signup: 'off' } });
    try {
      const alice = await r.createUser('alice');
      const res = await r.inject({
        method: 'PUT',
        url: '/-/user/org.couchdb.user:newbie',
        payload: adduserBody('newbie', { password: PASSWORD, email: 'newbie@example.com' }),
      });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ code: 'SignupClosed' });
      expect(await r.registry.store.users.byName('newbie')).toBeUndefined();
      const page = await r.inject({ method: 'GET', url: '/signup', headers: { accept: 'text/html' } });
      expect(page.statusCode).toBe(403);
      const login = await r.inject({
        method: 'PUT',
        url: '/-/user/org.couchdb.user:alice',
        payload: adduserBody('alice', { password: alice.password, email: 'alice@example.com' }),
      });
      expect(login.statusCode).toBe(201);
    } finally {
      await r.close();
    }
  });
});
