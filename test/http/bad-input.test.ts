// Every malformed, forged or unauthorised write is refused with a 4xx that says why, and leaves
// nothing behind: the packument is unchanged (or still 404), no event is written, no blob is stored.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { gzipBomb, packageBuilder, type PackageBuilder } from '../fixtures/package-builder.js';
import { generateToken } from '../../src/domain/tokens/format.js';
import type { User } from '../../src/domain/accounts/store.js';

interface VersionDoc {
  name?: unknown;
  version?: unknown;
  dependencies?: Record<string, string>;
  dist: { integrity?: string; shasum?: string; tarball?: string };
  [field: string]: unknown;
}

interface PublishBody {
  name?: unknown;
  versions: Record<string, VersionDoc>;
  _attachments?: Record<string, { content_type?: string; data: string; length: number }>;
  [field: string]: unknown;
}

const body = (builder: PackageBuilder, url: string, opts: { tag?: string } = {}): PublishBody =>
  builder.publishBody(url, opts) as unknown as PublishBody;

const onlyVersion = (doc: PublishBody): VersionDoc => Object.values(doc.versions)[0]!;

/** Puts other tarball bytes into a publish body, optionally with digests that describe them. */
function swapTarball(doc: PublishBody, tgz: Buffer, opts: { fixDigests: boolean }): PublishBody {
  const copy = structuredClone(doc);
  const key = Object.keys(copy._attachments!)[0]!;
  copy._attachments![key] = { content_type: 'application/octet-stream', data: tgz.toString('base64'), length: tgz.length };
  if (opts.fixDigests) {
    onlyVersion(copy).dist.integrity = `sha512-${createHash('sha512').update(tgz).digest('base64')}`;
    onlyVersion(copy).dist.shasum = createHash('sha1').update(tgz).digest('hex');
  }
  return copy;
}

/** A user and token without a password: skips scrypt, which is slow by design, where no test logs in. */
async function quickUser(r: TestRegistry, name: string): Promise<{ user: User; token: string }> {
  const user = await r.registry.store.users.insert({
    name,
    email: `${name}@example.com`,
    emailVerified: true,
    passwordHash: 'scrypt$stand-in',
    isAdmin: false,
    createdAt: new Date().toISOString(),
  });
  const token = await r.registry.store.transaction(
    async (tx) => (await r.registry.tokens.create(tx, user!, { reason: 'test' })).secret,
  );
  return { user: user!, token };
}

const escaped = (name: string) => name.replace('/', '%2f');
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

function countBlobs(r: TestRegistry): number {
  const root = join(r.registry.config.dataDir, 'blobs');
  if (!existsSync(root)) return 0;
  return readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length;
}

/** Everything a refused request could have touched. */
async function traceOf(r: TestRegistry, names: string[]) {
  const documents: string[] = [];
  for (const name of names) {
    const res = await r.inject({ method: 'GET', url: `/${encodeURIComponent(name)}?write=true` });
    documents.push(`${res.statusCode} ${res.body}`);
  }
  const events = (await r.registry.store.events.since(0, 1000)).map((e) => `${e.seq} ${e.type}`);
  return { documents, events, blobs: countBlobs(r) };
}

function expectRefused(res: LightMyRequestResponse, status: number, word?: RegExp): void {
  expect(res.statusCode, res.body).toBe(status);
  const answer = res.json<{ error: string; message: string }>();
  expect(typeof answer.error).toBe('string');
  expect(answer.error.length).toBeGreaterThan(10);
  if (word) expect(answer.error).toMatch(word);
}

