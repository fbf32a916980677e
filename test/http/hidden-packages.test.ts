// A package its reader may not read is answered exactly as one that does not exist: packument,
// version document, tarball, dist-tags, web page, downloads, and no trace in either search. Each
// answer is compared off the socket, status and headers and body, with the answer for a name of
// the same length that was never published, on a cold cache and once cached, with and without a
// token. The test sets the column (test/http/orgs.test.ts publishes with --access restricted);
// its maintainer and an administrator read it, everyone else meets a missing package.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { packageBuilder } from '../fixtures/package-builder.js';
import { rawRequest, requestHead, type RawResponse } from './raw-http.js';
import * as npm from '../support/npm-protocol.js';

const HIDDEN = 'secret-pkg';
const ABSENT = 'absent-pkg'; // the same length: a leak cannot hide in content-length
const CORGI = 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*';
const HTML = 'text/html,application/xhtml+xml';

/** Every read of one package, as [label, path, Accept, the status a missing package gets]. */
function reads(name: string): [string, string, string | undefined, number][] {
  return [
    ['packument', `/${name}`, undefined, 404],
    ['abbreviated packument', `/${name}`, CORGI, 404],
    ['packument asked with ?write=true', `/${name}?write=true`, undefined, 404],
    ['version document', `/${name}/1.0.0`, undefined, 404],
    ['version by dist-tag', `/${name}/latest`, undefined, 404],
    ['version by range', `/${name}/%5E1.0.0`, undefined, 404],
    ['tarball', `/${name}/-/${name}-1.0.0.tgz`, undefined, 404],
    ['HEAD of the packument', `HEAD /${name}`, undefined, 404],
    // npm dist-tag ls of an unknown package is an empty list, not an error.
    ['dist-tags', `/-/package/${name}/dist-tags`, undefined, 200],
    ['web page', `/package/${name}`, HTML, 404],
    ['web page of a version', `/package/${name}/v/1.0.0`, HTML, 404],
    ['downloads, point', `/-/downloads/point/last-week/${name}`, undefined, 404],
    ['downloads, range', `/-/downloads/range/last-week/${name}`, undefined, 404],
    // A bulk query answers null for an unknown name.
    ['downloads, bulk', `/-/downloads/point/last-week/${name},left-pad`, undefined, 200],
  ];
}

interface Seen {
  status: number | undefined;
  headers: [string, string][];
  body: string;
}

