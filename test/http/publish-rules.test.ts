// The rules a publish must pass beyond its shape: legacy names (administrators only), fields
// installers act on served from the tarball, exact versions, every declared digest, JSON depth,
// prototype keys, size caps, and the revision on a whole-package DELETE. Refusals leave no trace.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { packageBuilder, type PackageBuilder } from '../fixtures/package-builder.js';
import { isEvent } from '../../src/domain/events/store.js';

type Doc = Record<string, unknown> & { versions: Record<string, Record<string, unknown>> };

const escaped = (name: string) => name.replace('/', '%2f');
const bearer = (user: TestUser) => ({ authorization: `Bearer ${user.token}` });
const versionOf = (doc: Doc) => Object.values(doc.versions)[0]!;
const sri = (algorithm: string, bytes: Buffer) => `${algorithm}-${createHash(algorithm).update(bytes).digest('base64')}`;

/** `nest(3)` is [[[1]]]: JSON nested that many levels. */
function nest(levels: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < levels; i += 1) value = [value];
  return value;
}

function blobCount(r: TestRegistry): number {
  const root = join(r.registry.config.dataDir, 'blobs');
  if (!existsSync(root)) return 0;
  return readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length;
}

async function trace(r: TestRegistry, name: string) {
  const doc = await r.inject({ method: 'GET', url: `/${escaped(name)}` });
  const events = (await r.registry.store.events.since(0, 1000)).map((e) => `${e.seq} ${e.type}`);
  return { doc: `${doc.statusCode} ${doc.body}`, events, blobs: blobCount(r) };
}

