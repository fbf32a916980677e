// The unpublish policy and version immutability, driven through the requests npm itself sends
// (protocol §5): a name@version is never reused, maintainers may unpublish only within the window
// and while nothing depends on the version, administrators always, and a removed package's name
// stays with its owners.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { packageBuilder, type PackageBuilder } from '../fixtures/package-builder.js';
import { ManualClock } from '../../src/domain/clock.js';
import {
  bearer,
  CORGI,
  escaped,
  packument,
  published,
  unpublishPackage as npmUnpublishPackage,
  unpublishVersion as npmUnpublishVersion,
  type Packument,
} from '../support/npm-protocol.js';

function publish(r: TestRegistry, user: TestUser, builder: PackageBuilder, tag?: string) {
  return r.publish(user, builder, tag === undefined ? {} : { tag });
}

/** The packument as raw text (or the 404), plus every event: what a refused request must not change. */
async function stateOf(r: TestRegistry, name: string) {
  const res = await r.inject({ method: 'GET', url: `/${escaped(name)}?write=true` });
  return { document: `${res.statusCode} ${res.body}`, events: (await r.registry.store.events.since(0, 1000)).length };
}

async function newEvents(r: TestRegistry, since: number) {
  return (await r.registry.store.events.since(since, 1000)).map((e) => ({
    type: e.type,
    packageName: e.packageName,
    version: e.version,
    data: e.data,
  }));
}

const lastSeq = (r: TestRegistry) => r.registry.store.events.latestSeq();

function expectRefused(res: LightMyRequestResponse, status: number, word: RegExp): void {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.json<{ error: string }>().error).toMatch(word);
}

