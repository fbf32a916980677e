// The `code` in a refusal's body says exactly what was refused, so clients and scripts can rely on
// it: each kind of missing thing has its own 404 code, each authorization rule its own refusal
// code, and a code's catalog headers (www-authenticate on a 401) come with it on every path.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { packageBuilder } from '../fixtures/package-builder.js';
import * as npm from '../support/npm-protocol.js';
import { bearer, escaped } from '../support/npm-protocol.js';
import { catalogError, ERROR_STATUS, type ErrorCode } from '../../src/domain/errors.js';

function expectCode(res: LightMyRequestResponse, status: number, code: ErrorCode): void {
  expect([res.statusCode, res.json<{ code: string }>().code], res.body).toEqual([status, code]);
}

describe('error catalog', () => {
  it('gives every 401 code the www-authenticate header npm needs to re-prompt', () => {
    const unauthorized = (Object.keys(ERROR_STATUS) as ErrorCode[]).filter((c) => ERROR_STATUS[c] === 401);
    expect(unauthorized.length).toBeGreaterThan(0);
    // A one-time password refusal names the OTP scheme instead: npm then asks for a code, not a login.
    for (const code of unauthorized) {
      expect(catalogError(code, 'x').headers['www-authenticate'], code).toMatch(code.startsWith('Otp') ? /^OTP$/ : /^Bearer /);
    }
  });

  it("lets one refusal override its code's header (a one-time password prompt) and add others", () => {
    const err = catalogError('Unauthenticated', 'x', { 'www-authenticate': 'OTP', 'x-extra': '1' });
    expect(err.headers).toEqual({ 'www-authenticate': 'OTP', 'x-extra': '1' });
    expect(catalogError('BadRequest', 'x').headers).toEqual({});
  });
});

