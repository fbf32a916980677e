// One-time passwords on writes, as npm meets them: with `auth-and-writes`, publish, dist-tag,
// owner, deprecate and unpublish without a code are 401 OtpRequired with `WWW-Authenticate: OTP`
// (what makes npm prompt), a wrong, expired, replayed or malformed code is OtpInvalid, and with
// `npm-otp` they succeed; a refused write changes nothing. `auth-only` asks at the legacy login
// instead. The maintainer policy refuses publish and owner changes once the grace period is over.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import * as npm from '../support/npm-protocol.js';
import { bearer, escaped } from '../support/npm-protocol.js';
import { enrolTotp, type Enrolled } from '../support/mfa.js';
import { packageBuilder, type PackageBuilder } from '../fixtures/package-builder.js';
import { ManualClock } from '../../src/domain/clock.js';
import { codeAt } from '../../src/domain/mfa/totp.js';

const STEP = 30_000;
const codeOf = (res: LightMyRequestResponse) => [res.statusCode, res.json<{ code?: string }>().code];

/** The same registry, every request carrying `npm-otp` as npm sends it after --otp (or none). */
function withOtp(r: TestRegistry, otp: string | undefined): TestRegistry {
  if (otp === undefined) return r;
  return { ...r, inject: (opts) => r.inject({ ...opts, headers: { ...opts.headers, 'npm-otp': otp } }) };
}

function publish(r: TestRegistry, user: TestUser, builder: PackageBuilder, otp?: string) {
  return r.inject({
    method: 'PUT',
    url: `/${escaped(builder.name)}`,
    headers: { ...bearer(user.token), ...(otp === undefined ? {} : { 'npm-otp': otp }) },
    payload: builder.publishBody(r.url),
  });
}

const pkg = (name: string, version = '1.0.0') => packageBuilder(name, version).file('index.js', 'module.exports = 1;\n');

function expectOtpRequired(res: LightMyRequestResponse): void {
  expect(codeOf(res), res.body).toEqual([401, 'OtpRequired']);
  expect(res.headers['www-authenticate']).toBe('OTP');
}