for (const engine of ENGINES) {
  describe(`unpublish within the window (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    let bob: TestUser;

    beforeAll(async () => {
      r = await startRegistry(engine);
      alice = await r.createUser('alice');
      bob = await r.createUser('bob');
    });
    afterAll(() => r.close());

    it('lets a maintainer unpublish a version, which then disappears everywhere', async () => {
      await published(r, alice, packageBuilder('shortlived', '1.0.0'));
      await published(r, alice, packageBuilder('shortlived', '1.1.0'));
      const publishedAt = (await packument(r, 'shortlived')).time['1.1.0'];
      const since = await lastSeq(r);
      const res = await npmUnpublishVersion(r, alice.token, 'shortlived', '1.1.0');
      expect(res.statusCode, res.body).toBe(200);
      const doc = await packument(r, 'shortlived');
      expect(Object.keys(doc.versions)).toEqual(['1.0.0']);
      // As on npmjs, `time` still records when the gone version was published: the number stays used.
      expect(publishedAt).toBeDefined();
      expect(doc.time['1.1.0']).toBe(publishedAt);
      expect(doc['dist-tags']).toEqual({ latest: '1.0.0' });
      expect((await r.inject({ method: 'GET', url: '/shortlived/-/shortlived-1.1.0.tgz' })).statusCode).toBe(404);
      expect((await r.inject({ method: 'GET', url: '/shortlived/1.1.0' })).statusCode).toBe(404);
      const corgi = await r.inject({ method: 'GET', url: '/shortlived', headers: { accept: CORGI } });
      expect(Object.keys(corgi.json<Packument>().versions)).toEqual(['1.0.0']);
      expect(await newEvents(r, since)).toEqual([
        { type: 'version.unpublished', packageName: 'shortlived', version: '1.1.0', data: { byAdmin: false } },
      ]);
    });

    it('never lets a name@version be published again after unpublish, not even with other content', async () => {
      await published(r, alice, packageBuilder('reuse', '1.0.0'));
      await published(r, alice, packageBuilder('reuse', '2.0.0').file('index.js', 'original'));
      expect((await npmUnpublishVersion(r, alice.token, 'reuse', '2.0.0')).statusCode).toBe(200);
      const before = await stateOf(r, 'reuse');
      expectRefused(await publish(r, alice, packageBuilder('reuse', '2.0.0').file('index.js', 'original')), 409, /unpublished/);
      expectRefused(await publish(r, alice, packageBuilder('reuse', '2.0.0').file('index.js', 'different')), 409, /unpublished/);
      expect(await stateOf(r, 'reuse')).toEqual(before);
      expect((await r.inject({ method: 'GET', url: '/reuse/-/reuse-2.0.0.tgz' })).statusCode).toBe(404);
    });

    it('moves latest to the highest remaining stable version when the latest is unpublished', async () => {
      await published(r, alice, packageBuilder('moving', '1.0.0'));
      await published(r, alice, packageBuilder('moving', '1.5.0'));
      await published(r, alice, packageBuilder('moving', '3.0.0-beta.1'), 'next');
      await published(r, alice, packageBuilder('moving', '2.0.0'));
      const tag = await r.inject({
        method: 'PUT',
        url: '/-/package/moving/dist-tags/stable',
        headers: { ...bearer(alice.token), 'content-type': 'application/json' },
        payload: '"2.0.0"',
      });
      expect(tag.statusCode).toBe(200);
      // Not npm: a bare DELETE of the tarball, so the server (not the client's PUT) re-points the tags.
      const res = await r.inject({ method: 'DELETE', url: '/moving/-/moving-2.0.0.tgz/-rev/1-x', headers: bearer(alice.token) });
      expect(res.statusCode, res.body).toBe(200);
      expect((await packument(r, 'moving'))['dist-tags']).toEqual({ latest: '1.5.0', next: '3.0.0-beta.1' });
      expect((await npmUnpublishVersion(r, alice.token, 'moving', '1.5.0')).statusCode).toBe(200);
      expect((await packument(r, 'moving'))['dist-tags']).toEqual({ latest: '1.0.0', next: '3.0.0-beta.1' });
    });

    it('does not let someone who is not a maintainer unpublish', async () => {
      await published(r, alice, packageBuilder('guarded', '1.0.0'));
      await published(r, alice, packageBuilder('guarded', '1.1.0'));
      const before = await stateOf(r, 'guarded');
      expectRefused(await npmUnpublishVersion(r, bob.token, 'guarded', '1.1.0'), 403, /maintainer/);
      expectRefused(
        await r.inject({ method: 'DELETE', url: '/guarded/-/guarded-1.1.0.tgz/-rev/1-x', headers: bearer(bob.token) }),
        403,
        /maintainer/,
      );
      expectRefused(await npmUnpublishPackage(r, bob.token, 'guarded'), 403, /maintainer/);
      expect(await stateOf(r, 'guarded')).toEqual(before);
    });

    it('refuses to unpublish a version another package depends on, and says which', async () => {
      await published(r, alice, packageBuilder('base-lib', '1.0.0'));
      await published(r, alice, packageBuilder('base-lib', '1.2.0'));
      await published(r, alice, packageBuilder('base-lib', '2.0.0'));
      await published(r, bob, packageBuilder('consumer', '1.0.0').dependency('base-lib', '~1.2.0'));
      const before = await stateOf(r, 'base-lib');
      expectRefused(await npmUnpublishVersion(r, alice.token, 'base-lib', '1.2.0'), 403, /consumer@1\.0\.0/);
      expectRefused(await npmUnpublishPackage(r, alice.token, 'base-lib'), 403, /consumer@1\.0\.0/);
      expect(await stateOf(r, 'base-lib')).toEqual(before);
    });

    it('refuses to unpublish a version another package depends on through an npm: alias', async () => {
      await published(r, alice, packageBuilder('aliased-lib', '1.0.0'));
      await published(r, alice, packageBuilder('aliased-lib', '1.1.0'));
      await published(r, bob, packageBuilder('alias-user', '1.0.0').dependency('lib-v1', 'npm:aliased-lib@^1.1.0'));
      const before = await stateOf(r, 'aliased-lib');
      expectRefused(await npmUnpublishVersion(r, alice.token, 'aliased-lib', '1.1.0'), 403, /alias-user@1\.0\.0/);
      expectRefused(await npmUnpublishPackage(r, alice.token, 'aliased-lib'), 403, /alias-user@1\.0\.0/);
      expect(await stateOf(r, 'aliased-lib')).toEqual(before);
      expect((await npmUnpublishVersion(r, alice.token, 'aliased-lib', '1.0.0')).statusCode).toBe(200);
    });

    it('counts a dependency on a version both directly and through an alias', async () => {
      await published(r, alice, packageBuilder('@alice/twice', '1.0.0'));
      await published(r, alice, packageBuilder('@alice/twice', '2.0.0'));
      await published(r, alice, packageBuilder('@alice/twice', '3.0.0'));
      await published(
        r,
        bob,
        packageBuilder('twice-user', '1.0.0')
          .dependency('@alice/twice', '^2.0.0')
          .dependency('twice-v1', 'npm:@alice/twice@^1.0.0'),
      );
      expectRefused(await npmUnpublishVersion(r, alice.token, '@alice/twice', '1.0.0'), 403, /twice-user/);
      expectRefused(await npmUnpublishVersion(r, alice.token, '@alice/twice', '2.0.0'), 403, /twice-user/);
      expect((await npmUnpublishVersion(r, alice.token, '@alice/twice', '3.0.0')).statusCode).toBe(200);
      expect(Object.keys((await packument(r, '@alice/twice')).versions)).toEqual(['1.0.0', '2.0.0']);
    });

    it("allows unpublishing a version that no dependent's range matches", async () => {
      await published(r, alice, packageBuilder('ranged-lib', '1.0.0'));
      await published(r, alice, packageBuilder('ranged-lib', '2.0.0'));
      await published(r, bob, packageBuilder('ranged-app', '1.0.0').dependency('ranged-lib', '^1.0.0'));
      expect((await npmUnpublishVersion(r, alice.token, 'ranged-lib', '2.0.0')).statusCode).toBe(200);
      expect(Object.keys((await packument(r, 'ranged-lib')).versions)).toEqual(['1.0.0']);
    });

    it('allows the unpublish once the dependent itself is gone', async () => {
      await published(r, alice, packageBuilder('freed-lib', '1.0.0'));
      await published(r, alice, packageBuilder('freed-lib', '1.0.1'));
      await published(r, bob, packageBuilder('freed-app', '1.0.0').dependency('freed-lib', '1.0.0'));
      expect((await npmUnpublishVersion(r, alice.token, 'freed-lib', '1.0.0')).statusCode).toBe(403);
      expect((await npmUnpublishPackage(r, bob.token, 'freed-app')).statusCode).toBe(200);
      expect((await npmUnpublishVersion(r, alice.token, 'freed-lib', '1.0.0')).statusCode).toBe(200);
    });

    it('does not unpublish versions published after the document npm sent back was read', async () => {
      await published(r, alice, packageBuilder('racy', '1.0.0'));
      await published(r, alice, packageBuilder('racy', '1.1.0'));
      const stale = await packument(r, 'racy');
      await published(r, alice, packageBuilder('racy', '1.2.0'));
      delete stale.versions['1.1.0'];
      const res = await r.inject({
        method: 'PUT',
        url: `/racy/-rev/${stale._rev}`,
        headers: bearer(alice.token),
        payload: stale,
      });
      expect(res.statusCode).toBe(409);
      expect(Object.keys((await packument(r, 'racy')).versions)).toEqual(['1.0.0', '1.1.0', '1.2.0']);
    });

    it('keeps the name of an unpublished package for its owners', async () => {
      await published(r, alice, packageBuilder('retired', '1.0.0'));
      await published(r, alice, packageBuilder('retired', '1.1.0'));
      const since = await lastSeq(r);
      const res = await npmUnpublishPackage(r, alice.token, 'retired');
      expect(res.statusCode, res.body).toBe(200);
      expect(await newEvents(r, since)).toEqual([
        {
          type: 'package.unpublished',
          packageName: 'retired',
          version: null,
          data: { versions: ['1.0.0', '1.1.0'], byAdmin: false },
        },
      ]);
      const gone = await r.inject({ method: 'GET', url: '/retired' });
      expectRefused(gone, 404, /unpublished/);
      expect((await r.inject({ method: 'GET', url: '/retired/-/retired-1.0.0.tgz' })).statusCode).toBe(404);

      const before = await stateOf(r, 'retired');
      expectRefused(await publish(r, bob, packageBuilder('retired', '5.0.0')), 403, /unpublished.*reserved/);
      expectRefused(await publish(r, alice, packageBuilder('retired', '1.0.0')), 409, /unpublished/);
      expect(await stateOf(r, 'retired')).toEqual(before);

      await published(r, alice, packageBuilder('retired', '2.0.0'));
      const doc = await packument(r, 'retired');
      expect(Object.keys(doc.versions)).toEqual(['2.0.0']);
      expect(doc['dist-tags']).toEqual({ latest: '2.0.0' });
      expect((await r.inject({ method: 'GET', url: '/retired/1.1.0' })).statusCode).toBe(404);
      expect((await r.inject({ method: 'GET', url: '/retired/-/retired-1.1.0.tgz' })).statusCode).toBe(404);
      expectRefused(await publish(r, alice, packageBuilder('retired', '1.1.0')), 409, /unpublished/);
    });

    it('treats unpublishing the only version as unpublishing the package', async () => {
      await published(r, alice, packageBuilder('solo', '1.0.0'));
      const res = await r.inject({ method: 'DELETE', url: '/solo/-/solo-1.0.0.tgz/-rev/1-x', headers: bearer(alice.token) });
      expect(res.statusCode).toBe(200);
      expectRefused(await r.inject({ method: 'GET', url: '/solo' }), 404, /unpublished/);
      expectRefused(await publish(r, bob, packageBuilder('solo', '2.0.0')), 403, /reserved/);
    });

    it('never changes the bytes served for a version', async () => {
      await published(r, alice, packageBuilder('@alice/stable-bytes', '1.0.0').file('index.js', 'original'));
      const url = '/@alice/stable-bytes/-/stable-bytes-1.0.0.tgz';
      const first = await r.inject({ method: 'GET', url });
      expect(first.statusCode).toBe(200);
      const dist = (await packument(r, '@alice/stable-bytes')).versions['1.0.0']!.dist;
      const before = await stateOf(r, '@alice/stable-bytes');
      expectRefused(
        await publish(r, alice, packageBuilder('@alice/stable-bytes', '1.0.0').file('index.js', 'replaced')),
        409,
        /already published/,
      );
      expectRefused(
        await publish(r, alice, packageBuilder('@alice/stable-bytes', '1.0.0').file('index.js', 'original')),
        409,
        /already published/,
      );
      expect(await stateOf(r, '@alice/stable-bytes')).toEqual(before);
      const again = await r.inject({ method: 'GET', url });
      expect(again.rawPayload.equals(first.rawPayload)).toBe(true);
      expect(again.headers.etag).toBe(first.headers.etag);
      expect((await packument(r, '@alice/stable-bytes')).versions['1.0.0']!.dist).toEqual(dist);
    });
  });

  describe(`unpublish after the window (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    let bob: TestUser;
    let admin: TestUser;
    // The registry's only clock: the window closes when the test moves it, not after a sleep.
    const clock = new ManualClock('2030-01-01T00:00:00.000Z');
    const WINDOW_MS = 72 * 3600_000;

    beforeAll(async () => {
      // The clock jumps years ahead here, past the MFA grace period; this block is about the unpublish window.
      r = await startRegistry(engine, {
        config: { unpublishWindowHours: 72, mfaRequiredForMaintainers: false },
        deps: { clock },
      });
      alice = await r.createUser('alice');
      bob = await r.createUser('bob');
      admin = await r.createUser('root', { admin: true });
    });
    afterAll(() => r.close());

    it('refuses a maintainer once the window has passed, saying why and what to do instead', async () => {
      await published(r, alice, packageBuilder('settled', '1.0.0'));
      await published(r, alice, packageBuilder('settled', '1.1.0'));
      clock.advance(WINDOW_MS + 1);
      const before = await stateOf(r, 'settled');
      expectRefused(await npmUnpublishVersion(r, alice.token, 'settled', '1.1.0'), 403, /72 hours.*deprecate/);
      expectRefused(await npmUnpublishPackage(r, alice.token, 'settled'), 403, /hours/);
      expectRefused(
        await r.inject({ method: 'DELETE', url: '/settled/-/settled-1.1.0.tgz/-rev/1-x', headers: bearer(alice.token) }),
        403,
        /hours/,
      );
      expect(await stateOf(r, 'settled')).toEqual(before);
    });

    it('lets an administrator unpublish at any time, even a version others depend on', async () => {
      await published(r, alice, packageBuilder('withdrawn', '1.0.0'));
      await published(r, alice, packageBuilder('withdrawn', '1.1.0'));
      await published(r, bob, packageBuilder('needs-withdrawn', '1.0.0').dependency('withdrawn', '^1.1.0'));
      clock.advance(WINDOW_MS + 1);
      const since = await lastSeq(r);
      const res = await npmUnpublishVersion(r, admin.token, 'withdrawn', '1.1.0');
      expect(res.statusCode, res.body).toBe(200);
      expect(Object.keys((await packument(r, 'withdrawn')).versions)).toEqual(['1.0.0']);
      expect(await newEvents(r, since)).toEqual([
        { type: 'version.unpublished', packageName: 'withdrawn', version: '1.1.0', data: { byAdmin: true } },
      ]);
      expect((await npmUnpublishPackage(r, admin.token, 'withdrawn')).statusCode).toBe(200);
      expect((await r.inject({ method: 'GET', url: '/withdrawn' })).statusCode).toBe(404);
      expect((await publish(r, alice, packageBuilder('withdrawn', '1.1.0'))).statusCode).toBe(409);
    });

    it('keeps the window open to its last millisecond and closes it one millisecond later', async () => {
      await published(r, alice, packageBuilder('closing', '1.0.0'));
      await published(r, alice, packageBuilder('closing', '1.1.0'));
      await published(r, alice, packageBuilder('closing', '1.2.0'));
      clock.advance(WINDOW_MS);
      const last = await npmUnpublishVersion(r, alice.token, 'closing', '1.2.0');
      expect(last.statusCode, last.body).toBe(200);
      clock.advance(1);
      const before = await stateOf(r, 'closing');
      const late = await npmUnpublishVersion(r, alice.token, 'closing', '1.1.0');
      expect(late.statusCode, late.body).toBe(403);
      expect(late.json<{ code: string }>().code).toBe('UnpublishRefused');
      expect(await stateOf(r, 'closing')).toEqual(before);
      expect(Object.keys((await packument(r, 'closing')).versions)).toEqual(['1.0.0', '1.1.0']);
    });

    it('records the publish time from the registry clock', async () => {
      clock.set('2031-06-15T12:00:00.000Z');
      await published(r, alice, packageBuilder('stamped', '1.0.0'));
      expect((await packument(r, 'stamped')).time['1.0.0']).toBe('2031-06-15T12:00:00.000Z');
    });
  });
}