for (const engine of ENGINES) {
  describe(`a package its reader may not read looks missing (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    let bob: TestUser;
    let root: TestUser;

    async function read(target: string, accept: string | undefined, who: TestUser | undefined): Promise<RawResponse> {
      const [method, path] = target.startsWith('HEAD ') ? ['HEAD', target.slice(5)] : ['GET', target];
      const headers = ['Connection: close'];
      if (accept) headers.push(`Accept: ${accept}`);
      if (who) headers.push(`Authorization: Bearer ${who.token}`);
      return rawRequest(r.url, { head: requestHead(method, path, headers) });
    }

    /** What a reader can compare: the clock's header dropped, a request id reduced to its presence. */
    function seen(res: RawResponse, renamed?: string): Seen {
      const rename = (text: string) => (renamed ? text.split(renamed).join(HIDDEN) : text);
      const headers = Object.entries(res.headers)
        .filter(([name]) => name !== 'date')
        .map(([name, value]): [string, string] => [name, name === 'x-request-id' ? 'present' : rename(value)]);
      return { status: res.status, headers, body: rename(res.body) };
    }

    function forget(): void {
      r.registry.packages.packuments.invalidate(HIDDEN);
      r.registry.packages.packuments.invalidate(ABSENT);
    }

    beforeAll(async () => {
      // left-pad is on the protected list; the typosquatting check is tested elsewhere (test/http/typosquatting.test.ts).
      r = await startRegistry(engine, { listen: true, config: { typosquatPolicy: 'off' } });
      alice = await r.createUser('alice');
      bob = await r.createUser('bob');
      root = await r.createUser('root', { admin: true });
      for (const name of [HIDDEN, 'left-pad']) {
        const pkg = packageBuilder(name, '1.0.0').file('index.js', 'module.exports = 1;\n');
        expect((await r.publish(alice, pkg)).statusCode).toBe(201);
      }
      await r.registry.store.packages.setVisibility(HIDDEN, 'restricted');
      expect((await r.registry.store.packages.get(HIDDEN))?.visibility).toBe('restricted');
      expect((await r.registry.store.packages.get('left-pad'))?.visibility).toBe('public');
    });
    afterAll(() => r.close());

    const readers: [string, () => TestUser | undefined][] = [
      ['anonymous', () => undefined],
      ["a token of someone else's", () => bob],
    ];

    for (const [who, reader] of readers) {
      it(`gives ${who} the missing-package answer for every read, cold and cached`, async () => {
        const absent = reads(ABSENT);
        for (const [i, [label, target, accept, status]] of reads(HIDDEN).entries()) {
          forget();
          const cold = seen(await read(target, accept, reader()));
          const coldAbsent = seen(await read(absent[i]![1], accept, reader()), ABSENT);
          expect(cold, `${label}, cold`).toEqual(coldAbsent);
          expect(cold.status, label).toBe(status);
          // Read again: now the cache (and, where it answers, the fast path) has both.
          const cached = seen(await read(target, accept, reader()));
          const cachedAbsent = seen(await read(absent[i]![1], accept, reader()), ABSENT);
          expect(cached, `${label}, cached`).toEqual(cachedAbsent);
        }
      });
    }

    it('still serves it to its maintainer and an administrator, cold and cached, and everything else to everyone', async () => {
      for (const round of ['cold', 'cached']) {
        if (round === 'cold') forget();
        expect((await read(`/${HIDDEN}`, undefined, alice)).status, round).toBe(200);
        expect((await read(`/${HIDDEN}/-/${HIDDEN}-1.0.0.tgz`, undefined, alice)).status, round).toBe(200);
        const packument = await read(`/${HIDDEN}`, undefined, root);
        expect(packument.status, round).toBe(200);
        expect(JSON.parse(packument.body).name).toBe(HIDDEN);
        expect((await read(`/${HIDDEN}/-/${HIDDEN}-1.0.0.tgz`, undefined, root)).status, round).toBe(200);
        expect((await read(`/package/${HIDDEN}`, HTML, root)).status, round).toBe(200);
        expect((await read(`/-/downloads/point/last-week/${HIDDEN}`, undefined, root)).status, round).toBe(200);
        expect((await read('/left-pad', undefined, undefined)).status, round).toBe(200);
        expect((await read('/left-pad/-/left-pad-1.0.0.tgz', undefined, bob)).status, round).toBe(200);
      }
    });

    it('refuses changes to it as to a missing package, and changes nothing', async () => {
      const before = await r.registry.store.packages.get(HIDDEN);
      for (const who of [bob]) {
        const changes = (name: string) => [
          () => npm.addDistTag(r, who, name, 'beta', '1.0.0'),
          () => npm.removeDistTag(r, who, name, 'beta'),
          () => r.inject({ method: 'DELETE', url: `/${name}/-rev/1-0`, headers: { authorization: `Bearer ${who.token}` } }),
          () => npm.putDocument(r, who, name, { _id: name, _rev: '1-0', maintainers: [{ name: 'bob', email: 'b@x.test' }] }),
        ];
        const absent = changes(ABSENT);
        for (const [i, change] of changes(HIDDEN).entries()) {
          const res = await change();
          const missing = await absent[i]!();
          expect(res.statusCode).toBe(404);
          expect(res.json()).toEqual(JSON.parse(missing.body.split(ABSENT).join(HIDDEN)));
          expect(res.json().code).toBe('PackageNotFound');
        }
      }
      expect(await r.registry.store.packages.get(HIDDEN)).toEqual(before);
      expect(await r.registry.store.packages.distTags(HIDDEN)).toEqual({ latest: '1.0.0' });
    });

    it('leaves it out of npm search and web search, in the results and in the count', async () => {
      for (const who of [undefined, bob]) {
        const hidden = JSON.parse((await read(`/-/v1/search?text=${HIDDEN}`, undefined, who)).body);
        const absent = JSON.parse((await read(`/-/v1/search?text=${ABSENT}`, undefined, who)).body);
        expect({ ...hidden, time: 0 }).toEqual({ ...absent, time: 0 });
        expect(hidden.total).toBe(0);
        const page = seen(await read(`/search?q=${HIDDEN}`, HTML, who));
        expect(page).toEqual(seen(await read(`/search?q=${ABSENT}`, HTML, who), ABSENT));
        // A word both names contain finds only the public one.
        const both = JSON.parse((await read('/-/v1/search?text=-p', undefined, who)).body);
        expect(both.objects.map((o: { package: { name: string } }) => o.package.name)).toEqual(['left-pad']);
        expect(both.total).toBe(1);
      }
      const admin = JSON.parse((await read(`/-/v1/search?text=${HIDDEN}`, undefined, root)).body);
      expect(admin.objects.map((o: { package: { name: string } }) => o.package.name)).toEqual([HIDDEN]);
    });

    it('leaves it off the home page for anyone who may not read it', async () => {
      const home = (await read('/', HTML, undefined)).body;
      expect(home).toContain('left-pad');
      expect(home).not.toContain(HIDDEN);
      expect((await read('/', HTML, root)).body).toContain(HIDDEN);
    });
  });
}
