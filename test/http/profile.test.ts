// npm's profile API (/-/npm/v1/user) as npm-profile calls it: `npm profile get`, the two requests
// of `enable-2fa`, a level change, `disable-2fa`, `set password`, and every field npm may send
// that this registry does not change, each refused with its code and leaving nothing changed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { bearer } from '../support/npm-protocol.js';
import { enrolTotp, postProfile } from '../support/mfa.js';
import { isEvent } from '../../src/domain/events/store.js';
import { ManualClock } from '../../src/domain/clock.js';
import { codeAt, type TotpSecret } from '../../src/domain/mfa/totp.js';

const codeOf = (res: LightMyRequestResponse) => [res.statusCode, res.json<{ code?: string }>().code];

for (const engine of ENGINES) {
  describe(`npm profile API (${engine})`, () => {
    let r: TestRegistry;
    const getProfile = (user: TestUser) => r.inject({ method: 'GET', url: '/-/npm/v1/user', headers: bearer(user.token) });

    beforeAll(async () => {
      r = await startRegistry(engine, { deps: { clock: new ManualClock('2031-07-01T08:00:00.000Z') } });
    });
    afterAll(() => r.close());

    it('answers `npm profile get` with the account, two-factor off, and never to anonymous', async () => {
      const alice = await r.createUser('alice');
      const res = await getProfile(alice);
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.json()).toMatchObject({ name: 'alice', email: 'alice@example.com', email_verified: true, tfa: null });
      expect(codeOf(await r.inject({ method: 'GET', url: '/-/npm/v1/user' }))).toEqual([401, 'Unauthenticated']);
      expect(codeOf(await r.inject({ method: 'POST', url: '/-/npm/v1/user', payload: { tfa: [] } }))).toEqual([
        401,
        'Unauthenticated',
      ]);
    });

    it('sets up two-factor in two requests: the otpauth URL, then recovery codes for the first code', async () => {
      const bob = await r.createUser('bob');
      expect(codeOf(await postProfile(r, bob, { tfa: { password: 'wrong password', mode: 'auth-and-writes' } }))).toEqual([
        401,
        'BadCredentials',
      ]);
      expect(codeOf(await postProfile(r, bob, { tfa: ['123456'] }))).toEqual([409, 'MfaNotEnabled']);

      const first = await postProfile(r, bob, { tfa: { password: bob.password, mode: 'auth-and-writes' } });
      expect(first.statusCode).toBe(200);
      expect(first.headers['cache-control']).toBe('no-store');
      expect(first.json<{ tfa: string }>().tfa).toMatch(/^otpauth:\/\/totp\/.*[?&]secret=[A-Z2-7]+/);
      expect((await getProfile(bob)).json().tfa).toEqual({ pending: true, mode: 'auth-and-writes' });
      const secret = new URL(first.json<{ tfa: string }>().tfa).searchParams.get('secret') as TotpSecret;
      // A code from five minutes ahead is no code now.
      const wrong = await postProfile(r, bob, { tfa: [codeAt(secret, r.registry.clock.now() + 300_000)] });
      expect(codeOf(wrong)).toEqual([401, 'OtpInvalid']);
      expect((await getProfile(bob)).json().tfa).toEqual({ pending: true, mode: 'auth-and-writes' });
      const confirmed = await postProfile(r, bob, { tfa: [codeAt(secret, r.registry.clock.now())] });
      expect(confirmed.statusCode).toBe(200);
      expect(confirmed.json<{ tfa: string[] }>().tfa).toHaveLength(10);
      expect((await getProfile(bob)).json().tfa).toEqual({ pending: false, mode: 'auth-and-writes' });
    });

    it('changes the level of a set-up factor only with a code', async () => {
      const carol = await r.createUser('carol');
      const { nextCode } = await enrolTotp(r, carol, 'auth-only');
      const change = { tfa: { password: carol.password, mode: 'auth-and-writes' } };
      const refused = await postProfile(r, carol, change);
      expect(codeOf(refused)).toEqual([401, 'OtpRequired']);
      expect(refused.headers['www-authenticate']).toBe('OTP');
      const changed = await postProfile(r, carol, change, nextCode());
      expect([changed.statusCode, changed.json()]).toEqual([200, { tfa: { pending: false, mode: 'auth-and-writes' } }]);
      expect((await getProfile(carol)).json().tfa).toEqual({ pending: false, mode: 'auth-and-writes' });
    });

    it('disables two-factor only with the password and a valid code', async () => {
      const dave = await r.createUser('dave');
      const { nextCode } = await enrolTotp(r, dave);
      const disable = (password: string, otp?: string) => postProfile(r, dave, { tfa: { password, mode: 'disable' } }, otp);
      expect(codeOf(await disable(dave.password))).toEqual([401, 'OtpRequired']);
      expect(codeOf(await disable(dave.password, '000000'))).toEqual([401, 'OtpInvalid']);
      expect(codeOf(await disable('wrong password', nextCode()))).toEqual([401, 'BadCredentials']);
      expect((await getProfile(dave)).json().tfa).toEqual({ pending: false, mode: 'auth-and-writes' });
      const res = await disable(dave.password, nextCode());
      expect(res.statusCode).toBe(200);
      expect((await getProfile(dave)).json().tfa).toBeNull();
      expect(codeOf(await disable(dave.password))).toEqual([409, 'MfaNotEnabled']);
    });

    it('lets a pending set-up be reset with the password alone, as npm does before starting again', async () => {
      const erin = await r.createUser('erin');
      await postProfile(r, erin, { tfa: { password: erin.password, mode: 'auth-only' } });
      const res = await postProfile(r, erin, { tfa: { password: erin.password, mode: 'disable' } });
      expect(res.statusCode).toBe(200);
      expect(res.json().tfa).toBeNull();
    });

    it('changes the password as `npm profile set password` sends it, with a code when two-factor is on', async () => {
      const frank = await r.createUser('frank');
      const { nextCode } = await enrolTotp(r, frank);
      // npm sends every writable key back: the current email, nulls for the rest.
      const body = (old: string, next: string) => ({
        email: 'frank@example.com',
        password: { old, new: next },
        fullname: null,
        homepage: null,
        freenode: null,
        twitter: null,
        github: null,
      });
      expect(codeOf(await postProfile(r, frank, body(frank.password, 'a new long passphrase')))).toEqual([401, 'OtpRequired']);
      expect(codeOf(await postProfile(r, frank, body(frank.password, 'short'), nextCode()))).toEqual([400, 'BadRequest']);
      expect(codeOf(await postProfile(r, frank, body(frank.password, 'x'.repeat(1025)), nextCode()))).toEqual([
        400,
        'PasswordTooLong',
      ]);
      const res = await postProfile(r, frank, body(frank.password, 'a new long passphrase'), nextCode());
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ name: 'frank' });
      expect(res.json()).not.toHaveProperty('password');
      const changed = (await r.registry.store.events.since(0, 10_000)).filter(isEvent('password.changed'));
      expect(changed.filter((e) => e.actor.kind === 'user' && e.actor.userId === frank.user.id)).toHaveLength(1);
    });

    it('refuses fields it does not keep or change through npm, and changes nothing', async () => {
      const gina = await r.createUser('gina');
      const refusals: [unknown, number, string][] = [
        [{ fullname: 'Gina G' }, 400, 'ProfileFieldUnsupported'],
        [{ email: 'other@example.com' }, 403, 'PasswordRequired'],
        [{ cidr_whitelist: ['10.0.0.0/8'] }, 400, 'ProfileFieldUnsupported'],
        [{ tfa: { password: gina.password, mode: 'auth-and-writes' }, fullname: null }, 400, 'ProfileFieldUnsupported'],
        [{ tfa: { password: gina.password, mode: 'auth-and-writes', extra: 1 } }, 400, 'ProfileFieldUnsupported'],
        [{ tfa: { password: gina.password, mode: 'always' } }, 400, 'BadRequest'],
        [{ tfa: { password: gina.password } }, 400, 'BadRequest'],
        [{ tfa: ['123456', '654321'] }, 400, 'BadRequest'],
        [{ tfa: 'on' }, 400, 'BadRequest'],
        [{ password: 'not an object' }, 400, 'BadRequest'],
        [[1, 2], 400, 'BadRequest'],
      ];
      const before = await r.registry.store.events.latestSeq();
      for (const [body, status, code] of refusals) {
        expect(codeOf(await postProfile(r, gina, body)), JSON.stringify(body)).toEqual([status, code]);
      }
      const unchanged = await getProfile(gina);
      expect(unchanged.json()).toMatchObject({ email: 'gina@example.com', tfa: null });
      expect(await r.registry.store.events.latestSeq()).toBe(before);
      // What npm sends for `npm profile set` with nothing new is accepted as it is.
      const same = await postProfile(r, gina, { email: 'gina@example.com', fullname: null, homepage: '', github: null });
      expect(same.statusCode).toBe(200);
    });
  });
}
