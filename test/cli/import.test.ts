// `gatehouse import` from a folder in Verdaccio's layout and from a real second Gatehouse on
// 127.0.0.1, into both engines: original times and exact bytes kept, dist-tags and deprecations
// carried, one event per version, idempotent re-runs, conflicts reported, tampered tarballs refused.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { packageBuilder, type PackageBuilder } from '../fixtures/package-builder.js';
import { runImport, type ImportOptions } from '../../src/cli/import.js';
import type { Sha512Hex } from '../../src/domain/packages/blobs.js';
import { createWorkspace, removeWorkspace, runOk } from '../e2e/clients.js';
import { writeConsumer } from '../e2e/fixtures/projects.js';

interface Packument {
  'dist-tags': Record<string, string>;
  time: Record<string, string>;
  maintainers: { name: string }[];
  versions: Record<
    string,
    {
      deprecated?: string;
      _imported?: { from: string };
      dist: { tarball: string; integrity: string; signatures?: { keyid: string }[] };
    }
  >;
}

const sha512 = (bytes: Buffer) => `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
const sha1 = (bytes: Buffer) => createHash('sha1').update(bytes).digest('hex');

/** Writes `<dir>/<name>/package.json` and its tarballs as Verdaccio stores them. */
function verdaccioPackage(
  dir: string,
  builders: PackageBuilder[],
  opts: {
    time: Record<string, string>;
    distTags: Record<string, string>;
    deprecated?: Record<string, string>;
    bytes?: Record<string, Buffer>;
  },
): void {
  const name = builders[0]!.name;
  const folder = join(dir, name);
  mkdirSync(folder, { recursive: true });
  const versions: Record<string, unknown> = {};
  for (const b of builders) {
    const tgz = b.tarball();
    const file = `${name.split('/').pop()}-${b.version}.tgz`;
    writeFileSync(join(folder, file), opts.bytes?.[b.version] ?? tgz);
    versions[b.version] = {
      ...b.manifest(),
      ...(opts.deprecated?.[b.version] && { deprecated: opts.deprecated[b.version] }),
      dist: { integrity: sha512(tgz), shasum: sha1(tgz), tarball: `http://verdaccio.invalid/${name}/-/${file}` },
    };
  }
  const packument = { name, versions, time: opts.time, 'dist-tags': opts.distTags, _uplinks: {}, _attachments: {} };
  writeFileSync(join(folder, 'package.json'), JSON.stringify(packument));
}