for (const engine of ENGINES) {
  describe(`error codes (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    let bob: TestUser;
    /** Alice herself with a read-only token: only the token's kind differs from `alice`. */
    let aliceReadonly: TestUser;
    let unverified: TestUser;

    const tokenOf = (user: TestUser['user'], readonly: boolean) =>
      r.registry.store.transaction(
        async (tx) =>
          (await r.registry.tokens.create(tx, user, { scopes: readonly ? ['read'] : undefined, reason: 'test' })).secret,
      );

    beforeAll(async () => {
      r = await startRegistry(engine, { listen: true });
      alice = await r.createUser('alice');
      bob = await r.createUser('bob');
      aliceReadonly = { ...alice, token: await tokenOf(alice.user, true) };
      const user = await r.registry.store.transaction(async (tx) =>
        tx.users.insert({
          name: 'unverified',
          email: 'unverified@example.com',
          emailVerified: false,
          passwordHash: 'x',
          isAdmin: false,
          createdAt: new Date().toISOString(),
        }),
      );
      unverified = { user: user!, token: await tokenOf(user!, false), password: '' };
      await npm.published(r, alice, packageBuilder('@alice/lib', '1.0.0'));
      await npm.published(r, alice, packageBuilder('alice-lib', '1.0.0'));
      await npm.published(r, alice, packageBuilder('gone-lib', '1.0.0'));
      expect((await npm.unpublishPackage(r, alice.token, 'gone-lib')).statusCode).toBe(200);
    });
    afterAll(() => r.close());

    /** A read over the socket, twice: the framework's answer, then the fast path's once cached. */
    async function readTwice(path: string) {
      const first = await fetch(`${r.url}${path}`);
      const second = await fetch(`${r.url}${path}`);
      return {
        first: { status: first.status, body: await first.text() },
        second: { status: second.status, body: await second.text() },
      };
    }

    const reads: [string, string, ErrorCode][] = [
      ['an unknown package', '/no-such-lib', 'PackageNotFound'],
      ['an unpublished package', '/gone-lib', 'PackageNotFound'],
      ['a version of an unknown package', '/no-such-lib/1.0.0', 'PackageNotFound'],
      ['an unknown version', '/@alice%2flib/9.9.9', 'VersionNotFound'],
      ['an unknown dist-tag read as a version', '/alice-lib/no-such-tag', 'VersionNotFound'],
      ['an unknown tarball', '/alice-lib/-/alice-lib-9.9.9.tgz', 'TarballNotFound'],
      ['a tarball of an unknown package', '/no-such-lib/-/no-such-lib-1.0.0.tgz', 'TarballNotFound'],
    ];
    for (const [what, path, code] of reads) {
      it(`answers a read of ${what} 404 ${code}, the same when read again once cached`, async () => {
        const { first, second } = await readTwice(path);
        expect([first.status, JSON.parse(first.body).code]).toEqual([404, code]);
        expect(second).toEqual(first);
      });
    }

    it('answers an address nothing serves 404 NotFound', async () => {
      expectCode(await r.inject({ method: 'GET', url: '/-/no-such-endpoint' }), 404, 'NotFound');
    });

    it('names the missing thing when a change refers to it, and changes nothing', async () => {
      const before = await r.registry.store.events.latestSeq();
      expectCode(await npm.addDistTag(r, alice, 'no-such-lib', 'beta', '1.0.0'), 404, 'PackageNotFound');
      expectCode(await npm.addDistTag(r, alice, 'alice-lib', 'beta', '9.9.9'), 404, 'VersionNotFound');
      expectCode(await npm.removeDistTag(r, alice, 'alice-lib', 'beta'), 404, 'TagNotFound');
      const owners = await npm.changeOwners(r, alice, 'alice-lib', (m) => m.push({ name: 'nobody', email: 'n@example.com' }));
      expectCode(owners, 404, 'UserNotFound');
      expect(await r.registry.store.events.latestSeq()).toBe(before);
    });

    it('answers a lookup of an unknown user UserNotFound and a logout of an unknown token TokenNotFound', async () => {
      const lookup = await r.inject({ method: 'GET', url: '/-/user/org.couchdb.user:nobody', headers: bearer(alice.token) });
      expectCode(lookup, 404, 'UserNotFound');
      const logout = await r.inject({
        method: 'DELETE',
        url: '/-/user/token/gth_not-a-live-token',
        headers: bearer(alice.token),
      });
      expectCode(logout, 404, 'TokenNotFound');
    });

    it('answers a poll of an unknown or finished web login WebLoginNotFound', async () => {
      expectCode(await r.inject({ method: 'GET', url: '/-/v1/done/no-such-login' }), 404, 'WebLoginNotFound');
    });

    it('refuses an anonymous publish Unauthenticated, with the header that makes npm log in', async () => {
      const res = await r.inject({
        method: 'PUT',
        url: '/anon-lib',
        payload: packageBuilder('anon-lib', '1.0.0').publishBody(r.url),
      });
      expectCode(res, 401, 'Unauthenticated');
      expect(res.headers['www-authenticate']).toBe('Bearer realm="gatehouse"');
    });

    it('tells a read-only token, an unverified address, a stranger and a scope outsider apart on publish', async () => {
      const before = await r.registry.store.events.latestSeq();
      expectCode(await r.publish(aliceReadonly, packageBuilder('readonly-lib', '1.0.0')), 403, 'TokenReadOnly');
      expectCode(await r.publish(unverified, packageBuilder('unverified-lib', '1.0.0')), 403, 'EmailUnverified');
      expectCode(await r.publish(bob, packageBuilder('alice-lib', '2.0.0')), 403, 'NotMaintainer');
      expectCode(await r.publish(bob, packageBuilder('gone-lib', '2.0.0')), 403, 'NotMaintainer');
      expectCode(await r.publish(bob, packageBuilder('@alice/other', '1.0.0')), 403, 'ScopeNotYours');
      expect(await r.registry.store.events.latestSeq()).toBe(before);
      for (const name of ['readonly-lib', 'unverified-lib', '@alice/other']) {
        expectCode(await r.inject({ method: 'GET', url: `/${escaped(name)}` }), 404, 'PackageNotFound');
      }
    });

    it('tells "not logged in", "read-only token" and "not a maintainer" apart on changes and unpublish', async () => {
      const before = await r.registry.store.events.latestSeq();
      const anonymous = await r.inject({ method: 'DELETE', url: '/-/package/alice-lib/dist-tags/beta' });
      expectCode(anonymous, 401, 'Unauthenticated');
      expect(anonymous.headers['www-authenticate']).toBe('Bearer realm="gatehouse"');
      expectCode(await npm.addDistTag(r, aliceReadonly, 'alice-lib', 'beta', '1.0.0'), 403, 'TokenReadOnly');
      expectCode(await npm.addDistTag(r, bob, 'alice-lib', 'beta', '1.0.0'), 403, 'NotMaintainer');
      expectCode(await npm.unpublishPackage(r, bob.token, 'alice-lib'), 403, 'NotMaintainer');
      expectCode(await npm.unpublishVersion(r, aliceReadonly.token, 'alice-lib', '1.0.0'), 403, 'TokenReadOnly');
      expect(await r.registry.store.events.latestSeq()).toBe(before);
    });
  });
}
