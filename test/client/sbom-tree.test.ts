// `gatehouse sbom` for a real tree: packages published to a test Gatehouse (one with build
// provenance from the local Sigstore), installed by the stock npm, which writes the lockfile; the
// compiled CLI then writes both formats, validated against the official schemas, with purls,
// hashes, licenses, edges and trust verdicts checked for known packages. Build dist/ first.
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import type { TestRegistry } from '../support/registry.js';
import { packageBuilder, type PackageBuilder } from '../fixtures/package-builder.js';
import { published } from '../support/npm-protocol.js';
import { assertBuilt } from '../reliability/server-process.js';
import { createWorkspace, installCommand, removeWorkspace, runOk, skipWithout, type Workspace } from '../e2e/clients.js';
import { provenanceRegistry, publishWithProvenance } from './trust-fixtures.js';
import { gatehouse, osvFolder, removeDir } from './fixtures/world.js';
import { CVSS, osvRecord } from '../fixtures/osv.js';
import { cycloneDxErrors, spdxErrors } from './sbom-schemas.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- reading documents in asserts

const pkg = (name: string, version: string, license: string, deps: Record<string, string> = {}) => {
  const b = packageBuilder(name, version).packageJson({ license }).file('index.js', `module.exports = '${name}';\n`);
  for (const [dep, range] of Object.entries(deps)) b.dependency(dep, range);
  return b;
};
const hex = (b: PackageBuilder) => createHash('sha512').update(b.tarball()).digest('hex');

