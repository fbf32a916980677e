// Trusted publishing through the requests npm sends: `npm trust` configurations and the OIDC
// exchange, against a real local issuer (real keys, discovery, JWKS over HTTP). Every refused
// exchange answers its own code and leaves nothing behind: no token, no recorded jti, no version.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { githubClaims, startOidcIssuer, type OidcIssuer } from '../support/oidc-issuer.js';
import { packageBuilder } from '../fixtures/package-builder.js';
import { packument, published } from '../support/npm-protocol.js';
import { openDatabase, type Database } from '../../src/storage/db/database.js';
import { csrfOf, signedInBrowser } from './session-browser.js';
import { ManualClock } from '../../src/domain/clock.js';

const AUDIENCE = 'npm:registry.test';
const json = { 'content-type': 'application/json' };

function githubConfig(repository: string, file: string, extra: Record<string, unknown> = {}) {
  return [{ type: 'github', claims: { repository, workflow_ref: { file }, ...extra }, permissions: ['createPackage'] }];
}

function b64url(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

for (const engine of ENGINES) {
  describe(`trusted publishing (${engine})`, () => {
    let issuer: OidcIssuer;
    let r: TestRegistry;
    let alice: TestUser;
    let bob: TestUser;
    /** A second handle on the registry's database, to look at rows no domain call shows. */
    let raw: Database;

    const exchange = (name: string, idToken: string) =>
      r.inject({
        method: 'POST',
        url: `/-/npm/v1/oidc/token/exchange/package/${name.replace('/', '%2f')}`,
        headers: { authorization: `Bearer ${idToken}` },
      });
    const mint = (claims: Record<string, unknown> = {}) =>
      issuer.sign({ aud: AUDIENCE, ...githubClaims('acme/widget', 'release.yml'), ...claims });
    const addTrust = (user: TestUser, name: string, body: unknown) =>
      r.inject({
        method: 'POST',
        url: `/-/package/${name.replace('/', '%2f')}/trust`,
        headers: { authorization: `Bearer ${user.token}`, ...json },
        payload: JSON.stringify(body),
      });
    /** What an exchange writes: a minted token and a recorded jti. A refusal must leave both as they were. */
    const traces = async () => ({
      tokens: Number(
        (
          await raw.db
            .selectFrom('trusted_publish_tokens')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
      jtis: Number(
        (
          await raw.db
            .selectFrom('oidc_token_ids')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
      events: await r.registry.store.events.latestSeq(),
    });
    async function expectRefused(idToken: string, code: string, status: number, name = 'widget') {
      const before = await traces();
      const res = await exchange(name, idToken);
      expect(res.statusCode, res.body).toBe(status);
      expect(res.json<{ code: string }>().code).toBe(code);
      expect(await traces()).toEqual(before);
    }

    beforeAll(async () => {
      issuer = await startOidcIssuer();
      r = await startRegistry(engine, { config: { oidcGithubIssuer: issuer.url, oidcFetchTimeoutMs: 500 } });
      alice = await r.createUser('alice');
      bob = await r.createUser('bob');
      raw = await openDatabase(r.registry.config);
      await published(r, alice, packageBuilder('widget', '1.0.0'));
      await published(r, bob, packageBuilder('gadget', '1.0.0'));
    });
    afterAll(async () => {
      await raw.db.destroy();
      await r.close();
      await issuer.close();
    });

    it('npm trust github: a maintainer adds, lists and revokes a configuration; others cannot', async () => {
      const added = await addTrust(alice, 'widget', githubConfig('acme/other', 'ci.yml', { environment: 'prod' }));
      expect(added.statusCode, added.body).toBe(201);
      const [config] = added.json<{ id: string; type: string; claims: unknown; permissions: string[] }[]>();
      expect(config).toMatchObject({
        type: 'github',
        claims: { repository: 'acme/other', workflow_ref: { file: 'ci.yml' }, environment: 'prod' },
        permissions: ['createPackage'],
      });
      const listed = await r.inject({
        method: 'GET',
        url: '/-/package/widget/trust',
        headers: { authorization: `Bearer ${alice.token}` },
      });
      expect(listed.json<{ id: string }[]>().map((c) => c.id)).toEqual([config!.id]);

      expect((await addTrust(bob, 'widget', githubConfig('bob/x', 'ci.yml'))).json<{ code: string }>().code).toBe(
        'NotMaintainer',
      );
      const badBodies = [
        [{ type: 'github', claims: { repository: 'acme/widget', workflow_ref: { file: 'ci.yml' } }, permissions: [] }],
        [
          {
            type: 'github',
            claims: { repository: 'no-slash', workflow_ref: { file: 'ci.yml' } },
            permissions: ['createPackage'],
          },
        ],
        [
          {
            type: 'github',
            claims: { repository: 'acme/widget', workflow_ref: { file: '../x.yml' } },
            permissions: ['createPackage'],
          },
        ],
        [{ type: 'custom', issuer: 'https://unlisted.invalid', claims: { sub: 'x' }, permissions: ['createPackage'] }],
        [{ type: 'jenkins', claims: {}, permissions: ['createPackage'] }],
        'not an object',
      ];
      for (const body of badBodies) {
        const res = await addTrust(alice, 'widget', body);
        expect(res.statusCode, JSON.stringify(body)).toBe(400);
        expect(res.json<{ code: string }>().code).toBe('TrustConfigInvalid');
      }
      const gone = await r.inject({
        method: 'DELETE',
        url: `/-/package/widget/trust/${config!.id}`,
        headers: { authorization: `Bearer ${alice.token}` },
      });
      expect(gone.statusCode, gone.body).toBe(200);
      const again = await r.inject({
        method: 'DELETE',
        url: `/-/package/widget/trust/${config!.id}`,
        headers: { authorization: `Bearer ${alice.token}` },
      });
      expect(again.json<{ code: string }>().code).toBe('TrustConfigNotFound');
      const events = (await r.registry.store.events.since(0, 1000)).filter((e) => e.type.startsWith('trusted_publisher.'));
      expect(events.map((e) => e.type)).toEqual(['trusted_publisher.added', 'trusted_publisher.removed']);
    });

    it('exchanges a matching ID token for a token that publishes only that package, recorded as the trusted publisher', async () => {
      const added = await addTrust(alice, 'widget', githubConfig('acme/widget', 'release.yml'));
      const configId = added.json<{ id: string }[]>()[0]!.id;
      const res = await exchange('widget', await mint());
      expect(res.statusCode, res.body).toBe(200);
      const { token } = res.json<{ token: string }>();
      expect(token).toMatch(/^gth_/);
      const publish = await r.inject({
        method: 'PUT',
        url: '/widget',
        headers: { authorization: `Bearer ${token}` },
        payload: packageBuilder('widget', '1.1.0').publishBody(r.url),
      });
      expect(publish.statusCode, publish.body).toBe(201);
      const doc = await packument(r, 'widget');
      expect(doc.versions['1.1.0']?._npmUser).toMatchObject({ trustedPublisher: { id: configId } });
      // Only that package, and nothing but publishing.
      const other = await r.inject({
        method: 'PUT',
        url: '/gadget',
        headers: { authorization: `Bearer ${token}` },
        payload: packageBuilder('gadget', '9.0.0').publishBody(r.url),
      });
      expect(other.json<{ code: string }>().code).toBe('TrustedPublisherNotAllowed');
      const tag = await r.inject({
        method: 'PUT',
        url: '/-/package/widget/dist-tags/beta',
        headers: { authorization: `Bearer ${token}`, ...json },
        payload: JSON.stringify('1.0.0'),
      });
      expect(tag.json<{ code: string }>().code).toBe('PrincipalNotSupported');
      // GitHub's owner id was pinned by the first use: a re-registered repository of that name is refused.
      await expectRefused(await mint({ repository_owner_id: '9999' }), 'TrustedPublisherMismatch', 403);
    });

    it('refuses every bad ID token with its own code and changes nothing', async () => {
      const good = await mint();
      const [header, payload] = good.split('.');
      const publicJwk = JSON.stringify(issuer.current().jwk);
      const hmac = (claims: unknown) => {
        const head = b64url({ alg: 'HS256', kid: issuer.current().kid, typ: 'JWT' });
        const body = b64url(claims);
        return `${head}.${body}.${createHmac('sha256', publicJwk).update(`${head}.${body}`).digest('base64url')}`;
      };
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
      await expectRefused('not-a-jwt', 'OidcTokenMalformed', 400);
      await expectRefused(`${header}.${'A'.repeat(20_000)}.sig`, 'OidcTokenMalformed', 400);
      await expectRefused(`${b64url({ alg: 'none', typ: 'JWT' })}.${payload}.`, 'OidcAlgorithmRefused', 401);
      await expectRefused(hmac(claims), 'OidcAlgorithmRefused', 401);
      await expectRefused(
        `${header}.${b64url({ ...claims, repository: 'evil/widget' })}.${good.split('.')[2]}`,
        'OidcSignatureInvalid',
        401,
      );
      await expectRefused(
        await mint({})
          .then(() => issuer.unlistedKey())
          .then((key) => issuer.sign({ aud: AUDIENCE, ...githubClaims('acme/widget', 'release.yml') }, { key })),
        'OidcKeyUnknown',
        401,
      );
      await expectRefused(
        await issuer.sign(
          { aud: AUDIENCE, ...githubClaims('acme/widget', 'release.yml') },
          { at: Date.now() - 3600_000, lifetimeSeconds: 300 },
        ),
        'OidcTokenExpired',
        401,
      );
      await expectRefused(await mint({ aud: 'npm:registry.npmjs.org' }), 'OidcAudienceMismatch', 401);
      await expectRefused(
        await mint({ iss: 'https://token.actions.githubusercontent.com.invalid' }),
        'OidcIssuerNotAllowed',
        401,
      );
      await expectRefused(
        await mint({
          repository: 'acme/elsewhere',
          workflow_ref: 'acme/elsewhere/.github/workflows/release.yml@refs/heads/main',
        }),
        'TrustedPublisherMismatch',
        403,
      );
      await expectRefused(
        await mint({ workflow_ref: 'acme/widget/.github/workflows/other.yml@refs/heads/main' }),
        'TrustedPublisherMismatch',
        403,
      );
      await expectRefused(await mint({ event_name: 'pull_request_target' }), 'OidcEventRefused', 403);
      await expectRefused(await mint({ event_name: 'workflow_run' }), 'OidcEventRefused', 403);
      // A token for a package whose configurations do not name this identity.
      await expectRefused(await mint(), 'TrustedPublisherMismatch', 403, 'gadget');
      // Once only: the second exchange of the same token is a replay.
      const once = await mint();
      expect((await exchange('widget', once)).statusCode).toBe(200);
      await expectRefused(once, 'OidcTokenReplayed', 401);
    });

    it('two concurrent exchanges of one ID token: exactly one gets a token', async () => {
      const idToken = await mint();
      const before = await traces();
      const answers = await Promise.all([exchange('widget', idToken), exchange('widget', idToken), exchange('widget', idToken)]);
      const codes = answers.map((a) => (a.statusCode === 200 ? 'ok' : a.json<{ code: string }>().code)).sort();
      expect(codes).toEqual(['OidcTokenReplayed', 'OidcTokenReplayed', 'ok']);
      const after = await traces();
      expect([after.tokens - before.tokens, after.jtis - before.jtis]).toEqual([1, 1]);
    });

    it('accepts the audience with the port for this host (yarn 4)', async () => {
      const res = await exchange('widget', await mint({ aud: 'npm:registry.test' }));
      expect(res.statusCode, res.body).toBe(200);
    });

    it('refetches the key set for an unknown kid at most once per cooldown', async () => {
      const before = issuer.jwksFetches;
      for (let i = 0; i < 3; i++) {
        const key = await issuer.unlistedKey();
        const res = await exchange(
          'widget',
          await issuer.sign({ aud: AUDIENCE, ...githubClaims('acme/widget', 'release.yml') }, { key }),
        );
        expect(res.json<{ code: string }>().code).toBe('OidcKeyUnknown');
      }
      expect(issuer.jwksFetches - before).toBeLessThanOrEqual(1);
    });

    it('follows a key rotation: a token signed with the new key verifies once the set is refetched', async () => {
      const own = await startOidcIssuer();
      const fresh = await startRegistry(engine, { config: { oidcGithubIssuer: own.url, oidcKeysCooldownSeconds: 0 } });
      try {
        const owner = await fresh.createUser('alice');
        await published(fresh, owner, packageBuilder('widget', '1.0.0'));
        const trust = await fresh.inject({
          method: 'POST',
          url: '/-/package/widget/trust',
          headers: { authorization: `Bearer ${owner.token}`, ...json },
          payload: JSON.stringify(githubConfig('acme/widget', 'release.yml')),
        });
        expect(trust.statusCode, trust.body).toBe(201);
        const swap = async () => {
          const token = await own.sign({ aud: AUDIENCE, ...githubClaims('acme/widget', 'release.yml') });
          return fresh.inject({
            method: 'POST',
            url: '/-/npm/v1/oidc/token/exchange/package/widget',
            headers: { authorization: `Bearer ${token}` },
          });
        };
        expect((await swap()).statusCode).toBe(200);
        await own.rotate();
        const rotated = await swap();
        expect(rotated.statusCode, rotated.body).toBe(200);
      } finally {
        await fresh.close();
        await own.close();
      }
    });

    it('forgets exchanged jtis and minted tokens once they have expired, and not before', async () => {
      const clock = new ManualClock('2026-03-01T10:00:00Z');
      const fresh = await startRegistry(engine, { config: { oidcGithubIssuer: issuer.url }, deps: { clock } });
      const db = await openDatabase(fresh.registry.config);
      const count = async (table: 'oidc_token_ids' | 'trusted_publish_tokens') =>
        Number(
          (
            await db.db
              .selectFrom(table)
              .select((eb) => eb.fn.countAll<string>().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      try {
        const owner = await fresh.createUser('alice');
        await published(fresh, owner, packageBuilder('widget', '1.0.0'));
        await fresh.inject({
          method: 'POST',
          url: '/-/package/widget/trust',
          headers: { authorization: `Bearer ${owner.token}`, ...json },
          payload: JSON.stringify(githubConfig('acme/widget', 'release.yml')),
        });
        // An ID token living longer than the hourly job's interval, so the job runs while it is still valid.
        const idToken = await issuer.sign(
          { aud: AUDIENCE, ...githubClaims('acme/widget', 'release.yml') },
          { at: clock.now(), lifetimeSeconds: 90 * 60 },
        );
        const swap = () =>
          fresh.inject({
            method: 'POST',
            url: '/-/npm/v1/oidc/token/exchange/package/widget',
            headers: { authorization: `Bearer ${idToken}` },
          });
        expect((await swap()).statusCode).toBe(200);
        clock.advance(61 * 60 * 1000);
        expect(await fresh.registry.jobs.runDue()).toContain('trust.prune');
        // The jti outlives the 15-minute publish token: it is kept until the ID token's exp + skew.
        expect([await count('oidc_token_ids'), await count('trusted_publish_tokens')]).toEqual([1, 0]);
        clock.advance(60 * 60 * 1000);
        expect(await fresh.registry.jobs.runDue()).toContain('trust.prune');
        expect([await count('oidc_token_ids'), await count('trusted_publish_tokens')]).toEqual([0, 0]);
        expect((await swap()).json<{ code: string }>().code).toBe('OidcTokenExpired');
      } finally {
        await db.db.destroy();
        await fresh.close();
      }
    });

    it('fails closed when the key set hangs or answers garbage', async () => {
      const fresh = await startRegistry(engine, { config: { oidcGithubIssuer: issuer.url, oidcFetchTimeoutMs: 300 } });
      try {
        for (const mode of ['hang', 'garbage'] as const) {
          issuer.jwksMode = mode;
          const res = await fresh.inject({
            method: 'POST',
            url: '/-/npm/v1/oidc/token/exchange/package/widget',
            headers: { authorization: `Bearer ${await mint()}` },
          });
          expect(res.statusCode, res.body).toBe(401);
          expect(res.json<{ code: string }>().code).toBe('OidcKeysUnavailable');
        }
      } finally {
        issuer.jwksMode = 'ok';
        await fresh.close();
      }
    });

    it('a pending publisher creates the package with its first publish, and its creator owns it and is told', async () => {
      const pending = await addTrust(bob, 'brand-new', githubConfig('acme/brand-new', 'release.yml'));
      expect(pending.statusCode, pending.body).toBe(201);
      expect(pending.json<{ pendingUntil?: string }[]>()[0]?.pendingUntil).toBeDefined();
      const res = await exchange(
        'brand-new',
        await issuer.sign({ aud: AUDIENCE, ...githubClaims('acme/brand-new', 'release.yml') }),
      );
      expect(res.statusCode, res.body).toBe(200);
      const publish = await r.inject({
        method: 'PUT',
        url: '/brand-new',
        headers: { authorization: `Bearer ${res.json<{ token: string }>().token}` },
        payload: packageBuilder('brand-new', '0.1.0').publishBody(r.url),
      });
      expect(publish.statusCode, publish.body).toBe(201);
      expect((await r.registry.store.packages.owners('brand-new')).map((u) => u.name)).toEqual(['bob']);
      const events = await r.registry.store.events.since(0, 1000);
      expect(events.find((e) => e.type === 'trusted_publisher.pending_used')?.data).toMatchObject({ owner: 'bob' });
      // It is an ordinary configuration of the package now, listed for its owner.
      const listed = await r.inject({
        method: 'GET',
        url: '/-/package/brand-new/trust',
        headers: { authorization: `Bearer ${bob.token}` },
      });
      expect(listed.json<{ pendingUntil?: string }[]>()[0]?.pendingUntil).toBeUndefined();
    });

    it('the web settings page lists, adds and removes trusted publishers for a signed-in maintainer only', async () => {
      const page = await signedInBrowser(r, alice);
      const shown = await page.get('/settings/trust/widget');
      expect(shown.statusCode, shown.body).toBe(200);
      expect(shown.body).toContain('acme/widget');
      const add = await page.post('/settings/trust/widget', {
        _csrf: csrfOf(shown.body),
        repository: 'acme/web-added',
        file: 'deploy.yml',
        publish: 'on',
      });
      expect(add.statusCode, add.body).toBe(303);
      const after = await page.get('/settings/trust/widget');
      expect(after.body).toContain('acme/web-added, workflow deploy.yml');
      const id = /data-id="([0-9a-f-]{36})">\s*<td>GitHub Actions: acme\/web-added/.exec(after.body)?.[1];
      expect(id).toBeDefined();
      const removed = await page.post(`/settings/trust/widget/revoke/${id}`, { _csrf: csrfOf(after.body) });
      expect(removed.statusCode, removed.body).toBe(303);
      expect((await page.get('/settings/trust/widget')).body).not.toContain('acme/web-added');
      // Without the form's CSRF token nothing changes; another user's browser sees a refusal.
      const forged = await page.post('/settings/trust/widget', { repository: 'acme/forged', file: 'x.yml', publish: 'on' });
      expect(forged.json<{ code: string }>().code).toBe('CsrfTokenInvalid');
      const stranger = await signedInBrowser(r, bob);
      expect((await stranger.get('/settings/trust/widget')).statusCode).toBe(403);
    });
  });
}
