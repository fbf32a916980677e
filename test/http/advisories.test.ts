// OSV advisories imported from files, folders and zips, then answered as npm's audit endpoints
// answer (the bulk POST npm gzips; pnpm 10's legacy quick audit), shown on package pages (the
// version's own and its dependencies'), and looked up for MAL- records. Malformed records are
// skipped with their file and reason while the rest are imported; bad audit bodies change nothing.
import { gzipSync } from 'node:zlib';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { packageBuilder } from '../fixtures/package-builder.js';
import { CVSS, osvRecord } from '../fixtures/osv.js';
import { zipOf } from '../fixtures/zip.js';
import { isEvent } from '../../src/domain/events/store.js';

const LEFT = osvRecord({
  id: 'GHSA-2x3p-9q4w-7r6m',
  name: 'adv-left',
  events: [{ introduced: '0' }, { fixed: '1.0.1' }],
  cvss: CVSS.high,
  aliases: ['CVE-2026-10001'],
  summary: 'Prototype pollution in adv-left',
});
const DEEP = osvRecord({
  id: 'GHSA-5c6v-h8j2-k3l4',
  name: 'adv-deep',
  events: [{ introduced: '2.0.0' }, { fixed: '2.3.0' }],
  cvss: CVSS.critical,
  summary: 'Command injection in adv-deep',
});
const MAL = osvRecord({
  id: 'MAL-2026-4242',
  name: 'adv-evil',
  versions: ['6.6.6'],
  summary: 'Malicious code in adv-evil (npm)',
});

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'gatehouse-osv-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

async function files(name: string, content: Record<string, unknown>): Promise<string> {
  const dir = join(folder, name);
  for (const [file, value] of Object.entries(content)) {
    await mkdir(join(dir, file, '..'), { recursive: true });
    await writeFile(join(dir, file), typeof value === 'string' ? value : JSON.stringify(value));
  }
  return dir;
}