for (const engine of ENGINES) {
  describe(`gatehouse import (${engine} destination)`, () => {
    const lines: string[] = [];
    const quiet = (line: string) => lines.push(line);
    let r: TestRegistry;
    let folder: string;
    const builders = {
      a100: packageBuilder('old-lib', '1.0.0').readme('# old-lib'),
      a110: packageBuilder('old-lib', '1.1.0').readme('# old-lib 1.1'),
      scoped: packageBuilder('@acme/tool', '2.0.0'),
      legacy: packageBuilder('JSONStream', '1.3.5'),
      tampered: packageBuilder('tampered', '1.0.0'),
    };
    const tamperedBytes = packageBuilder('tampered', '1.0.0').file('evil.js', 'pwned').tarball();
    const TIME = {
      created: '2015-03-01T10:00:00.000Z',
      '1.0.0': '2015-03-01T10:00:00.000Z',
      '1.1.0': '2016-07-04T12:30:00.000Z',
    };

    beforeAll(async () => {
      r = await startRegistry(engine, { listen: true });
      await r.createUser('root', { admin: true });
      folder = mkdtempSync(join(tmpdir(), 'gatehouse-import-'));
      verdaccioPackage(folder, [builders.a100, builders.a110], {
        time: TIME,
        distTags: { latest: '1.1.0', legacy: '1.0.0' },
        deprecated: { '1.0.0': 'use 1.1' },
      });
      verdaccioPackage(folder, [builders.scoped], {
        // In the future: clamped to the import's own time.
        time: { '2.0.0': '2999-01-01T00:00:00.000Z' },
        distTags: { latest: '2.0.0' },
      });
      verdaccioPackage(folder, [builders.legacy], {
        time: { '1.3.5': '2013-01-01T00:00:00.000Z' },
        distTags: { latest: '1.3.5' },
      });
      verdaccioPackage(folder, [builders.tampered], {
        time: { '1.0.0': '2020-01-01T00:00:00.000Z' },
        distTags: { latest: '1.0.0' },
        bytes: { '1.0.0': tamperedBytes },
      });
    });
    afterAll(async () => {
      await r.close();
      rmSync(folder, { recursive: true, force: true });
    });

    const importFrom = (opts: Partial<ImportOptions>) =>
      runImport(
        { owner: 'root', names: [], ...opts },
        { dataDir: r.registry.config.dataDir, databaseUrl: r.registry.config.databaseUrl },
        undefined,
        quiet,
      );

    async function packument(name: string): Promise<Packument> {
      r.registry.packages.packuments.clear();
      const res = await r.inject({ method: 'GET', url: `/${name.replace('/', '%2f')}` });
      expect(res.statusCode, res.body).toBe(200);
      return res.json<Packument>();
    }

    async function servedBytes(url: string): Promise<Buffer> {
      const res = await r.inject({ method: 'GET', url: new URL(url).pathname });
      expect(res.statusCode).toBe(200);
      return res.rawPayload;
    }

    it('imports a Verdaccio folder: times, bytes, dist-tags, deprecations, owner, one event per version', async () => {
      const summary = await importFrom({ fromDir: folder });
      expect(summary.imported).toBe(4);
      expect(summary.failed).toBe(1);
      const old = await packument('old-lib');
      expect(old.time['1.0.0']).toBe(TIME['1.0.0']);
      expect(old.time['1.1.0']).toBe(TIME['1.1.0']);
      expect(old.time.created).toBe(TIME.created);
      expect(old['dist-tags']).toEqual({ latest: '1.1.0', legacy: '1.0.0' });
      expect(old.versions['1.0.0']!.deprecated).toBe('use 1.1');
      expect(old.versions['1.1.0']!.deprecated).toBeUndefined();
      expect(old.versions['1.1.0']!._imported?.from).toBe(`folder:${folder}`);
      expect(old.maintainers.map((m) => m.name)).toEqual(['root']);
      for (const b of [builders.a100, builders.a110]) {
        expect((await servedBytes(old.versions[b.version]!.dist.tarball)).equals(b.tarball())).toBe(true);
      }
      // Signed by this registry at import, like a publish (docs/signatures.md).
      const [key] = (await r.inject({ method: 'GET', url: '/-/npm/v1/keys' })).json().keys as { keyid: string }[];
      expect(old.versions['1.0.0']!.dist.signatures?.map((s) => s.keyid)).toEqual([key!.keyid]);
      const scoped = await packument('@acme/tool');
      expect(Date.parse(scoped.time['2.0.0']!)).toBeLessThanOrEqual(Date.now());
      expect((await packument('JSONStream')).time['1.3.5']).toBe('2013-01-01T00:00:00.000Z');

      const events = (await r.registry.store.events.since(0, 1000)).filter((e) => e.type === 'version.imported');
      expect(events.map((e) => `${e.packageName}@${e.version}`).sort()).toEqual([
        '@acme/tool@2.0.0',
        'JSONStream@1.3.5',
        'old-lib@1.0.0',
        'old-lib@1.1.0',
      ]);
      expect(events.find((e) => e.packageName === 'JSONStream')?.data.legacyName).toBeDefined();
    });

    it('refuses a tarball that does not match its integrity and stores nothing of that version', async () => {
      const res = await r.inject({ method: 'GET', url: '/tampered' });
      expect(res.statusCode).toBe(404);
      expect((await r.registry.store.events.since(0, 1000)).some((e) => e.packageName === 'tampered')).toBe(false);
      expect(lines.some((line) => /tampered@1\.0\.0: refused: .*IntegrityMismatch/.test(line))).toBe(true);
      const blob = createHash('sha512').update(tamperedBytes).digest('hex') as Sha512Hex;
      expect(await r.registry.blobs.has(blob)).toBe(false);
    });

    it('is idempotent: a second run skips every version and writes no event', async () => {
      const before = await r.registry.store.events.latestSeq();
      const summary = await importFrom({ fromDir: folder, names: ['old-lib', '@acme/tool', 'JSONStream'] });
      expect(summary).toMatchObject({ imported: 0, skipped: 4, failed: 0 });
      expect(await r.registry.store.events.latestSeq()).toBe(before);
    });

    it('reports a conflict when a version is already here with other contents', async () => {
      const other = mkdtempSync(join(tmpdir(), 'gatehouse-import-'));
      try {
        verdaccioPackage(other, [packageBuilder('old-lib', '1.0.0').file('changed.js', '1')], {
          time: TIME,
          distTags: { latest: '1.0.0' },
        });
        const summary = await importFrom({ fromDir: other });
        expect(summary.packages[0]!.outcomes).toEqual([{ version: '1.0.0', status: 'conflict', reason: expect.any(String) }]);
        const old = await packument('old-lib');
        expect((await servedBytes(old.versions['1.0.0']!.dist.tarball)).equals(builders.a100.tarball())).toBe(true);
      } finally {
        rmSync(other, { recursive: true, force: true });
      }
    });

    describe('from a real second Gatehouse', () => {
      let source: TestRegistry;
      let alice: TestUser;
      const remote = [
        packageBuilder('remote-lib', '1.0.0'),
        packageBuilder('remote-lib', '1.0.1'),
        packageBuilder('@remote/app', '0.1.0'),
      ];

      beforeAll(async () => {
        source = await startRegistry('sqlite', { listen: true });
        alice = await source.createUser('alice');
        for (const b of remote) expect((await source.publish(alice, b)).statusCode).toBe(201);
      });
      afterAll(() => source.close());

      it('imports by name with a token, keeping times and bytes; npm 11 installs the result', async () => {
        const summary = await importFrom({ from: `${source.url}/`, names: ['remote-lib', '@remote/app'], token: alice.token });
        expect(summary).toMatchObject({ imported: 3, failed: 0 });
        for (const name of ['remote-lib', '@remote/app']) {
          const theirs = (await (await fetch(`${source.url}/${name.replace('/', '%2f')}`)).json()) as Packument;
          const ours = await packument(name);
          for (const v of Object.keys(theirs.versions)) {
            expect(ours.time[v]).toBe(theirs.time[v]);
            expect(ours.versions[v]!.dist.integrity).toBe(theirs.versions[v]!.dist.integrity);
            const bytes = Buffer.from(await (await fetch(theirs.versions[v]!.dist.tarball)).arrayBuffer());
            expect((await servedBytes(ours.versions[v]!.dist.tarball)).equals(bytes)).toBe(true);
          }
          expect(ours['dist-tags']).toEqual(theirs['dist-tags']);
        }
        expect(lines.join('\n')).not.toContain(alice.token);

        const ws = await createWorkspace({ registry: r.url, client: 'npm11' });
        try {
          await writeConsumer(ws.dir, { 'remote-lib': '^1.0.0', '@remote/app': '0.1.0', 'old-lib': '1.1.0' });
          await runOk('npm11', ['install'], ws);
          const lock = JSON.parse(readFileSync(join(ws.dir, 'package-lock.json'), 'utf8')) as {
            packages: Record<string, { version: string }>;
          };
          expect(lock.packages['node_modules/remote-lib']?.version).toBe('1.0.1');
          expect(lock.packages['node_modules/@remote/app']?.version).toBe('0.1.0');
          expect(lock.packages['node_modules/old-lib']?.version).toBe('1.1.0');
        } finally {
          await removeWorkspace(ws);
        }
      });
    });
  });
}
