// `npm profile set email NEW` through npm's profile API (POST /-/npm/v1/user with every writable
// key, as lib/commands/profile.js sends it), plus the current password: the new address is
// unverified and gets a link, both addresses are told, publishing waits for the link, and a
// dead-domain block on recovery lifts. With two-factor, a code is asked (401 OTP, npm prompts).
// Every refusal leaves the account as it was. Both engines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { bearer } from '../support/npm-protocol.js';
import { enrolTotp, postProfile } from '../support/mfa.js';
import { readOutbox, verificationLink } from '../domain/mail/outbox-files.js';
import { packageBuilder } from '../fixtures/package-builder.js';
import { ManualClock } from '../../src/domain/clock.js';
import { isEvent } from '../../src/domain/events/store.js';

const codeOf = (res: LightMyRequestResponse) => [res.statusCode, res.json<{ code?: string }>().code];

/** What npm's `profile set email NEW` sends: every writable key of the profile, the new address. */
const setEmail = (email: string, password?: string) => ({
  email,
  fullname: null,
  homepage: null,
  freenode: null,
  twitter: null,
  github: null,
  ...(password === undefined ? {} : { password }),
});

for (const engine of ENGINES) {
  describe(`email change through the profile API (${engine})`, () => {
    let r: TestRegistry;
    const getProfile = (user: TestUser) => r.inject({ method: 'GET', url: '/-/npm/v1/user', headers: bearer(user.token) });
    const allEvents = () => r.registry.store.events.since(0, 10_000);

    beforeAll(async () => {
      r = await startRegistry(engine, { deps: { clock: new ManualClock('2031-05-01T08:00:00.000Z') } });
    });
    afterAll(() => r.close());

    it('sets the new address unverified, mails a link to it and the change to both, and publishing waits for the link', async () => {
      const alice = await r.createUser('alice');
      const res = await postProfile(r, alice, setEmail('alice@new.example', alice.password));
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ email: 'alice@new.example', email_verified: false });
      expect((await getProfile(alice)).json()).toMatchObject({ email: 'alice@new.example', email_verified: false });

      const changed = (await allEvents()).filter(isEvent('email.changed'));
      expect(changed.map((e) => e.data)).toEqual([
        { from: 'alice@example.com', to: 'alice@new.example', ip: '127.0.0.1', userAgent: 'lightMyRequest' },
      ]);
      await r.registry.mail.deliver();
      const mails = await readOutbox(r.registry.config.dataDir);
      expect(
        mails
          .filter((m) => /email address was changed/i.test(m.subject))
          .map((m) => m.to)
          .sort(),
      ).toEqual(['alice@example.com', 'alice@new.example']);
      const verify = mails.find((m) => m.to === 'alice@new.example' && /verify/i.test(m.subject));
      expect(verify).toBeDefined();

      // Unverified: the account's token (cached as verified before) can no longer publish.
      const pkg = packageBuilder('after-change', '1.0.0').file('index.js', '1;\n');
      expect(codeOf(await r.publish(alice, pkg))).toEqual([403, 'EmailUnverified']);
      const opened = await r.inject({
        method: 'GET',
        url: new URL(verificationLink(verify!)).pathname,
        headers: { accept: 'text/html' },
      });
      expect(opened.statusCode).toBe(200);
      expect((await r.publish(alice, pkg)).statusCode).toBe(201);
    });

    it('refuses without the password, with a wrong one, an invalid or a taken address, and changes nothing', async () => {
      const bob = await r.createUser('bob');
      await r.createUser('carl');
      const before = await r.registry.store.events.latestSeq();
      const refusals: [unknown, number, string][] = [
        [setEmail('bob@new.example'), 403, 'PasswordRequired'],
        [setEmail('bob@new.example', 'wrong password'), 401, 'BadCredentials'],
        [setEmail('not an address', bob.password), 400, 'InvalidEmail'],
        [setEmail('CARL@example.com', bob.password), 409, 'EmailInUse'],
      ];
      for (const [body, status, code] of refusals) {
        expect(codeOf(await postProfile(r, bob, body)), JSON.stringify(body)).toEqual([status, code]);
      }
      expect((await getProfile(bob)).json()).toMatchObject({ email: 'bob@example.com', email_verified: true });
      // The wrong password was a guess, counted by the guard, but no event.
      expect(await r.registry.store.events.latestSeq()).toBe(before);
    });

    it('asks an account with two-factor for a code, as npm expects (401 with WWW-Authenticate: OTP)', async () => {
      const dana = await r.createUser('dana');
      const totp = await enrolTotp(r, dana, 'auth-and-writes');
      const before = await r.registry.store.events.latestSeq();
      const noCode = await postProfile(r, dana, setEmail('dana@new.example', dana.password));
      expect(codeOf(noCode)).toEqual([401, 'OtpRequired']);
      expect(noCode.headers['www-authenticate']).toBe('OTP');
      expect(await r.registry.store.events.latestSeq()).toBe(before);
      const withCode = await postProfile(r, dana, setEmail('dana@new.example', dana.password), totp.nextCode());
      expect(withCode.statusCode, withCode.body).toBe(200);
      expect(withCode.json()).toMatchObject({ email: 'dana@new.example', email_verified: false });
    });

    it('lifts a dead-domain block on email recovery', async () => {
      const erin = await r.createUser('erin');
      await r.registry.store.emailDomains.blockRecovery(
        'example.com',
        'nxdomain',
        new Date(r.registry.clock.now()).toISOString(),
      );
      expect(await r.registry.emailDomains.recoveryDisabled(erin.user)).toBeDefined();
      const res = await postProfile(r, erin, setEmail('erin@elsewhere.example', erin.password));
      expect(res.statusCode, res.body).toBe(200);
      const now = await r.registry.store.users.byId(erin.user.id);
      expect(await r.registry.store.emailDomains.recoveryBlock(now!.id)).toBeUndefined();
    });
  });
}
