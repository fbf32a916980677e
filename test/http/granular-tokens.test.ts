// Granular tokens over HTTP, as `npm token create` sends them (POST /-/npm/v1/tokens): the answer
// npm prints, every limit (permission, packages and scopes, expiry, CIDR ranges) enforced on
// writes and reads, bad input refused with its code and nothing made, the bypass rule, and the
// last use recorded. The stock npm client's own run is in test/e2e/granular-tokens.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import * as npm from '../support/npm-protocol.js';
import { bearer } from '../support/npm-protocol.js';
import { enrolTotp } from '../support/mfa.js';
import { packageBuilder } from '../fixtures/package-builder.js';
import { generateToken } from '../../src/domain/tokens/format.js';

/** The expression docs/tokens.md gives secret scanners. */
const TOKEN_PATTERN = /^gth_[0-9A-Za-z]{36}$/;
const DAY_MS = 24 * 60 * 60 * 1000;

interface Created {
  token: string;
  key: string;
  name: string;
  readonly: boolean;
  cidr_whitelist: string[] | null;
  expires: string;
  permissions: string[];
  packages: string[] | null;
  bypass_2fa: boolean;
  last_used: string | null;
  last_used_ip: string | null;
}

const codeOf = (res: LightMyRequestResponse) => (res.statusCode < 300 ? 'ok' : res.json<{ code: string }>().code);

