// Tarballs through a real publish, on both engines: real `npm pack` downloads the old inspector
// refused are accepted and served byte for byte; every crafted ambiguous archive is refused with
// its code and leaves no trace; an implicit node-gyp build counts as an install script.

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../../support/registry.js';
import { packageBuilder } from '../../fixtures/package-builder.js';
import { REFUSED } from '../../fixtures/tar-cases.js';
import { publishTarball, traceOf } from '../../fixtures/tar-publish.js';
import { nodeTarView } from '../../fixtures/tar-views.js';

const REAL = [
  { file: 'types-estree-1.0.10.tgz', name: '@types/estree', version: '1.0.10' },
  { file: 'types-cors-2.8.19.tgz', name: '@types/cors', version: '2.8.19' },
  { file: 'busboy-1.6.0.tgz', name: 'busboy', version: '1.6.0' },
  { file: 'streamsearch-1.1.0.tgz', name: 'streamsearch', version: '1.1.0' },
  { file: 'webpack-cli-5.1.4.tgz', name: 'webpack-cli', version: '5.1.4' },
  // package.json says 0.0.1+e078aa…; npm publishes it as 0.0.1 (semver.clean drops build metadata).
  { file: 'prisma-engines-version-0.0.1.tgz', name: '@prisma/engines-version', version: '0.0.1' },
];

const realTarball = (file: string): Buffer => readFileSync(new URL(`../../fixtures/tarballs/${file}`, import.meta.url));

interface VersionDoc {
  hasInstallScript?: boolean;
  dist: { fileCount: number; unpackedSize: number; tarball: string };
}

for (const engine of ENGINES) {
  describe(`publishing tarballs clients would install (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;

    beforeAll(async () => {
      // Real packages under their own names, which the protected list holds: the typosquatting
      // check is not what this tests (test/http/typosquatting.test.ts is), so it is off here.
      r = await startRegistry(engine, { config: { typosquatPolicy: 'off' } });
      alice = await r.createUser('alice');
    });
    afterAll(() => r.close());

    async function versionDoc(name: string, version: string): Promise<VersionDoc> {
      const res = await r.inject({ method: 'GET', url: `/${name.replace('/', '%2f')}` });
      expect(res.statusCode).toBe(200);
      return res.json<{ versions: Record<string, VersionDoc> }>().versions[version]!;
    }

    for (const real of REAL) {
      it(`accepts ${real.name}@${real.version} as npm packed it and serves it byte for byte`, async () => {
        const tgz = realTarball(real.file);
        const view = await nodeTarView(tgz);
        const packageJson = JSON.parse(view.packageJson!) as Record<string, unknown>;
        const put = await publishTarball(r, alice, tgz, { ...packageJson, version: real.version });
        expect(put.statusCode, put.body).toBe(201);
        const doc = await versionDoc(real.name, real.version);
        const files = view.entries.filter((e) => e.type === 'file');
        expect(doc.dist.fileCount).toBe(files.length);
        expect(doc.dist.unpackedSize).toBe(files.reduce((sum, e) => sum + e.size, 0));
        const served = await r.inject({ method: 'GET', url: new URL(doc.dist.tarball).pathname });
        expect(served.statusCode).toBe(200);
        expect(served.rawPayload.equals(tgz)).toBe(true);
      });
    }

    it('counts the last of duplicate entries only, as clients extract webpack-cli@5.1.4', async () => {
      // npm pack lists 17 entries and 110,451 bytes: lib/index.js (200 bytes) is in the archive twice.
      const doc = await versionDoc('webpack-cli', '5.1.4');
      expect(doc.dist).toMatchObject({ fileCount: 16, unpackedSize: 110_251 });
    });

    for (const crafted of REFUSED) {
      it(`refuses ${crafted.what} and leaves no trace`, async () => {
        const before = await traceOf(r, 'crafted');
        const put = await publishTarball(r, alice, crafted.tgz, { name: 'crafted', version: '1.0.0' });
        expect(put.statusCode, put.body).toBe(400);
        expect(put.json<{ code: string }>().code).toBe(crafted.code);
        expect(await traceOf(r, 'crafted')).toEqual(before);
      });
    }

    const gyp = [
      ['a top-level binding.gyp and no install script', packageBuilder('gyp-plain', '1.0.0').file('binding.gyp', '{}'), true],
      [
        'a binding.gyp and "gypfile": false',
        packageBuilder('gyp-off', '1.0.0').file('binding.gyp', '{}').packageJson({ gypfile: false }),
        false,
      ],
      ['a binding.gyp only in a subfolder', packageBuilder('gyp-nested', '1.0.0').file('deps/binding.gyp', '{}'), false],
    ] as const;
    for (const [what, builder, flagged] of gyp) {
      it(`${flagged ? 'flags' : 'does not flag'} an install script for ${what}`, async () => {
        expect((await r.publish(alice, builder)).statusCode).toBe(201);
        expect((await versionDoc(builder.name, '1.0.0')).hasInstallScript).toBe(flagged ? true : undefined);
      });
    }
  });
}
