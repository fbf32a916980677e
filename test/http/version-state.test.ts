// A version in a state other than `published` (staged, quarantined: set by later tracks, here
// through the store) is served nowhere, on both read paths and both engines, and its number
// stays taken. Each check has a published control, so it cannot pass by serving nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { packageBuilder } from '../fixtures/package-builder.js';
import * as npm from '../support/npm-protocol.js';
import { ManualClock } from '../../src/domain/jobs/clock.js';
import type { Day } from '../../src/domain/downloads/days.js';

const DAY = '2026-03-10' as Day;

for (const engine of ENGINES) {
  describe(`version state (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    const clock = new ManualClock(Date.parse(`${DAY}T12:00:00Z`));

    const status = async (url: string) => (await r.inject({ method: 'GET', url })).statusCode;
    /** Through the in-memory fast path when it has the answer, as clients on a port get it. */
    const fetched = async (path: string) => {
      const res = await fetch(`${r.url}${path}`);
      return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
    };

    beforeAll(async () => {
      r = await startRegistry(engine, { listen: true, deps: { clock } });
      alice = await r.createUser('alice');
      await npm.published(r, alice, packageBuilder('held', '1.0.0'));
      await npm.published(r, alice, packageBuilder('held', '2.0.0'), 'next');
      await npm.published(r, alice, packageBuilder('fan', '1.0.0').dependency('held', '^1.0.0'));
      await npm.published(r, alice, packageBuilder('quiet-fan', '1.0.0').dependency('held', '^1.0.0'));
      await npm.published(r, alice, packageBuilder('only-staged', '1.0.0'));
      await npm.published(r, alice, packageBuilder('robot', '1.0.0'));
      const packages = r.registry.store.packages;
      await packages.setState('held', '2.0.0', 'staged');
      await packages.setState('quiet-fan', '1.0.0', 'quarantined');
      await packages.setState('only-staged', '1.0.0', 'staged');
      for (const name of ['held', 'quiet-fan', 'only-staged']) r.registry.packages.packuments.invalidate(name);
    });
    afterAll(() => r.close());

    it('leaves the version out of the packument, its time and its tags, on both paths', async () => {
      for (const accept of ['application/json', npm.CORGI]) {
        const res = await r.inject({ method: 'GET', url: '/held', headers: { accept } });
        const doc = res.json<{ versions: Record<string, unknown>; 'dist-tags': Record<string, string>; time?: object }>();
        expect(Object.keys(doc.versions)).toEqual(['1.0.0']);
        expect(doc['dist-tags']).toEqual({ latest: '1.0.0' });
        if (accept !== npm.CORGI) expect(Object.keys(doc.time!)).toEqual(['created', 'modified', '1.0.0']);
      }
      const first = await fetched('/held');
      const second = await fetched('/held');
      for (const read of [first, second]) {
        expect(read.status).toBe(200);
        expect(Object.keys((JSON.parse(read.body.toString()) as { versions: object }).versions)).toEqual(['1.0.0']);
      }
    });

    it('answers 404 for its version document and its tarball, cached or not', async () => {
      expect(await status('/held/1.0.0')).toBe(200);
      expect(await status('/held/2.0.0')).toBe(404);
      expect(await status('/held/next')).toBe(404);
      expect((await fetched('/held/-/held-1.0.0.tgz')).status).toBe(200);
      expect((await fetched('/held/-/held-2.0.0.tgz')).status).toBe(404);
      // Cold: the tarball read looks the version up itself when no packument is cached.
      r.registry.packages.packuments.clear();
      expect(await status('/held/-/held-2.0.0.tgz')).toBe(404);
      expect(await status('/only-staged/-/only-staged-1.0.0.tgz')).toBe(404);
      expect(await status('/held/-/held-1.0.0.tgz')).toBe(200);
    });

    it('finds no package whose only version is on hold', async () => {
      const hits = async (text: string) => {
        const res = await r.inject({ method: 'GET', url: `/-/v1/search?text=${text}` });
        return res.json<{ objects: { package: { name: string } }[] }>().objects.map((o) => o.package.name);
      };
      expect(await hits('held')).toEqual(['held']);
      expect(await hits('only-staged')).toEqual([]);
    });

    it('does not count a version on hold as a dependent, nor its downloads', async () => {
      const dependents = await r.registry.store.packages.dependents('held');
      expect(dependents.map((d) => d.packageName)).toEqual(['fan']);
      await r.registry.store.downloads.add([
        { packageName: 'held', version: '1.0.0', day: DAY, count: 2 },
        { packageName: 'held', version: '2.0.0', day: DAY, count: 5 },
      ]);
      const res = await r.inject({ method: 'GET', url: `/-/downloads/point/${DAY}:${DAY}/held` });
      expect(res.json<{ downloads: number }>().downloads).toBe(2);
    });

    it('refuses to tag or deprecate it: for clients it does not exist', async () => {
      const tagged = await npm.addDistTag(r, alice, 'held', 'beta', '2.0.0');
      expect([tagged.statusCode, tagged.json<{ code: string }>().code]).toEqual([404, 'VersionNotFound']);
      expect((await npm.addDistTag(r, alice, 'held', 'beta', '1.0.0')).statusCode).toBe(200);
    });

    it("shows a user's _npmUser as before, a trusted publisher's identity, and none for the system", async () => {
      const first = (await r.registry.store.packages.version('robot', '1.0.0'))!;
      await r.registry.store.transaction(async (tx) => {
        const trusted = { kind: 'trusted-publisher', id: 'github:acme/robot:release.yml' } as const;
        expect(await tx.packages.insertVersion({ ...first, version: '2.0.0', publisher: trusted }, {})).toBe(true);
        expect(await tx.packages.insertVersion({ ...first, version: '3.0.0', publisher: { kind: 'system' } }, {})).toBe(true);
      });
      r.registry.packages.packuments.invalidate('robot');
      const doc = await npm.packument(r, 'robot');
      const npmUser = (v: string) => (doc.versions[v] as unknown as { _npmUser?: unknown })._npmUser;
      expect(npmUser('1.0.0')).toEqual({ name: 'alice', email: 'alice@example.com' });
      expect(npmUser('2.0.0')).toEqual({
        name: 'github:acme/robot:release.yml',
        email: '',
        trustedPublisher: { id: 'github:acme/robot:release.yml' },
      });
      expect(npmUser('3.0.0')).toBeUndefined();
      expect(doc.maintainers).toEqual([{ name: 'alice', email: 'alice@example.com' }]);
    });

    it('keeps its number taken: publishing it again is refused and changes nothing', async () => {
      for (const [name, version] of [
        ['held', '2.0.0'],
        ['only-staged', '1.0.0'],
      ] as const) {
        const res = await r.publish(alice, packageBuilder(name, version).readme('another'));
        expect([res.statusCode, res.json<{ code: string }>().code]).toEqual([409, 'VersionStaged']);
        expect((await r.registry.store.packages.version(name, version))?.state).toBe('staged');
      }
      // A package with nothing served is not found, as search does not find it.
      expect(await status('/only-staged')).toBe(404);
      const page = (name: string) => r.inject({ method: 'GET', url: `/package/${name}`, headers: { accept: 'text/html' } });
      expect([(await page('only-staged')).statusCode, (await page('held')).statusCode]).toEqual([404, 200]);
      expect(await status('/held')).toBe(200);
    });
  });
}