for (const engine of ENGINES) {
  describe(`bad input is refused and leaves no trace (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    let bob: TestUser;
    let aliceReadonly: string;
    const OWNED = 'owned';
    const SCOPED = '@acme/thing';

    beforeAll(async () => {
      // A low unpacked-size limit keeps the gzip bomb cheap to refuse.
      r = await startRegistry(engine, { config: { maxUnpackedBytes: 4 * 1024 * 1024 } });
      alice = await r.createUser('alice');
      bob = await r.createUser('bob');
      aliceReadonly = await r.registry.store.transaction(
        async (tx) => (await r.registry.tokens.create(tx, alice.user, { scopes: ['read'], reason: 'test' })).secret,
      );
      for (const name of [OWNED, SCOPED]) {
        const res = await r.inject({
          method: 'PUT',
          url: `/${escaped(name)}`,
          headers: bearer(alice.token),
          payload: body(packageBuilder(name, '1.0.0'), r.url),
        });
        expect(res.statusCode).toBe(201);
      }
      const tag = await r.inject({
        method: 'PUT',
        url: `/-/package/${OWNED}/dist-tags/beta`,
        headers: { ...bearer(alice.token), 'content-type': 'application/json' },
        payload: '"1.0.0"',
      });
      expect(tag.statusCode).toBe(200);
    });
    afterAll(() => r.close());

    /** Sends the request and checks it was refused with `status` and changed nothing. */
    async function refuses(
      request: Parameters<TestRegistry['inject']>[0],
      status: number,
      word?: RegExp,
      names: string[] = [OWNED, SCOPED],
    ): Promise<LightMyRequestResponse> {
      const before = await traceOf(r, names);
      const res = await r.inject(request);
      expectRefused(res, status, word);
      expect(await traceOf(r, names)).toEqual(before);
      return res;
    }

    /** `token: null` sends no authorization at all. */
    const publish = (name: string, payload: unknown, token: string | null = alice.token) => ({
      method: 'PUT' as const,
      url: `/${escaped(name)}`,
      headers: token === null ? {} : bearer(token),
      payload: payload as Record<string, unknown>,
    });

    describe('tarball bytes', () => {
      it('refuses a tarball whose bytes do not match dist.integrity', async () => {
        const doc = body(packageBuilder(OWNED, '1.1.0').file('index.js', 'good'), r.url);
        const other = packageBuilder(OWNED, '1.1.0').file('index.js', 'evil').tarball();
        await refuses(publish(OWNED, swapTarball(doc, other, { fixDigests: false })), 400, /integrity/);
      });

      it('refuses a tarball whose bytes do not match dist.shasum', async () => {
        const doc = body(packageBuilder(OWNED, '1.1.0').file('index.js', 'good'), r.url);
        const forged = swapTarball(doc, packageBuilder(OWNED, '1.1.0').file('index.js', 'evil').tarball(), { fixDigests: false });
        delete onlyVersion(forged).dist.integrity;
        await refuses(publish(OWNED, forged), 400, /shasum/);
      });

      it('refuses a correct integrity paired with a wrong shasum', async () => {
        const doc = body(packageBuilder(OWNED, '1.1.0'), r.url);
        onlyVersion(doc).dist.shasum = '0'.repeat(40);
        await refuses(publish(OWNED, doc), 400, /shasum/);
      });

      it('refuses a publish whose dist declares no digest the registry can check', async () => {
        for (const integrity of ['sha384-AAAA', 'not-an-sri-string', 'garbage']) {
          const doc = body(packageBuilder(OWNED, '1.1.0'), r.url);
          onlyVersion(doc).dist = { integrity };
          await refuses(publish(OWNED, doc), 400, /integrity/);
        }
      });

      it('refuses an attachment whose declared length differs from its data', async () => {
        const doc = body(packageBuilder(OWNED, '1.1.0'), r.url);
        const attachment = Object.values(doc._attachments!)[0]!;
        attachment.length += 1;
        await refuses(publish(OWNED, doc), 400);
      });

      const escapes: [string, PackageBuilder][] = [
        ['an entry climbing out with ../', packageBuilder(OWNED, '1.1.0').rawEntry({ name: '../escape.js', body: 'x' })],
        [
          'an entry climbing out from inside package/',
          packageBuilder(OWNED, '1.1.0').rawEntry({ name: 'package/../../escape.js', body: 'x' }),
        ],
        ['an absolute path', packageBuilder(OWNED, '1.1.0').rawEntry({ name: '/etc/cron.d/evil', body: 'x' })],
        [
          'a symlink pointing out of the package',
          packageBuilder(OWNED, '1.1.0').rawEntry({ name: 'package/link', type: 'symlink', linkname: '../../../etc/passwd' }),
        ],
        [
          'a symlink with an absolute target',
          packageBuilder(OWNED, '1.1.0').rawEntry({ name: 'package/link', type: 'symlink', linkname: '/etc/passwd' }),
        ],
        [
          'a hard link to a file outside package/',
          packageBuilder(OWNED, '1.1.0').rawEntry({ name: 'package/hard', type: 'link', linkname: 'etc/passwd' }),
        ],
      ];
      for (const [what, builder] of escapes) {
        it(`refuses a tarball with ${what}`, async () => {
          await refuses(publish(OWNED, body(builder, r.url)), 400, /unsafe/);
        });
      }

      it('refuses a gzip bomb: a tiny upload that unpacks past the size limit', async () => {
        const bomb = gzipBomb(64 * 1024 * 1024);
        expect(bomb.length).toBeLessThan(256 * 1024);
        const doc = swapTarball(body(packageBuilder(OWNED, '1.1.0'), r.url), bomb, { fixDigests: true });
        await refuses(publish(OWNED, doc), 413, /limit/);
      });

      it('refuses bytes that are not a gzip tarball', async () => {
        const doc = swapTarball(body(packageBuilder(OWNED, '1.1.0'), r.url), Buffer.from('just some text'), { fixDigests: true });
        await refuses(publish(OWNED, doc), 400, /gzip/);
      });
    });

    describe('request size', () => {
      it('has a default body limit of 128 MiB, room for the largest popular packages', () => {
        expect(r.registry.config.maxBodyBytes).toBe(128 * 1024 * 1024);
      });

      it('refuses a body over the configured limit with 413', async () => {
        const small = await startRegistry(engine, { config: { maxBodyBytes: 1024 * 1024 } });
        try {
          const carol = await quickUser(small, 'carol');
          const fits = await small.inject(publish('fits', body(packageBuilder('fits', '1.0.0'), small.url), carol.token));
          expect(fits.statusCode).toBe(201);
          // Random bytes do not compress: about 2 MB once base64-encoded in the JSON body.
          const doc = body(packageBuilder('big', '1.0.0').file('blob.bin', randomBytes(1536 * 1024)), small.url);
          expect(JSON.stringify(doc).length).toBeGreaterThan(2 * 1024 * 1024);
          const before = await traceOf(small, ['big', 'fits']);
          const res = await small.inject(publish('big', doc, carol.token));
          expectRefused(res, 413, /1 MB/);
          expect(await traceOf(small, ['big', 'fits'])).toEqual(before);
          expect(before.documents[0]).toMatch(/^404 /);
        } finally {
          await small.close();
        }
      });
    });

    describe('names and versions', () => {
      it('refuses a document whose name differs from the URL', async () => {
        const doc = body(packageBuilder(OWNED, '1.1.0'), r.url);
        doc.name = 'something-else';
        await refuses(publish(OWNED, doc), 400, /something-else/);
      });

      it('refuses a version object whose name differs from the URL', async () => {
        const doc = body(packageBuilder(OWNED, '1.1.0'), r.url);
        onlyVersion(doc).name = 'something-else';
        await refuses(publish(OWNED, doc), 400, /something-else/);
      });

      it('refuses a version object whose version differs from its key', async () => {
        const doc = body(packageBuilder(OWNED, '1.1.0'), r.url);
        onlyVersion(doc).version = '1.2.0';
        await refuses(publish(OWNED, doc), 400, /1\.2\.0/);
      });

      it('refuses a tarball whose package.json names another package', async () => {
        const doc = body(packageBuilder(OWNED, '1.1.0'), r.url);
        const other = packageBuilder('other-package', '1.1.0').tarball();
        await refuses(publish(OWNED, swapTarball(doc, other, { fixDigests: true })), 400, /other-package/);
      });

      it('refuses a tarball whose package.json has another version', async () => {
        const doc = body(packageBuilder(OWNED, '1.1.0'), r.url);
        const other = packageBuilder(OWNED, '9.9.9').tarball();
        await refuses(publish(OWNED, swapTarball(doc, other, { fixDigests: true })), 400, /9\.9\.9/);
      });

      const badNames: [string, string][] = [
        ['upper case in a new name', 'NewPackage'],
        ['upper case in a new scoped name', '@acme/NewThing'],
        ['a leading dot', '.hidden'],
        ['a name that is ".." inside a scope', '@acme/..'],
        ['a leading underscore', '_private'],
        ['a space', 'has space'],
        ['a percent sign', 'per%cent'],
        ['more than 214 characters', 'a'.repeat(215)],
      ];
      for (const [what, name] of badNames) {
        it(`refuses to create a package whose name has ${what}`, async () => {
          const doc = body(packageBuilder(name, '1.0.0'), r.url);
          const request = { ...publish(name, doc), url: `/${encodeURIComponent(name)}` };
          await refuses(request, 400, /name/, [OWNED, SCOPED, name]);
        });
      }

      it('refuses a path of ".." without touching anything', async () => {
        const before = await traceOf(r, [OWNED, SCOPED]);
        const res = await r.inject({ ...publish('..', body(packageBuilder('..', '1.0.0'), r.url)), url: '/..' });
        expect(res.statusCode).toBeGreaterThanOrEqual(400);
        expect(res.statusCode).toBeLessThan(500);
        expect(await traceOf(r, [OWNED, SCOPED])).toEqual(before);
      });

      for (const version of ['1.0', 'v1.1.0', '1.1.0.0', '01.1.0', 'latest', '1.1.0 ']) {
        it(`refuses the invalid version "${version}"`, async () => {
          const doc = body(packageBuilder(OWNED, version), r.url);
          await refuses(publish(OWNED, doc), 400, /semver/);
        });
      }

      it('refuses a document with two versions at once', async () => {
        const doc = body(packageBuilder(OWNED, '1.1.0'), r.url);
        doc.versions['1.2.0'] = { ...onlyVersion(doc), version: '1.2.0' };
        await refuses(publish(OWNED, doc), 400, /one version/);
      });

      it('refuses a dist-tag that is a version range', async () => {
        await refuses(publish(OWNED, body(packageBuilder(OWNED, '1.1.0'), r.url, { tag: '1.x' })), 400, /range/);
        await refuses(publish(OWNED, body(packageBuilder(OWNED, '1.1.0'), r.url, { tag: '^1.0.0' })), 400, /dist-tag/);
      });
    });

    describe('document shape', () => {
      it('refuses malformed JSON', async () => {
        await refuses(
          {
            method: 'PUT',
            url: `/${OWNED}`,
            headers: { ...bearer(alice.token), 'content-type': 'application/json' },
            payload: '{"name": "owned", ',
          },
          400,
          /JSON/,
        );
      });

      it('refuses a body that is not a JSON object', async () => {
        await refuses(
          {
            method: 'PUT',
            url: `/${OWNED}`,
            headers: { ...bearer(alice.token), 'content-type': 'application/json' },
            payload: '["owned"]',
          },
          400,
        );
      });

      it('refuses a publish of a new package without _attachments', async () => {
        const doc = body(packageBuilder('no-tarball', '1.0.0'), r.url);
        delete doc._attachments;
        await refuses(publish('no-tarball', doc), 400, /_attachments/, [OWNED, SCOPED, 'no-tarball']);
      });

      it('refuses a new version of an existing package without _attachments', async () => {
        const doc = body(packageBuilder(OWNED, '1.1.0'), r.url);
        delete doc._attachments;
        await refuses(publish(OWNED, doc), 400, /_attachments/);
      });

      it('refuses an attachment with no data', async () => {
        const doc = body(packageBuilder(OWNED, '1.1.0'), r.url);
        const key = Object.keys(doc._attachments!)[0]!;
        doc._attachments = { [key]: { data: '', length: 0 } };
        await refuses(publish(OWNED, doc), 400, /data/);
      });
    });

    describe('manifest confusion', () => {
      const cases: [string, (doc: VersionDoc) => void][] = [
        ['hides a dependency the tarball declares', (v) => delete v.dependencies],
        ['declares another range than the tarball', (v) => (v.dependencies = { 'left-pad': '^2.0.0' })],
        ['adds a dependency the tarball does not have', (v) => (v.dependencies = { 'left-pad': '^1.0.0', extra: '1.0.0' })],
        ['declares an optional dependency the tarball does not have', (v) => (v.optionalDependencies = { 'left-pad': '^1.0.0' })],
      ];
      for (const [what, edit] of cases) {
        it(`refuses a publish document that ${what}`, async () => {
          const doc = body(packageBuilder(OWNED, '1.1.0').dependency('left-pad', '^1.0.0'), r.url);
          edit(onlyVersion(doc));
          await refuses(publish(OWNED, doc), 400, /ependencies/);
        });
      }

      it('names the dependency that differs: a git dependency on another repository', async () => {
        const doc = body(packageBuilder(OWNED, '1.1.0').dependency('from-git', 'user/repo'), r.url);
        onlyVersion(doc).dependencies = { 'from-git': 'github:user/other' };
        await refuses(
          publish(OWNED, doc),
          400,
          /"from-git" is "user\/repo" in the tarball but "github:user\/other".*npm pkg fix/,
        );
        onlyVersion(doc).dependencies = { 'from-git': 'github:user/repo#evil-branch' };
        await refuses(publish(OWNED, doc), 400, /"from-git"/);
      });

      it('accepts a git shorthand that npm normalised in the document, and serves the document form', async () => {
        // npm 12 sends "user/repo" as "github:user/repo" but packs package.json as written: the same repository.
        const name = 'git-shorthand';
        const doc = body(packageBuilder(name, '1.0.0').dependency('from-git', 'user/repo#v1.2.3'), r.url);
        onlyVersion(doc).dependencies = { 'from-git': 'github:user/repo#v1.2.3' };
        const res = await r.inject(publish(name, doc));
        expect(res.statusCode, res.body).toBe(201);
        const served = await r.inject({ method: 'GET', url: `/${name}` });
        const versions = served.json<{ versions: Record<string, VersionDoc> }>().versions;
        expect(versions['1.0.0']!.dependencies).toEqual({ 'from-git': 'github:user/repo#v1.2.3' });
      });
    });

    describe('who may write', () => {
      it("refuses a new version of someone else's package", async () => {
        await refuses(publish(OWNED, body(packageBuilder(OWNED, '1.1.0'), r.url), bob.token), 403, /maintainer/);
      });

      it("refuses a new package in someone else's scope", async () => {
        const name = '@acme/intruder';
        await refuses(publish(name, body(packageBuilder(name, '1.0.0'), r.url), bob.token), 403, /scope/, [OWNED, SCOPED, name]);
      });

      async function revOf(name: string): Promise<string> {
        const res = await r.inject({ method: 'GET', url: `/${escaped(name)}?write=true` });
        return res.json<{ _rev: string }>()._rev;
      }

      async function writes(token: string | null) {
        const headers = { ...(token === null ? {} : bearer(token)), 'content-type': 'application/json' };
        const doc = (await r.inject({ method: 'GET', url: `/${OWNED}?write=true` })).json<PublishBody>();
        const deprecated = structuredClone(doc);
        deprecated.versions['1.0.0']!.deprecated = 'do not use';
        const withoutVersion = structuredClone(doc);
        delete withoutVersion.versions['1.0.0'];
        const rev = await revOf(OWNED);
        return [
          ['publish', publish(OWNED, body(packageBuilder(OWNED, '1.1.0'), r.url), token)],
          ['dist-tag add', { method: 'PUT', url: `/-/package/${OWNED}/dist-tags/next`, headers, payload: '"1.0.0"' }],
          ['dist-tag rm', { method: 'DELETE', url: `/-/package/${OWNED}/dist-tags/beta`, headers }],
          ['deprecate', { method: 'PUT', url: `/${OWNED}`, headers, payload: JSON.stringify(deprecated) }],
          [
            'unpublish a version (PUT without it)',
            { method: 'PUT', url: `/${OWNED}/-rev/${rev}`, headers, payload: JSON.stringify(withoutVersion) },
          ],
          ['unpublish a tarball', { method: 'DELETE', url: `/${OWNED}/-/${OWNED}-1.0.0.tgz/-rev/${rev}`, headers }],
          ['unpublish the package', { method: 'DELETE', url: `/${OWNED}/-rev/${rev}`, headers }],
          [
            'owner add',
            {
              method: 'PUT',
              url: `/${OWNED}/-rev/${rev}`,
              headers,
              payload: JSON.stringify({
                _id: OWNED,
                _rev: rev,
                maintainers: [
                  { name: 'alice', email: 'alice@example.com' },
                  { name: 'bob', email: 'bob@example.com' },
                ],
              }),
            },
          ],
        ] as const;
      }

      it('refuses every kind of write without a token, with 401 and a login hint', async () => {
        for (const [what, request] of await writes(null)) {
          const res = await refuses(request, 401);
          expect(res.headers['www-authenticate'], what).toBeDefined();
          expect(res.json<{ error: string }>().error, what).toMatch(/log(ged)? ?in/i);
        }
      });

      it("refuses every kind of write with a read-only token, even the owner's", async () => {
        for (const [what, request] of await writes(aliceReadonly)) {
          const res = await refuses(request, 403, /read-only/);
          expect(res.statusCode, what).toBe(403);
        }
      });

      it('refuses a star (a document write the registry does not keep) without a token', async () => {
        const doc = { _id: OWNED, _rev: await revOf(OWNED), users: { anonymous: true } };
        const res = await refuses(
          { method: 'PUT', url: `/${OWNED}`, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(doc) },
          401,
        );
        expect(res.headers['www-authenticate']).toBeDefined();
      });

      it('still serves reads to a read-only token', async () => {
        const res = await r.inject({ method: 'GET', url: `/${OWNED}`, headers: bearer(aliceReadonly) });
        expect(res.statusCode).toBe(200);
      });
    });

    describe('bad credentials', () => {
      const reads = [
        `/${OWNED}`,
        `/${OWNED}/1.0.0`,
        `/${OWNED}/-/${OWNED}-1.0.0.tgz`,
        `/-/package/${OWNED}/dist-tags`,
        '/-/v1/search?text=owned',
        '/-/whoami',
      ];

      async function refusedEverywhere(authorization: string) {
        for (const url of reads) {
          const before = await traceOf(r, [OWNED, SCOPED]);
          const res = await r.inject({ method: 'GET', url, headers: { authorization } });
          expect(res.statusCode, `${url} with ${authorization.slice(0, 12)}`).toBe(401);
          expect(res.headers['www-authenticate']).toBeDefined();
          expect(await traceOf(r, [OWNED, SCOPED])).toEqual(before);
        }
      }

      it('answers 401 to a token that does not exist, even on reads', async () => {
        await refusedEverywhere(`Bearer ${generateToken()}`);
        await refusedEverywhere('Bearer not-a-gatehouse-token');
      });

      it('answers 401 to a password sent as Basic auth', async () => {
        await refusedEverywhere(`Basic ${Buffer.from(`alice:${alice.password}`).toString('base64')}`);
      });

      it('answers 401 to a revoked token at once, even on reads', async () => {
        const carol = await quickUser(r, 'carol');
        const ok = await r.inject({ method: 'GET', url: `/${OWNED}`, headers: bearer(carol.token) });
        expect(ok.statusCode).toBe(200);
        const logout = await r.inject({ method: 'DELETE', url: `/-/user/token/${carol.token}`, headers: bearer(carol.token) });
        expect(logout.statusCode).toBe(200);
        await refusedEverywhere(`Bearer ${carol.token}`);
      });

      it('still serves anonymous reads', async () => {
        const res = await r.inject({ method: 'GET', url: `/${OWNED}` });
        expect(res.statusCode).toBe(200);
      });
    });
  });
}