for (const engine of ENGINES) {
  describe.skipIf(skipWithout('npm11'))(`gatehouse sbom for a tree npm installed (${engine})`, () => {
    let r: TestRegistry;
    let ws: Workspace;
    let root: string;
    let osvDir: string | undefined;
    const core = pkg('@acme/sbom-core', '1.0.0', 'MIT', { 'sbom-leaf': '^1.0.0' });
    const leaf1 = pkg('sbom-leaf', '1.0.0', 'ISC');
    const leaf2 = pkg('sbom-leaf', '2.0.0', 'Apache-2.0');
    const mid = pkg('sbom-mid', '1.0.0', 'BSD-2-Clause', { 'sbom-leaf': '^2.0.0' });
    const devtool = pkg('sbom-devtool', '1.0.0', '(MIT OR Apache-2.0)');

    beforeAll(async () => {
      assertBuilt();
      const { sigstore, alice, ...made } = await provenanceRegistry(engine);
      ({ r, root } = made);
      await publishWithProvenance(r, alice, core, sigstore, 'acme/sbom-core');
      for (const b of [leaf1, leaf2, mid, devtool]) await published(r, alice, b);
      ws = await createWorkspace({ registry: r.url, client: 'npm11' });
      const manifest = {
        name: 'sbom-app',
        version: '1.2.3',
        private: true,
        main: 'index.js',
        dependencies: { '@acme/sbom-core': '^1.0.0', 'sbom-mid': '^1.0.0' },
        devDependencies: { 'sbom-devtool': '^1.0.0' },
      };
      await writeFile(join(ws.dir, 'package.json'), JSON.stringify(manifest, null, 2));
      // the app imports @acme/sbom-core only: sbom-mid is installed but never loaded
      await writeFile(join(ws.dir, 'index.js'), "require('@acme/sbom-core');\n");
      osvDir = await osvFolder([
        osvRecord({ id: 'GHSA-sbom-core-0001', name: '@acme/sbom-core', versions: ['1.0.0'], cvss: CVSS.high }),
        osvRecord({ id: 'GHSA-sbom-mid0-0002', name: 'sbom-mid', versions: ['1.0.0'], cvss: CVSS.moderate }),
      ]);
      await runOk('npm11', installCommand('npm11', false), ws);
    });
    afterAll(async () => {
      await removeDir(osvDir);
      if (ws) await removeWorkspace(ws);
      await r?.close();
    });

    async function sbom(format: string, ...extra: string[]): Promise<Json> {
      const out = join(ws.dir, `bom-${format}-${extra.length}.json`);
      const result = await gatehouse(['sbom', '--format', format, '--trusted-root', root, '-o', out, ...extra], ws);
      expect(result.code, result.stderr).toBe(0);
      return JSON.parse(await readFile(out, 'utf8')) as Json;
    }

    it('CycloneDX: valid, every installed version with purl, sha512, license, edges and trust verdicts', async () => {
      const bom = await sbom('cyclonedx');
      expect(cycloneDxErrors(bom)).toEqual([]);
      const byPurl = new Map<string, Json>(bom.components.map((c: Json) => [c.purl, c]));
      expect([...byPurl.keys()].sort()).toEqual([
        'pkg:npm/%40acme/sbom-core@1.0.0',
        'pkg:npm/sbom-devtool@1.0.0',
        'pkg:npm/sbom-leaf@1.0.0',
        'pkg:npm/sbom-leaf@2.0.0',
        'pkg:npm/sbom-mid@1.0.0',
      ]);
      for (const [b, purl] of [
        [core, 'pkg:npm/%40acme/sbom-core@1.0.0'],
        [leaf2, 'pkg:npm/sbom-leaf@2.0.0'],
      ] as const)
        expect(byPurl.get(purl)!.hashes).toEqual([{ alg: 'SHA-512', content: hex(b) }]);
      expect(byPurl.get('pkg:npm/sbom-leaf@1.0.0')!.licenses).toEqual([{ expression: 'ISC' }]);
      expect(byPurl.get('pkg:npm/sbom-devtool@1.0.0')!.licenses).toEqual([{ expression: '(MIT OR Apache-2.0)' }]);
      const deps = new Map<string, string[]>(bom.dependencies.map((d: Json) => [d.ref, d.dependsOn]));
      expect(deps.get('pkg:npm/sbom-app@1.2.3')).toEqual([
        'pkg:npm/%40acme/sbom-core@1.0.0',
        'pkg:npm/sbom-devtool@1.0.0',
        'pkg:npm/sbom-mid@1.0.0',
      ]);
      expect(deps.get('pkg:npm/%40acme/sbom-core@1.0.0')).toEqual(['pkg:npm/sbom-leaf@1.0.0']);
      expect(deps.get('pkg:npm/sbom-mid@1.0.0')).toEqual(['pkg:npm/sbom-leaf@2.0.0']);
      const props = (purl: string) =>
        Object.fromEntries(byPurl.get(purl)!.properties.map((p: Json) => [p.name, p.value])) as Record<string, string>;
      expect(props('pkg:npm/%40acme/sbom-core@1.0.0')).toMatchObject({
        'gatehouse:registry-signature': 'verified',
        'gatehouse:provenance': 'verified',
        'gatehouse:provenance:source-repository': 'https://github.com/acme/sbom-core',
      });
      expect(props('pkg:npm/sbom-leaf@2.0.0')).toMatchObject({
        'gatehouse:registry-signature': 'verified',
        'gatehouse:provenance': 'absent',
      });
    });

    it('SPDX: valid, with purls, checksums, declared licenses and DEPENDS_ON edges; --omit dev drops the dev tool', async () => {
      const doc = await sbom('spdx', '--omit', 'dev');
      expect(spdxErrors(doc)).toEqual([]);
      const byName = (name: string, version: string) =>
        doc.packages.find((p: Json) => p.name === name && p.versionInfo === version) as Json;
      expect(byName('sbom-devtool', '1.0.0')).toBeUndefined();
      const coreDoc = byName('@acme/sbom-core', '1.0.0');
      expect(coreDoc.externalRefs[0].referenceLocator).toBe('pkg:npm/%40acme/sbom-core@1.0.0');
      expect(coreDoc.checksums).toEqual([{ algorithm: 'SHA512', checksumValue: hex(core) }]);
      expect(coreDoc.licenseDeclared).toBe('MIT');
      expect(coreDoc.sourceInfo).toContain('https://github.com/acme/sbom-core');
      expect(coreDoc.annotations[0].comment).toContain('registry signature: verified; provenance: verified');
      expect(doc.relationships).toContainEqual({
        spdxElementId: byName('sbom-mid', '1.0.0').SPDXID,
        relationshipType: 'DEPENDS_ON',
        relatedSpdxElement: byName('sbom-leaf', '2.0.0').SPDXID,
      });
    });

    it('--vex --reachability: the imported vulnerable package is exploitable, the one never loaded not_affected', async () => {
      const bom = await sbom('cyclonedx', '--vex', '--osv', osvDir!, '--reachability');
      expect(cycloneDxErrors(bom)).toEqual([]);
      const vex = new Map<string, Json>(bom.vulnerabilities.map((v: Json) => [v.id, v]));
      expect(vex.get('GHSA-sbom-core-0001')).toMatchObject({
        ratings: [{ severity: 'high' }],
        affects: [{ ref: 'pkg:npm/%40acme/sbom-core@1.0.0' }],
        analysis: { state: 'exploitable' },
      });
      expect(vex.get('GHSA-sbom-mid0-0002')).toMatchObject({
        ratings: [{ severity: 'medium' }],
        affects: [{ ref: 'pkg:npm/sbom-mid@1.0.0' }],
        analysis: { state: 'not_affected', justification: 'code_not_reachable' },
      });
      const spdx = await sbom('spdx', '--vex', '--osv', osvDir!);
      expect(spdxErrors(spdx)).toEqual([]);
      const mid = spdx.packages.find((p: Json) => p.name === 'sbom-mid') as Json;
      expect(mid.externalRefs).toContainEqual(
        expect.objectContaining({ referenceCategory: 'SECURITY', referenceType: 'advisory' }),
      );
    });
  });
}