for (const engine of ENGINES) {
  describe(`publish rules (${engine})`, () => {
    let r: TestRegistry;
    let admin: TestUser;
    let alice: TestUser;

    beforeAll(async () => {
      r = await startRegistry(engine, { config: { maxManifestBytes: 64 * 1024, maxReadmeBytes: 2000 } });
      admin = await r.createUser('root', { admin: true });
      alice = await r.createUser('alice');
    });
    afterAll(() => r.close());

    function put(user: TestUser, name: string, payload: unknown): Promise<LightMyRequestResponse> {
      const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
      return r.inject({
        method: 'PUT',
        url: `/${escaped(name)}`,
        headers: { ...bearer(user), 'content-type': 'application/json' },
        payload: body,
      });
    }

    const bodyOf = (builder: PackageBuilder) => builder.publishBody(r.url) as Doc;

    /** Sends the publish and checks it was refused with `status` and `code`, leaving nothing behind. */
    async function refused(user: TestUser, name: string, payload: unknown, status: number, code: string) {
      const before = await trace(r, name);
      const res = await put(user, name, payload);
      expect(res.statusCode, res.body).toBe(status);
      expect(res.json<{ code: string }>().code).toBe(code);
      expect(await trace(r, name)).toEqual(before);
    }

    async function served(name: string, version: string): Promise<Record<string, unknown>> {
      const res = await r.inject({ method: 'GET', url: `/${escaped(name)}` });
      expect(res.statusCode).toBe(200);
      return (res.json<Doc>().versions[version] ?? {}) as Record<string, unknown>;
    }

    describe('names valid only for old packages', () => {
      for (const name of ['events', 'punycode', 'string_decoder', 'JSONStream']) {
        it(`refuses "${name}" to a maintainer, with the reason`, async () => {
          await refused(alice, name, bodyOf(packageBuilder(name, '1.0.0')), 400, 'InvalidPackageName');
        });
      }

      it('lets an administrator publish one, warns in the answer and records it in the event', async () => {
        for (const name of ['events', 'JSONStream']) {
          const res = await put(admin, name, bodyOf(packageBuilder(name, '1.0.0')));
          expect(res.statusCode, res.body).toBe(201);
          const answer = res.json<{ ok: boolean; warnings?: string[] }>();
          expect(answer.ok).toBe(true);
          expect(answer.warnings).toHaveLength(1);
          const events = await r.registry.store.events.since(0, 1000);
          const event = events.filter(isEvent('package.published')).find((e) => e.packageName === name);
          expect(event?.data.legacyName).toEqual(expect.arrayContaining([expect.any(String)]));
          expect((await served(name, '1.0.0')).version).toBe('1.0.0');
        }
      });
    });

    describe('fields installers act on come from the tarball', () => {
      it('serves bin, os, cpu, engines, license, bundled and optional dependencies from package.json', async () => {
        const builder = packageBuilder('@acme/tool', '1.0.0')
          .dependency('left-pad', '^1.0.0')
          .file('cli.js', '#!/usr/bin/env node\n')
          .file('npm-shrinkwrap.json', '{"lockfileVersion":3}')
          .packageJson({
            bin: './cli.js',
            os: ['linux'],
            cpu: ['x64'],
            engines: { node: '>=20' },
            license: 'MIT',
            bundleDependencies: true,
            peerDependenciesMeta: { react: { optional: true } },
            optionalDependencies: { fsevents: '^2.0.0' },
          });
        const body = bodyOf(builder);
        // The document lies about everything the tarball says.
        Object.assign(versionOf(body), {
          bin: { innocent: 'x.js' },
          os: ['darwin'],
          cpu: ['arm64'],
          engines: { node: '*' },
          license: 'Apache-2.0',
          bundleDependencies: [],
          bundledDependencies: ['other'],
          peerDependenciesMeta: {},
          _hasShrinkwrap: false,
        });
        const res = await put(alice, builder.name, body);
        expect(res.statusCode, res.body).toBe(201);
        const doc = await served(builder.name, '1.0.0');
        expect(doc.bin).toEqual({ tool: 'cli.js' });
        expect(doc.os).toEqual(['linux']);
        expect(doc.cpu).toEqual(['x64']);
        expect(doc.engines).toEqual({ node: '>=20' });
        expect(doc.license).toBe('MIT');
        expect(doc.bundleDependencies).toEqual(['left-pad']);
        expect(doc.bundledDependencies).toBeUndefined();
        expect(doc.peerDependenciesMeta).toEqual({ react: { optional: true } });
        expect(doc.optionalDependencies).toEqual({ fsevents: '^2.0.0' });
        expect(doc._hasShrinkwrap).toBe(true);
      });

      it('serves no bin and no shrinkwrap flag that the tarball does not have', async () => {
        const builder = packageBuilder('plain-lib', '1.0.0');
        const body = bodyOf(builder);
        Object.assign(versionOf(body), { bin: { rm: 'evil.js' }, _hasShrinkwrap: true, os: ['linux'] });
        expect((await put(alice, builder.name, body)).statusCode).toBe(201);
        const doc = await served(builder.name, '1.0.0');
        expect(doc.bin).toBeUndefined();
        expect(doc._hasShrinkwrap).toBeUndefined();
        expect(doc.os).toBeUndefined();
      });
    });

    it('never lets a publish pass for an import: a sent "_imported" mark is dropped', async () => {
      const builder = packageBuilder('fake-history', '1.0.0');
      const body = bodyOf(builder);
      versionOf(body)._imported = { from: 'http://old.invalid/', at: '2010-01-01T00:00:00.000Z' };
      expect((await put(alice, builder.name, body)).statusCode).toBe(201);
      expect((await served(builder.name, '1.0.0'))._imported).toBeUndefined();
    });

    it('refuses a tarball whose version only loosely equals the published one', async () => {
      for (const inner of ['v1.0.1', ' =1.0.1 ', '=1.0.1', '1.0.1 ', 'v1.0.1+build', '1.0.1+', '1.0.1-pre+build']) {
        const builder = packageBuilder('loose', '1.0.1').rawPackageJson(JSON.stringify({ name: 'loose', version: inner }));
        await refused(alice, 'loose', bodyOf(builder), 400, 'ManifestMismatch');
      }
    });

    it('accepts build metadata in the tarball, which npm strips from the version it publishes', async () => {
      const builder = packageBuilder('built', '1.0.1').rawPackageJson(
        JSON.stringify({ name: 'built', version: '1.0.1+sha.e078aa7' }),
      );
      const res = await put(alice, 'built', bodyOf(builder));
      expect(res.statusCode, res.body).toBe(201);
    });

    describe('every declared digest is checked', () => {
      for (const algorithm of ['sha256', 'sha384']) {
        it(`refuses a wrong ${algorithm} beside a correct sha512`, async () => {
          const builder = packageBuilder(`digest-${algorithm}`, '1.0.0');
          const body = bodyOf(builder);
          const dist = versionOf(body).dist as Record<string, string>;
          dist.integrity = `${dist.integrity} ${sri(algorithm, Buffer.from('other bytes'))}`;
          await refused(alice, builder.name, body, 400, 'IntegrityMismatch');
        });

        it(`accepts a correct ${algorithm} as the only digest`, async () => {
          const builder = packageBuilder(`only-${algorithm}`, '1.0.0');
          const body = bodyOf(builder);
          versionOf(body).dist = { integrity: sri(algorithm, builder.tarball()) };
          const res = await put(alice, builder.name, body);
          expect(res.statusCode, res.body).toBe(201);
        });
      }
    });

    describe('deeply nested JSON', () => {
      // Written as text: building 5000 levels as objects would overflow JSON.stringify here too.
      const deep = `${'['.repeat(5000)}1${']'.repeat(5000)}`;

      it('refuses a publish document nested deeper than 64 levels', async () => {
        const builder = packageBuilder('deep-doc', '1.0.0');
        const text = JSON.stringify(bodyOf(builder)).replace('"version":"1.0.0",', `"version":"1.0.0","config":${deep},`);
        await refused(alice, builder.name, text, 400, 'ManifestTooDeep');
      });

      it('refuses a tarball whose package.json is nested deeper than 64 levels', async () => {
        // The document itself is shallow: only the tarball's package.json is deep.
        const builder = packageBuilder('deep-tarball', '1.0.0').rawPackageJson(
          `{"name":"deep-tarball","version":"1.0.0","config":${deep}}`,
        );
        await refused(alice, builder.name, bodyOf(builder), 400, 'ManifestTooDeep');
      });

      it('accepts nesting within the limit', async () => {
        const builder = packageBuilder('shallow', '1.0.0').packageJson({ config: nest(50) });
        expect((await put(alice, builder.name, bodyOf(builder))).statusCode).toBe(201);
      });
    });

    it('drops __proto__ and constructor keys at any depth, from the document and the tarball', async () => {
      const builder = packageBuilder('proto-keys', '1.0.0');
      const poison = '{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}},"kept":1}';
      const engines = `{"node":">=20","__proto__":{"polluted":true}}`;
      const packageJson = `{"name":"proto-keys","version":"1.0.0","engines":${engines},"config":${poison}}`;
      builder.rawPackageJson(packageJson);
      const text = JSON.stringify(bodyOf(builder)).replace('"version":"1.0.0",', `"version":"1.0.0","config":${poison},`);
      const res = await put(alice, builder.name, text);
      expect(res.statusCode, res.body).toBe(201);
      const read = await r.inject({ method: 'GET', url: '/proto-keys' });
      expect(read.body).not.toContain('__proto__');
      expect(read.body).not.toContain('"constructor"');
      const doc = await served(builder.name, '1.0.0');
      expect(doc.config).toEqual({ kept: 1 });
      expect(doc.engines).toEqual({ node: '>=20' });
    });

    describe('size caps', () => {
      it('refuses a version document over maxManifestBytes with 413', async () => {
        const builder = packageBuilder('huge-manifest', '1.0.0').packageJson({ description: 'x'.repeat(70 * 1024) });
        await refused(alice, builder.name, bodyOf(builder), 413, 'ManifestTooLarge');
      });

      it('cuts a README over maxReadmeBytes, says so, and warns in the answer', async () => {
        const builder = packageBuilder('long-readme', '1.0.0').readme(`# Long\n${'é'.repeat(5000)}`);
        const res = await put(alice, builder.name, bodyOf(builder));
        expect(res.statusCode, res.body).toBe(201);
        expect(res.json<{ warnings?: string[] }>().warnings).toHaveLength(1);
        const doc = (await r.inject({ method: 'GET', url: '/long-readme' })).json<{ readme: string }>();
        expect(doc.readme.startsWith('# Long\néé')).toBe(true);
        expect(doc.readme).toContain('truncated');
        expect(doc.readme).not.toContain('\uFFFD');
        expect(Buffer.byteLength(doc.readme)).toBeLessThan(2000 + 200);
      });
    });

    describe('whole-package DELETE checks the revision', () => {
      it('refuses a stale revision with 409 and removes nothing; the current one removes the package', async () => {
        const builder = packageBuilder('doomed', '1.0.0');
        expect((await put(alice, builder.name, bodyOf(builder))).statusCode).toBe(201);
        const stale = (await r.inject({ method: 'GET', url: '/doomed' })).json<{ _rev: string }>()._rev;
        expect((await put(alice, builder.name, bodyOf(packageBuilder('doomed', '1.0.1')))).statusCode).toBe(201);
        const before = await trace(r, 'doomed');
        const res = await r.inject({ method: 'DELETE', url: `/doomed/-rev/${stale}`, headers: bearer(alice) });
        expect(res.statusCode, res.body).toBe(409);
        expect(res.json<{ code: string }>().code).toBe('Conflict');
        expect(await trace(r, 'doomed')).toEqual(before);
        const current = (await r.inject({ method: 'GET', url: '/doomed' })).json<{ _rev: string }>()._rev;
        const ok = await r.inject({ method: 'DELETE', url: `/doomed/-rev/${current}`, headers: bearer(alice) });
        expect(ok.statusCode, ok.body).toBe(200);
        expect((await r.inject({ method: 'GET', url: '/doomed' })).statusCode).toBe(404);
      });
    });
  });
}