for (const engine of ENGINES) {
  describe(`granular tokens (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    let bob: TestUser;
    let counter = 0;

    const create = (user: TestUser, body: Record<string, unknown>, opts: { otp?: string; remoteAddress?: string } = {}) =>
      r.inject({
        method: 'POST',
        url: '/-/npm/v1/tokens',
        headers: { ...bearer(user.token), ...(opts.otp ? { 'npm-otp': opts.otp } : {}) },
        remoteAddress: opts.remoteAddress,
        payload: { name: 'ci', password: user.password, ...body },
      });
    const created = async (user: TestUser, body: Record<string, unknown>, opts?: { otp?: string }) => {
      const res = await create(user, body, opts);
      expect(res.statusCode, res.body).toBe(200);
      const answer = res.json<Created>();
      return { ...user, token: answer.token, answer };
    };
    const tokenCount = async (user: TestUser) => (await r.registry.store.tokens.forUser(user.user.id)).length;
    const whoami = (token: string, remoteAddress?: string) =>
      r.inject({ method: 'GET', url: '/-/whoami', headers: bearer(token), remoteAddress });

    beforeAll(async () => {
      r = await startRegistry(engine, { listen: true, config: { tokenDefaultDays: 30, tokenMaxDays: 90 } });
      alice = await r.createUser('alice');
      bob = await r.createUser('bob');
      await npm.published(r, alice, packageBuilder('lim-a', '1.0.0'));
      await npm.published(r, alice, packageBuilder('lim-b', '1.0.0'));
      await npm.published(r, alice, packageBuilder('@team/x', '1.0.0'));
    });
    afterAll(() => r.close());

    it('creates a token in the shape npm prints: the whole secret once, default expiry, named in the list', async () => {
      const before = Date.now();
      const { answer } = await created(alice, { name: 'deploy' });
      expect(answer.token).toMatch(TOKEN_PATTERN);
      expect(answer).toMatchObject({ readonly: false, cidr_whitelist: null, packages: null, bypass_2fa: false });
      expect(answer.permissions).toEqual(['read', 'publish', 'manage']);
      const days = (Date.parse(answer.expires) - before) / DAY_MS;
      expect(days).toBeGreaterThan(29.9);
      expect(days).toBeLessThan(30.1);
      const list = await r.inject({ method: 'GET', url: '/-/npm/v1/tokens', headers: bearer(alice.token) });
      const mine = list.json<{ objects: Created[] }>().objects.find((t) => t.key === answer.key);
      expect(mine?.name).toBe('deploy');
      // The list never shows the secret again.
      expect(list.body).not.toContain(answer.token);
    });

    it('refuses bad input with its code and makes no token', async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ cidr_whitelist: ['10.0.0.0/33'] }, 'TokenCidrInvalid'],
        [{ cidr_whitelist: ['not-an-address'] }, 'TokenCidrInvalid'],
        [{ cidr_whitelist: ['fd00::/129'] }, 'TokenCidrInvalid'],
        [{ expires: 91 }, 'TokenExpiryInvalid'],
        [{ expires: 0 }, 'TokenExpiryInvalid'],
        [{ expires: 1.5 }, 'TokenExpiryInvalid'],
        [{ packages_and_scopes_permission: 'admin' }, 'TokenPermissionUnknown'],
        [{ permissions: ['read', 'admin'] }, 'TokenPermissionUnknown'],
        [{ permissions: [] }, 'TokenPermissionUnknown'],
        [{ packages_and_scopes_permission: 'read-only', orgs_permission: 'read-write' }, 'TokenPermissionUnknown'],
        [{ scopes: ['@Bad Scope'] }, 'TokenLimitInvalid'],
        [{ orgs: ['no/slash'] }, 'TokenLimitInvalid'],
        [{ packages: ['lim-a'], packages_all: true }, 'TokenLimitInvalid'],
        [{ packages: ['../evil'] }, 'InvalidPackageName'],
        [{ password: 'wrong password' }, 'BadCredentials'],
      ];
      const before = await tokenCount(alice);
      for (const [body, code] of cases) {
        const res = await create(alice, body);
        expect([res.statusCode >= 400 && res.statusCode < 500, codeOf(res)], JSON.stringify(body)).toEqual([true, code]);
      }
      expect(await tokenCount(alice)).toBe(before);
    });

    it('refuses a token with a bad checksum as malformed (401), and an unknown well-formed one as unauthenticated', async () => {
      const real = alice.token;
      const last = real.at(-1) === 'A' ? 'B' : 'A';
      const res = await whoami(`${real.slice(0, -1)}${last}`);
      expect([res.statusCode, codeOf(res), res.headers['www-authenticate']]).toEqual([
        401,
        'TokenMalformed',
        'Bearer realm="gatehouse"',
      ]);
      const unknown = await whoami(generateToken());
      expect([unknown.statusCode, codeOf(unknown)]).toEqual([401, 'Unauthenticated']);
    });

    it('uses a CIDR-limited token only from its ranges, IPv4 and IPv6, on every path', async () => {
      const limited = await created(alice, { cidr_whitelist: ['10.1.0.0/16', '2001:db8::/32'] });
      expect(limited.answer.cidr_whitelist).toEqual(['10.1.0.0/16', '2001:db8::/32']);
      expect(codeOf(await whoami(limited.token, '10.1.2.3'))).toBe('ok');
      expect(codeOf(await whoami(limited.token, '2001:db8::5'))).toBe('ok');
      expect(codeOf(await whoami(limited.token, '::ffff:10.1.9.9'))).toBe('ok');
      const outside = await whoami(limited.token, '10.2.0.1');
      expect([outside.statusCode, codeOf(outside)]).toEqual([403, 'TokenAddressRefused']);
      // Over the socket (127.0.0.1), after the packument is cached: the fast path refuses it too.
      expect((await fetch(`${r.url}/lim-a`)).status).toBe(200);
      expect((await fetch(`${r.url}/lim-a`)).status).toBe(200);
      for (let i = 0; i < 2; i++) {
        const res = await fetch(`${r.url}/lim-a`, { headers: bearer(limited.token) });
        expect([res.status, ((await res.json()) as { code: string }).code]).toEqual([403, 'TokenAddressRefused']);
      }
    });

    it('limits a token to its packages and scopes; public packages stay readable', async () => {
      const limited = await created(alice, { packages: ['lim-a'], scopes: ['@team'] });
      const v = () => `1.0.${++counter}`;
      expect(codeOf(await r.publish(limited, packageBuilder('lim-a', v())))).toBe('ok');
      expect(codeOf(await r.publish(limited, packageBuilder('@team/x', v())))).toBe('ok');
      expect(codeOf(await r.publish(limited, packageBuilder('@team/new-one', '1.0.0')))).toBe('ok');
      expect(codeOf(await r.publish(limited, packageBuilder('lim-b', v())))).toBe('TokenPackageRefused');
      expect(codeOf(await r.publish(limited, packageBuilder('lim-new', '1.0.0')))).toBe('TokenPackageRefused');
      expect(codeOf(await npm.addDistTag(r, limited, 'lim-b', 'beta', '1.0.0'))).toBe('TokenPackageRefused');
      expect(codeOf(await npm.addDistTag(r, limited, 'lim-a', 'beta', '1.0.0'))).toBe('ok');
      expect((await r.inject({ method: 'GET', url: '/lim-b', headers: bearer(limited.token) })).statusCode).toBe(200);
      // An org is its scope, so `--orgs team` composes with org ownership.
      const org = await created(alice, { orgs: ['team'] });
      expect(org.answer.packages).toEqual(['@team']);
      expect(codeOf(await npm.addDistTag(r, org, '@team/x', 'beta', '1.0.0'))).toBe('ok');
      expect(codeOf(await npm.addDistTag(r, org, 'lim-a', 'beta', '1.0.0'))).toBe('TokenPackageRefused');
    });

    it('limits reads of restricted packages too, on both read paths, cold and cached', async () => {
      const root = await r.createUser('root', { admin: true });
      await npm.published(r, alice, packageBuilder('lim-secret', '1.0.0'));
      await r.registry.store.packages.setVisibility('lim-secret', 'restricted');
      r.registry.packages.packuments.invalidate('lim-secret');
      const within = await created(root, { packages: ['lim-secret'] });
      const beyond = await created(root, { packages: ['lim-a'] });
      for (const round of ['cold', 'cached']) {
        const statuses = [];
        for (const reader of [within, beyond]) {
          statuses.push((await fetch(`${r.url}/lim-secret`, { headers: bearer(reader.token) })).status);
        }
        expect(statuses, round).toEqual([200, 404]);
      }
    });

    it('never grants more than the owner has now: a limit to a package of someone else grants nothing', async () => {
      const limited = await created(bob, { packages: ['lim-a'] });
      expect(codeOf(await r.publish(limited, packageBuilder('lim-a', '9.0.0')))).toBe('NotMaintainer');
      expect(codeOf(await npm.addDistTag(r, limited, 'lim-a', 'bob', '1.0.0'))).toBe('NotMaintainer');
    });

    it('refuses a read-only or package-limited token on every write endpoint', async () => {
      const readOnly = await created(alice, { packages_and_scopes_permission: 'read-only' });
      expect(readOnly.answer.readonly).toBe(true);
      const elsewhere = await created(alice, { packages: ['lim-b'] });
      expect(codeOf(await npm.addDistTag(r, alice, 'lim-a', 'stable', '1.0.0'))).toBe('ok');
      const writes: [string, (user: TestUser) => Promise<LightMyRequestResponse>][] = [
        ['publish', (u) => r.publish(u, packageBuilder('lim-a', '7.7.7'))],
        ['dist-tag add', (u) => npm.addDistTag(r, u, 'lim-a', 'next', '1.0.0')],
        ['dist-tag rm', (u) => npm.removeDistTag(r, u, 'lim-a', 'stable')],
        [
          'deprecate',
          async (u) => {
            const doc = await npm.packument(r, 'lim-a');
            return npm.putDocument(r, u, 'lim-a', { ...doc, versions: doc.versions });
          },
        ],
        ['owners', (u) => npm.changeOwners(r, u, 'lim-a', (m) => m.push({ name: 'bob', email: 'bob@example.com' }))],
        ['unpublish', (u) => npm.unpublishPackage(r, u.token, 'lim-a')],
        ['token create', (u) => create(u, {})],
      ];
      for (const [what, write] of writes) {
        const outcomes = [codeOf(await write(readOnly)), codeOf(await write(elsewhere))];
        expect(outcomes, what).toEqual(['TokenReadOnly', 'TokenPackageRefused']);
      }
      // Both still read, and the package is unchanged.
      const doc = await npm.packument(r, 'lim-a', readOnly.token);
      expect(doc.versions['7.7.7']).toBeUndefined();
      expect(doc['dist-tags'].next).toBeUndefined();
      expect(doc['dist-tags'].stable).toBe('1.0.0');
    });

    it('records the last use, at most once a minute, and shows it in the list', async () => {
      const used = await created(alice, { name: 'watched' });
      expect(used.answer.last_used).toBeNull();
      expect(codeOf(await whoami(used.token, '10.7.7.7'))).toBe('ok');
      expect(codeOf(await whoami(used.token, '10.8.8.8'))).toBe('ok');
      await r.registry.tokens.flushUses();
      const list = await r.inject({ method: 'GET', url: '/-/npm/v1/tokens', headers: bearer(alice.token) });
      const row = list.json<{ objects: Created[] }>().objects.find((t) => t.key === used.answer.key);
      // The second use came within the minute: not written.
      expect(row?.last_used_ip).toBe('10.7.7.7');
      expect(row?.name).toMatch(/^watched, last used \S+ from 10\.7\.7\.7$/);
    });
  });

  describe(`tokens that skip the second factor (${engine})`, () => {
    let r: TestRegistry;
    let carol: TestUser;
    let nextCode: () => string;

    beforeAll(async () => {
      r = await startRegistry(engine, { config: { restrictedAccounts: 'everyone' } });
      carol = await r.createUser('carol');
      ({ nextCode } = await enrolTotp(r, carol, 'auth-and-writes'));
    });
    afterAll(() => r.close());

    const post = (user: TestUser, body: Record<string, unknown>, otp?: string) =>
      r.inject({
        method: 'POST',
        url: '/-/npm/v1/tokens',
        headers: { ...bearer(user.token), ...(otp ? { 'npm-otp': otp } : {}) },
        payload: { name: 'ci', password: user.password, ...body },
      });

    it('asks for a one-time password on auth-and-writes, then publishes without one but never changes the account', async () => {
      const asked = await post(carol, { bypass_2fa: true });
      expect([asked.statusCode, codeOf(asked), asked.headers['www-authenticate']]).toEqual([401, 'OtpRequired', 'OTP']);
      const res = await post(carol, { bypass_2fa: true }, nextCode());
      expect(res.statusCode, res.body).toBe(200);
      const ci = { ...carol, token: res.json<Created>().token };
      // Publishes with no code.
      expect(codeOf(await r.publish(ci, packageBuilder('bypassed-ci', '1.0.0')))).toBe('ok');
      const refused = [
        await post(ci, {}),
        await r.inject({
          method: 'POST',
          url: '/-/npm/v1/user',
          headers: bearer(ci.token),
          payload: { email: 'evil@example.com', password: carol.password },
        }),
        await r.inject({
          method: 'POST',
          url: '/-/npm/v1/user',
          headers: bearer(ci.token),
          payload: { tfa: { password: carol.password, mode: 'disable' } },
        }),
        await npm.changeOwners(r, ci, 'bypassed-ci', (m) => m.push({ name: 'carol', email: 'carol@example.com' })),
      ];
      expect(refused.map(codeOf)).toEqual(Array(4).fill('TokenBypassesTwoFactor'));
    });

    it('refuses token creation while the account is read-only after a risky recovery step', async () => {
      const at = new Date().toISOString();
      await r.registry.store.transaction((tx) =>
        r.registry.recovery.restrictions.restrictIn(tx, carol.user, 'recovery-code', at),
      );
      expect(codeOf(await post(carol, {}, nextCode()))).toBe('AccountRestricted');
    });
  });

  describe(`token creation for an unverified address (${engine})`, () => {
    let r: TestRegistry;
    beforeAll(async () => {
      r = await startRegistry(engine);
    });
    afterAll(() => r.close());

    it('refuses with EmailUnverified and makes nothing', async () => {
      const dan = await r.registry.store.transaction(async (tx) => {
        const user = await tx.users.insert({
          name: 'dan',
          email: 'dan@example.com',
          emailVerified: false,
          passwordHash: 'x',
          isAdmin: false,
          createdAt: new Date().toISOString(),
        });
        return { user: user!, token: (await r.registry.tokens.create(tx, user!, { reason: 'test' })).secret };
      });
      const res = await r.inject({
        method: 'POST',
        url: '/-/npm/v1/tokens',
        headers: bearer(dan.token),
        payload: { name: 'ci', password: 'whatever' },
      });
      expect(codeOf(res)).toBe('EmailUnverified');
      expect(await r.registry.store.tokens.forUser(dan.user.id)).toHaveLength(1);
    });
  });
}