for (const engine of ENGINES) {
  describe(`vulnerability advisories (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    const importPath = (path: string) => r.registry.advisories.importFrom(path);

    beforeAll(async () => {
      r = await startRegistry(engine);
      alice = await r.createUser('alice');
      for (const v of ['1.0.0', '1.0.1']) expect((await r.publish(alice, packageBuilder('adv-left', v))).statusCode).toBe(201);
      for (const v of ['2.2.0', '2.3.0']) expect((await r.publish(alice, packageBuilder('adv-deep', v))).statusCode).toBe(201);
      const app = packageBuilder('adv-app', '1.0.0').dependency('adv-left', '1.0.0').dependency('adv-deep', '~2.2.0');
      expect((await r.publish(alice, app)).statusCode).toBe(201);
    });
    afterAll(async () => {
      await r.close();
    });

    it('imports a folder, skipping malformed records with their file and reason', async () => {
      const dir = await files(`folder-${engine}`, {
        'a/GHSA-2x3p-9q4w-7r6m.json': LEFT,
        'b/list.json': [DEEP, { id: 'GHSA-bad', modified: 'never' }],
        'c/broken.json': '{"id": "GHSA-cut',
        'c/MAL-2026-4242.json': MAL,
        'd/readme.txt': 'not a record',
      });
      const summary = await importPath(dir);
      expect(summary).toMatchObject({ read: 5, added: 3, updated: 0, withdrawn: 0 });
      expect(summary.errors.map((e) => e.file).sort()).toEqual(['b/list.json[1]', 'c/broken.json']);
      expect(summary.errors.find((e) => e.file === 'b/list.json[1]')).toMatchObject({
        id: 'GHSA-bad',
        reason: expect.stringMatching(/modified/),
      });
      const events = (await r.registry.store.events.since(0, 1000)).filter(isEvent('advisories.imported'));
      expect(events.at(-1)?.data).toEqual({ source: `folder-${engine}`, added: 3, updated: 0, withdrawn: 0 });
    });

    it("answers npm's gzipped bulk audit with the advisories affecting the sent versions", async () => {
      const body = gzipSync(JSON.stringify({ 'adv-left': ['1.0.0'], 'adv-deep': ['2.3.0'], 'not-here': ['1.0.0'] }));
      const res = await r.inject({
        method: 'POST',
        url: '/-/npm/v1/security/advisories/bulk',
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        payload: body,
      });
      expect(res.statusCode, res.body).toBe(200);
      const answer = res.json();
      expect(Object.keys(answer)).toEqual(['adv-left']);
      expect(answer['adv-left']).toEqual([
        expect.objectContaining({
          id: expect.any(Number),
          title: 'Prototype pollution in adv-left',
          severity: 'high',
          vulnerable_versions: '<1.0.1',
          url: 'https://example.invalid/advisories/GHSA-2x3p-9q4w-7r6m',
          cwe: ['CWE-400'],
          cvss: { score: 7.5, vectorString: CVSS.high },
        }),
      ]);
      // pnpm 11+ sends the same body uncompressed
      const plain = await r.inject({
        method: 'POST',
        url: '/-/npm/v1/security/advisories/bulk',
        payload: { 'adv-deep': ['2.2.0'] },
      });
      expect(plain.json()['adv-deep'][0]).toMatchObject({ severity: 'critical', vulnerable_versions: '>=2.0.0 <2.3.0' });
    });

    it("answers pnpm 10's quick audit with findings, patched versions and counts", async () => {
      const tree = {
        dependencies: {
          '.': {
            version: '0.0.0',
            dependencies: {
              'adv-left': { version: '1.0.0' },
              'adv-mid': { version: '1.0.0', dependencies: { 'adv-deep': { version: '2.2.0' } } },
            },
          },
        },
      };
      const res = await r.inject({ method: 'POST', url: '/-/npm/v1/security/audits/quick', payload: tree });
      expect(res.statusCode, res.body).toBe(200);
      const report = res.json();
      const advisories = Object.values(report.advisories) as Record<string, unknown>[];
      expect(advisories).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            module_name: 'adv-left',
            severity: 'high',
            vulnerable_versions: '<1.0.1',
            patched_versions: '>=1.0.1',
            github_advisory_id: 'GHSA-2x3p-9q4w-7r6m',
            cves: ['CVE-2026-10001'],
            findings: [{ version: '1.0.0', paths: ['.>adv-left'] }],
          }),
          expect.objectContaining({
            module_name: 'adv-deep',
            patched_versions: '>=2.3.0',
            findings: [{ version: '2.2.0', paths: ['.>adv-mid>adv-deep'] }],
          }),
        ]),
      );
      expect(report.metadata.vulnerabilities).toEqual({ info: 0, low: 0, moderate: 0, high: 1, critical: 1 });
    });

    it("shows the version's own advisories and its dependencies' on the package pages", async () => {
      const page = await r.inject({ method: 'GET', url: '/package/adv-left/v/1.0.0', headers: { accept: 'text/html' } });
      expect(page.statusCode).toBe(200);
      const section = page.body.slice(page.body.indexOf('Known vulnerabilities'));
      expect(section).toContain('GHSA-2x3p-9q4w-7r6m');
      expect(section).toContain('Prototype pollution in adv-left');
      expect(section).toContain('Fixed in 1.0.1.');
      const fixed = await r.inject({ method: 'GET', url: '/package/adv-left', headers: { accept: 'text/html' } });
      expect(fixed.body).toContain('No known vulnerabilities affect 1.0.1.');
      const app = await r.inject({ method: 'GET', url: '/package/adv-app', headers: { accept: 'text/html' } });
      // adv-left@1.0.0 (pinned) and adv-deep ~2.2.0, resolved to 2.2.0, the highest this registry has in range
      expect(app.body).toContain('adv-left@1.0.0');
      expect(app.body).toContain('adv-deep@2.2.0');
      expect(app.body).toContain('GHSA-5c6v-h8j2-k3l4');
      expect(app.body).toContain('Fixed in 2.3.0.');
    });

    it('resolves a dependency only as the reader sees the registry: a private one stays unseen', async () => {
      const secret = packageBuilder('@alice/adv-private', '1.0.0');
      expect((await r.publish(alice, secret, { access: 'restricted' })).statusCode).toBe(201);
      expect(
        (await r.publish(alice, packageBuilder('adv-public-app', '1.0.0').dependency('@alice/adv-private', '^1.0.0'))).statusCode,
      ).toBe(201);
      const dir = await files(`private-${engine}`, {
        'GHSA-8p2r-6t4y-z1x9.json': osvRecord({
          id: 'GHSA-8p2r-6t4y-z1x9',
          name: '@alice/adv-private',
          events: [{ introduced: '0' }],
        }),
      });
      expect((await importPath(dir)).added).toBe(1);
      const page = (headers: Record<string, string>) =>
        r.inject({ method: 'GET', url: '/package/adv-public-app', headers: { accept: 'text/html', ...headers } });
      const anonymous = await page({});
      expect(anonymous.statusCode).toBe(200);
      expect(anonymous.body).not.toContain('GHSA-8p2r-6t4y-z1x9');
      expect(anonymous.body).not.toContain('@alice/adv-private@1.0.0');
      const owner = await page({ authorization: `Bearer ${alice.token}` });
      expect(owner.body).toContain('@alice/adv-private@1.0.0');
      expect(owner.body).toContain('GHSA-8p2r-6t4y-z1x9');
      expect(owner.body).toContain('No fixed version is known.');
    });

    it('finds MAL- records for the malware scanner', async () => {
      expect(await r.registry.advisories.isMalicious('adv-evil', '6.6.6')).toMatchObject({ id: 'MAL-2026-4242', range: '6.6.6' });
      expect(await r.registry.advisories.isMalicious('adv-evil', '6.6.7')).toBeUndefined();
      expect(await r.registry.advisories.isMalicious('adv-left', '1.0.0')).toBeUndefined();
      const [record] = await r.registry.advisories.maliciousVersions('adv-evil');
      expect((record?.record as { id: string }).id).toBe('MAL-2026-4242');
    });

    it('updates from a newer copy, ignores an older one and drops withdrawn records from every answer', async () => {
      const newer = {
        ...LEFT,
        modified: '2026-02-01T00:00:00Z',
        affected: osvRecord({ id: 'x', name: 'adv-left', events: [{ introduced: '0' }, { fixed: '1.0.2' }] }).affected,
      };
      const older = { ...DEEP, modified: '2025-06-01T00:00:00Z', summary: 'stale' };
      const withdrawn = { ...MAL, modified: '2026-03-01T00:00:00Z', withdrawn: '2026-03-01T00:00:00Z' };
      const idOf = async () =>
        (
          await r.inject({ method: 'POST', url: '/-/npm/v1/security/advisories/bulk', payload: { 'adv-left': ['1.0.0'] } })
        ).json()['adv-left'][0].id;
      const idBefore = await idOf();
      const zip = join(folder, `all-${engine}.zip`);
      await writeFile(
        zip,
        zipOf({
          'GHSA-2x3p-9q4w-7r6m.json': JSON.stringify(newer),
          'GHSA-5c6v-h8j2-k3l4.json': JSON.stringify(older),
          'MAL-2026-4242.json': JSON.stringify(withdrawn),
          'GHSA-garbage.json': 'not json',
        }),
      );
      const summary = await importPath(zip);
      expect(summary).toMatchObject({ read: 4, added: 0, updated: 1, unchanged: 1, withdrawn: 1 });
      expect(summary.errors).toEqual([expect.objectContaining({ file: `all-${engine}.zip:GHSA-garbage.json` })]);
      const bulk = await r.inject({
        method: 'POST',
        url: '/-/npm/v1/security/advisories/bulk',
        payload: { 'adv-left': ['1.0.1'], 'adv-evil': ['6.6.6'], 'adv-deep': ['2.2.0'] },
      });
      const answer = bulk.json();
      expect(answer['adv-left'][0].vulnerable_versions).toBe('<1.0.2');
      expect(answer['adv-deep'][0].title).toBe('Command injection in adv-deep');
      expect(answer['adv-evil']).toBeUndefined();
      expect(await r.registry.advisories.isMalicious('adv-evil', '6.6.6')).toBeUndefined();
      // the same numeric id as before the update: npm caches advisories by it
      expect(await idOf()).toBe(idBefore);
      expect((await importPath(zip)).updated).toBe(0);
    });

    it('refuses malformed audit bodies with AuditRequestInvalid and changes nothing', async () => {
      const before = await r.registry.store.events.latestSeq();
      const cases = [
        { payload: '[1,2', headers: { 'content-type': 'application/json' } },
        { payload: JSON.stringify(['adv-left']), headers: { 'content-type': 'application/json' } },
        { payload: JSON.stringify({ 'adv-left': '1.0.0' }), headers: { 'content-type': 'application/json' } },
        { payload: Buffer.from('not gzip at all'), headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } },
        { payload: 'x', headers: { 'content-type': 'application/json', 'content-encoding': 'br' } },
      ];
      for (const c of cases) {
        const res = await r.inject({ method: 'POST', url: '/-/npm/v1/security/advisories/bulk', ...c });
        expect(res.statusCode, res.body).toBe(400);
        expect(res.json().code).toBe('AuditRequestInvalid');
      }
      const quick = await r.inject({
        method: 'POST',
        url: '/-/npm/v1/security/audits/quick',
        payload: { dependencies: { a: 'x' } },
      });
      expect(quick.json().code).toBe('AuditRequestInvalid');
      const bomb = gzipSync(Buffer.alloc(80 * 1024 * 1024, 0x20));
      const tooBig = await r.inject({
        method: 'POST',
        url: '/-/npm/v1/security/advisories/bulk',
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        payload: bomb,
      });
      expect(tooBig.json().code).toBe('BodyTooLarge');
      expect(await r.registry.store.events.latestSeq()).toBe(before);
    });
  });

  describe(`MAL- advisories at publish (${engine})`, () => {
    it('refuses a version an imported MAL- advisory names, and nothing of it is stored', async () => {
      const r = await startRegistry(engine);
      try {
        const root = await r.createUser('root', { admin: true });
        const alice = await r.createUser('alice');
        const mal = osvRecord({ id: 'MAL-2026-7001', name: 'adv-evil-thing', versions: ['2.0.0'] });
        const imported = await r.inject({
          method: 'POST',
          url: '/-/gatehouse/v1/admin/advisories',
          payload: [mal],
          headers: { authorization: `Bearer ${root.token}` },
        });
        expect(imported.statusCode, imported.body).toBe(200);
        const pkg = (v: string) => packageBuilder('adv-evil-thing', v).file('index.js', `// ${v}\n`);
        expect((await r.publish(alice, pkg('1.0.0'))).statusCode).toBe(201);
        const refused = await r.publish(alice, pkg('2.0.0'));
        expect(refused.statusCode).toBe(403);
        expect(refused.json<{ code: string; error: string }>()).toMatchObject({
          code: 'PublishBlockedByScan',
          error: expect.stringContaining('MAL-2026-7001'),
        });
        const doc = await r.inject({ method: 'GET', url: '/adv-evil-thing' });
        expect(Object.keys(doc.json<{ versions: object }>().versions)).toEqual(['1.0.0']);
      } finally {
        await r.close();
      }
    });
  });

  describe(`the admin import endpoint (${engine})`, () => {
    it('imports posted records for an administrator and refuses everyone else', async () => {
      const r = await startRegistry(engine);
      try {
        const root = await r.createUser('root', { admin: true });
        const rootReadOnly = await r.createUser('root2', { admin: true, readonly: true });
        const bob = await r.createUser('bob');
        const url = '/-/gatehouse/v1/admin/advisories';
        const payload = [LEFT, { id: 'GHSA-x' }];
        const before = await r.registry.store.events.latestSeq();
        for (const [who, code] of [
          [undefined, 'Unauthenticated'],
          [bob, 'Forbidden'],
          [rootReadOnly, 'TokenReadOnly'],
        ] as const) {
          const headers = who ? { authorization: `Bearer ${who.token}` } : undefined;
          const refused = await r.inject({ method: 'POST', url, payload, headers });
          expect(refused.json().code).toBe(code);
        }
        expect(await r.registry.store.events.latestSeq()).toBe(before);
        expect(await r.registry.advisories.count()).toBe(0);
        const res = await r.inject({ method: 'POST', url, payload, headers: { authorization: `Bearer ${root.token}` } });
        expect(res.statusCode, res.body).toBe(200);
        expect(res.json()).toMatchObject({
          read: 2,
          added: 1,
          errors: [{ file: 'body[1]', id: 'GHSA-x', reason: expect.stringMatching(/modified/) }],
        });
        expect(await r.registry.advisories.forVersion('adv-left', '1.0.0')).toEqual([
          expect.objectContaining({ id: 'GHSA-2x3p-9q4w-7r6m', fixedIn: '1.0.1' }),
        ]);
      } finally {
        await r.close();
      }
    });
  });

  describe(`audits on a registry without anonymous reads (${engine})`, () => {
    it('needs a token to audit, as it needs one to read', async () => {
      const r = await startRegistry(engine, { config: { anonymousReads: false } });
      try {
        const alice = await r.createUser('alice');
        const url = '/-/npm/v1/security/advisories/bulk';
        const anonymous = await r.inject({ method: 'POST', url, payload: { a: ['1.0.0'] } });
        expect(anonymous.statusCode).toBe(401);
        expect(anonymous.json().code).toBe('Unauthenticated');
        const signedIn = await r.inject({
          method: 'POST',
          url,
          payload: { a: ['1.0.0'] },
          headers: { authorization: `Bearer ${alice.token}` },
        });
        expect(signedIn.statusCode).toBe(200);
        expect(signedIn.json()).toEqual({});
      } finally {
        await r.close();
      }
    });
  });
}