for (const engine of ENGINES) {
  describe(`one-time passwords on writes (${engine})`, () => {
    const clock = new ManualClock('2031-08-01T12:00:00.000Z');
    let r: TestRegistry;
    let alice: TestUser;
    let bob: TestUser;
    let otp: Enrolled;

    beforeAll(async () => {
      r = await startRegistry(engine, { deps: { clock } });
      alice = await r.createUser('alice');
      bob = await r.createUser('bob');
      otp = await enrolTotp(r, alice, 'auth-and-writes');
    });
    afterAll(() => r.close());

    it('asks for a code to publish, and publishes with one', async () => {
      const refused = await publish(r, alice, pkg('otp-pub'));
      expectOtpRequired(refused);
      expect((await r.inject({ method: 'GET', url: '/otp-pub' })).statusCode).toBe(404);
      const res = await publish(r, alice, pkg('otp-pub'), otp.nextCode());
      expect(res.statusCode, res.body).toBe(201);
    });

    it('refuses wrong, expired, replayed and malformed codes alike, and stores nothing', async () => {
      const used = otp.nextCode();
      expect((await publish(r, alice, pkg('otp-bad', '1.0.0'), used)).statusCode).toBe(201);
      const refusals: [string, string | undefined][] = [
        ['replayed', used],
        ['expired', codeAt(otp.secret, clock.now() - 3 * STEP)],
        ['ahead', codeAt(otp.secret, clock.now() + 3 * STEP)],
        ['seven digits', '1234567'],
        ['eight digits', '12345678'],
      ];
      for (const [why, code] of refusals) {
        const res = await publish(r, alice, pkg('otp-bad', '2.0.0'), code);
        expect(codeOf(res), why).toEqual([401, 'OtpInvalid']);
        expect(res.headers['www-authenticate'], why).toBe('OTP');
      }
      // Not a one-time password at all (request-context.ts drops it): the same as none.
      expectOtpRequired(await publish(r, alice, pkg('otp-bad', '2.0.0'), 'abc123'));
      expect(Object.keys((await npm.packument(r, 'otp-bad')).versions)).toEqual(['1.0.0']);
    });

    it('asks for a code for dist-tag add and rm, owner add and rm, and deprecate', async () => {
      expect((await publish(r, alice, pkg('otp-changes'), otp.nextCode())).statusCode).toBe(201);
      const changes: [string, (via: TestRegistry) => Promise<LightMyRequestResponse>][] = [
        ['dist-tag add', (via) => npm.addDistTag(via, alice, 'otp-changes', 'beta', '1.0.0')],
        ['dist-tag rm', (via) => npm.removeDistTag(via, alice, 'otp-changes', 'beta')],
        [
          'owner add',
          (via) => npm.changeOwners(via, alice, 'otp-changes', (m) => m.push({ name: 'bob', email: 'bob@example.com' })),
        ],
        [
          'owner rm',
          (via) =>
            npm.changeOwners(via, alice, 'otp-changes', (m) =>
              m.splice(
                m.findIndex((o) => o.name === 'bob'),
                1,
              ),
            ),
        ],
        [
          'deprecate',
          (via) => npm.deprecate(via, alice, 'otp-changes', (doc) => void (doc.versions['1.0.0']!.deprecated = 'old')),
        ],
      ];
      for (const [what, change] of changes) {
        const before = await npm.packument(r, 'otp-changes');
        const refused = await change(r);
        expect(codeOf(refused), what).toEqual([401, 'OtpRequired']);
        expect(refused.headers['www-authenticate'], what).toBe('OTP');
        expect(await npm.packument(r, 'otp-changes'), what).toEqual(before);
        const done = await change(withOtp(r, otp.nextCode()));
        expect(done.statusCode, `${what}: ${done.body}`).toBeLessThan(300);
      }
      const after = await npm.packument(r, 'otp-changes');
      expect(after.versions['1.0.0']!.deprecated).toBe('old');
      expect(after['dist-tags']).toEqual({ latest: '1.0.0' });
      expect(after.maintainers.map((m) => m.name)).toEqual(['alice']);
    });

    it('unpublishes a version with one code, though npm sends two writes with it', async () => {
      for (const version of ['1.0.0', '1.0.1'])
        expect((await publish(r, alice, pkg('otp-unpub', version), otp.nextCode())).statusCode).toBe(201);
      expectOtpRequired(await npm.unpublishVersion(r, alice.token, 'otp-unpub', '1.0.1'));
      const res = await npm.unpublishVersion(withOtp(r, otp.nextCode()), alice.token, 'otp-unpub', '1.0.1');
      expect(res.statusCode, res.body).toBe(200);
      expect(Object.keys((await npm.packument(r, 'otp-unpub')).versions)).toEqual(['1.0.0']);
      expectOtpRequired(await npm.unpublishPackage(r, alice.token, 'otp-unpub'));
      expect((await npm.unpublishPackage(withOtp(r, otp.nextCode()), alice.token, 'otp-unpub')).statusCode).toBe(200);
      expect((await r.inject({ method: 'GET', url: '/otp-unpub' })).statusCode).toBe(404);
    });

    it('asks nothing of an account without a second factor, nor for reads', async () => {
      expect((await publish(r, bob, pkg('no-otp'))).statusCode).toBe(201);
      expect((await r.inject({ method: 'GET', url: '/otp-pub', headers: bearer(alice.token) })).statusCode).toBe(200);
    });

    it('asks an auth-only account for a code at the legacy login, not at publish', async () => {
      const carol = await r.createUser('carol');
      const carolOtp = await enrolTotp(r, carol, 'auth-only');
      expect((await publish(r, carol, pkg('auth-only-pub'))).statusCode).toBe(201);
      const login = (code?: string) =>
        r.inject({
          method: 'PUT',
          url: '/-/user/org.couchdb.user:carol',
          headers: code === undefined ? {} : { 'npm-otp': code },
          payload: { _id: 'org.couchdb.user:carol', name: 'carol', password: carol.password, type: 'user', roles: [] },
        });
      expectOtpRequired(await login());
      expect(codeOf(await login('000000'))).toEqual([401, 'OtpInvalid']);
      const res = await login(carolOtp.nextCode());
      expect(res.statusCode).toBe(201);
      expect(res.json<{ token: string }>().token).toMatch(/^gth_/);
      // A wrong password is still a wrong password, code or not.
      const wrong = await r.inject({
        method: 'PUT',
        url: '/-/user/org.couchdb.user:carol',
        headers: { 'npm-otp': carolOtp.nextCode() },
        payload: { name: 'carol', password: 'wrong password' },
      });
      expect(codeOf(wrong)).toEqual([401, 'BadCredentials']);
    });
  });

  describe(`one-time passwords before a large publish body is read (${engine})`, () => {
    it('refuses without a code before reading the body, and spends a good code once for the whole publish', async () => {
      // Every publish body here is larger than a write-back may be, so the edge decides before reading it.
      const r = await startRegistry(engine, {
        deps: { clock: new ManualClock('2031-11-01T00:00:00.000Z') },
        config: { maxDocumentBytes: 1024 },
      });
      try {
        const frank = await r.createUser('frank');
        const { nextCode } = await enrolTotp(r, frank, 'auth-and-writes');
        const big = pkg('big-otp').file('data.txt', randomBytes(4096).toString('base64'));
        const refused = await publish(r, frank, big);
        expectOtpRequired(refused);
        expect(refused.headers.connection).toBe('close');
        const res = await publish(r, frank, big, nextCode());
        expect(res.statusCode, res.body).toBe(201);
      } finally {
        await r.close();
      }
    });
  });

  describe(`maintainer MFA policy after the grace period (${engine})`, () => {
    let r: TestRegistry;
    let dave: TestUser;

    beforeAll(async () => {
      r = await startRegistry(engine, {
        deps: { clock: new ManualClock('2031-09-01T00:00:00.000Z') },
        config: { mfaGraceDays: 0 },
      });
      dave = await r.createUser('dave');
    });
    afterAll(() => r.close());

    it('refuses a maintainer without a second factor to publish, naming the command to run', async () => {
      const res = await publish(r, dave, pkg('policy-pub'));
      expect(codeOf(res)).toEqual([403, 'MfaRequired']);
      expect(res.json<{ error: string }>().error).toContain('npm profile enable-2fa auth-and-writes');
      expect((await r.inject({ method: 'GET', url: '/policy-pub' })).statusCode).toBe(404);
    });

    it('lets them publish once enrolled, with a code', async () => {
      const { nextCode } = await enrolTotp(r, dave, 'auth-and-writes');
      expect((await publish(r, dave, pkg('policy-pub'), nextCode())).statusCode).toBe(201);
    });
  });

  describe(`maintainer MFA policy within the grace period (${engine})`, () => {
    it('publishes and says when a second factor will be needed', async () => {
      const r = await startRegistry(engine, { deps: { clock: new ManualClock('2031-10-01T00:00:00.000Z') } });
      try {
        const erin = await r.createUser('erin');
        const res = await publish(r, erin, pkg('grace-pub'));
        expect(res.statusCode).toBe(201);
        expect(res.headers['npm-notice']).toContain('npm profile enable-2fa auth-and-writes');
        expect(res.json()).not.toHaveProperty('warnings');
      } finally {
        await r.close();
      }
    });
  });
}
