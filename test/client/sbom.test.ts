// `gatehouse sbom` over a lockfile built here (npm's v3 shape: a nested duplicate, a scoped
// package, dev-only packages, a license only installed package.json knows, a free-text license):
// both formats validate against the official schemas and carry purls, sha512 hashes, licenses,
// the edges Node's lookup resolves, trust verdicts and VEX from constructed findings.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { command } from '../../src/client/sbom/command.js';
import { buildTree, lookupPaths } from '../../src/client/sbom/tree.js';
import { toCycloneDx } from '../../src/client/sbom/cyclonedx.js';
import { toSpdx } from '../../src/client/sbom/spdx.js';
import type { SbomInput, VulnerabilityInput } from '../../src/client/sbom/document.js';
import type { TrustVerdict } from '../../src/client/trust/index.js';
import { readLockfile } from '../../src/client/lockfile.js';
import { ClientError } from '../../src/client/errors.js';
import { fromAuditFindings } from '../../src/client/sbom/findings.js';
import type { Finding } from '../../src/client/audit/index.js';
import { cycloneDxErrors, spdxErrors } from './sbom-schemas.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- reading documents in asserts

const integrity = (seed: string) => `sha512-${createHash('sha512').update(seed).digest('base64')}`;
const hexOf = (seed: string) => createHash('sha512').update(seed).digest('hex');
const tarball = (name: string, version: string) => `https://registry.example/${name}/-/${name.split('/').pop()}-${version}.tgz`;

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-sbom-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function entry(name: string, version: string, extra: Record<string, unknown> = {}) {
  return { version, resolved: tarball(name, version), integrity: integrity(`${name}@${version}`), ...extra };
}

const LOCK = {
  name: 'app',
  version: '1.0.0',
  lockfileVersion: 3,
  requires: true,
  packages: {
    '': {
      name: 'app',
      version: '1.0.0',
      dependencies: { a: '^1.0.0', '@s/b': '^2.0.0' },
      optionalDependencies: { 'not-installed': '^1.0.0' },
      devDependencies: { d: '^1.0.0' },
    },
    'node_modules/a': entry('a', '1.0.0', { license: 'MIT', dependencies: { c: '^2.0.0' } }),
    'node_modules/a/node_modules/c': entry('c', '2.0.0', { license: '(MIT OR Apache-2.0)' }),
    'node_modules/c': entry('c', '1.0.0'),
    'node_modules/@s/b': entry('@s/b', '2.0.0', { license: 'SEE LICENSE IN LICENSE.md', dependencies: { c: '^1.0.0' } }),
    'node_modules/d': entry('d', '1.0.0', { dev: true, license: 'ISC', dependencies: { c: '^1.0.0', e: '1.0.0' } }),
    'node_modules/d/node_modules/e': entry('e', '1.0.0', { dev: true, license: 'BSD-3-Clause' }),
  },
};
writeFileSync(join(dir, 'package-lock.json'), JSON.stringify(LOCK, null, 2));
// c@1.0.0's lockfile entry has no license; its installed package.json does (the deprecated object form).
mkdirSync(join(dir, 'node_modules', 'c'), { recursive: true });
writeFileSync(
  join(dir, 'node_modules', 'c', 'package.json'),
  JSON.stringify({ name: 'c', version: '1.0.0', license: { type: 'ISC' } }),
);

const TRUST = new Map<string, TrustVerdict>([
  ['a@1.0.0', { signature: 'verified', provenance: 'verified', sourceRepository: 'https://github.com/acme/a' }],
  ['@s/b@2.0.0', { signature: 'verified', provenance: 'absent' }],
  ['c@1.0.0', { signature: 'invalid', provenance: 'absent', detail: 'the signature does not cover c@1.0.0' }],
]);
const FINDINGS: VulnerabilityInput[] = [
  { id: 'GHSA-aaaa-bbbb-cccc', package: 'a', version: '1.0.0', severity: 'high', fixedIn: '1.0.1', reachable: true },
  { id: 'GHSA-dddd-eeee-ffff', package: 'c', version: '2.0.0', severity: 'moderate', reachable: false },
  { id: 'OSV-2026-1', package: '@s/b', version: '2.0.0', severity: 'low' },
];

function input(extra: Partial<SbomInput> = {}, omit: ('dev' | 'optional' | 'peer')[] = []): SbomInput {
  const tree = buildTree(readLockfile(dir)!, { projectDir: dir, omit });
  return { tree, trust: TRUST, vulnerabilities: FINDINGS, reproducible: { epochSeconds: 1_700_000_000 }, ...extra };
}

describe('the lockfile tree', () => {
  it("resolves a dependency as Node does: the nearest node_modules up the package's install path", () => {
    expect(lookupPaths('node_modules/a/node_modules/b', 'c')).toEqual([
      'node_modules/a/node_modules/b/node_modules/c',
      'node_modules/a/node_modules/c',
      'node_modules/c',
    ]);
    expect(lookupPaths('packages/web', '@s/x')).toEqual(['packages/web/node_modules/@s/x', 'node_modules/@s/x']);
    expect(lookupPaths('', 'a')).toEqual(['node_modules/a']);
  });
});

describe('CycloneDX 1.6', () => {
  const bom = toCycloneDx(input()) as Json;
  const byPurl = (purl: string) => bom.components.find((c: Json) => c.purl === purl);

  it('is valid against the official schema', () => {
    expect(cycloneDxErrors(bom)).toEqual([]);
    expect(bom.specVersion).toBe('1.6');
  });

  it('lists each installed version once with its purl, sha512 as hex and license', () => {
    expect(bom.components.map((c: Json) => c.purl)).toEqual([
      'pkg:npm/%40s/b@2.0.0',
      'pkg:npm/a@1.0.0',
      'pkg:npm/c@1.0.0',
      'pkg:npm/c@2.0.0',
      'pkg:npm/d@1.0.0',
      'pkg:npm/e@1.0.0',
    ]);
    const b = byPurl('pkg:npm/%40s/b@2.0.0');
    expect(b).toMatchObject({ group: '@s', name: 'b', version: '2.0.0', scope: 'required' });
    expect(b.hashes).toEqual([{ alg: 'SHA-512', content: hexOf('@s/b@2.0.0') }]);
    expect(b.licenses).toEqual([{ license: { name: 'SEE LICENSE IN LICENSE.md' } }]);
    expect(byPurl('pkg:npm/c@2.0.0').licenses).toEqual([{ expression: '(MIT OR Apache-2.0)' }]);
    expect(byPurl('pkg:npm/c@1.0.0').licenses).toEqual([{ expression: 'ISC' }]);
    expect(byPurl('pkg:npm/d@1.0.0').scope).toBe('excluded');
    expect(byPurl('pkg:npm/a@1.0.0').externalReferences).toContainEqual({ type: 'distribution', url: tarball('a', '1.0.0') });
  });

  it('has the dependency edges of the installed tree, the nested duplicate included', () => {
    const deps = Object.fromEntries(bom.dependencies.map((d: Json) => [d.ref, d.dependsOn]));
    expect(deps['pkg:npm/app@1.0.0']).toEqual(['pkg:npm/%40s/b@2.0.0', 'pkg:npm/a@1.0.0', 'pkg:npm/d@1.0.0']);
    expect(deps['pkg:npm/a@1.0.0']).toEqual(['pkg:npm/c@2.0.0']);
    expect(deps['pkg:npm/%40s/b@2.0.0']).toEqual(['pkg:npm/c@1.0.0']);
    expect(deps['pkg:npm/d@1.0.0']).toEqual(['pkg:npm/c@1.0.0', 'pkg:npm/e@1.0.0']);
    expect(deps['pkg:npm/c@1.0.0']).toEqual([]);
  });

  it('says per component whether its signature and provenance verified, and the source repository provenance names', () => {
    const a = byPurl('pkg:npm/a@1.0.0');
    const props = (c: Json) => Object.fromEntries(c.properties.map((p: Json) => [p.name, p.value]));
    expect(props(a)).toMatchObject({
      'gatehouse:registry-signature': 'verified',
      'gatehouse:provenance': 'verified',
      'gatehouse:provenance:source-repository': 'https://github.com/acme/a',
      'cdx:npm:package:path': 'node_modules/a',
    });
    expect(a.externalReferences).toContainEqual(expect.objectContaining({ type: 'vcs', url: 'https://github.com/acme/a' }));
    expect(props(byPurl('pkg:npm/c@1.0.0'))).toMatchObject({
      'gatehouse:registry-signature': 'invalid',
      'gatehouse:trust-detail': 'the signature does not cover c@1.0.0',
    });
    expect(props(byPurl('pkg:npm/e@1.0.0'))['gatehouse:registry-signature']).toBe('not-checked');
  });

  it('carries each known vulnerability as VEX with the reachability verdict', () => {
    const vex = Object.fromEntries(bom.vulnerabilities.map((v: Json) => [v.id, v]));
    expect(vex['GHSA-aaaa-bbbb-cccc']).toMatchObject({
      ratings: [{ severity: 'high' }],
      affects: [{ ref: 'pkg:npm/a@1.0.0' }],
      analysis: { state: 'exploitable' },
      recommendation: 'Upgrade a to 1.0.1 or later.',
    });
    expect(vex['GHSA-dddd-eeee-ffff']).toMatchObject({
      ratings: [{ severity: 'medium' }],
      analysis: { state: 'not_affected', justification: 'code_not_reachable' },
    });
    expect(vex['OSV-2026-1'].analysis.state).toBe('in_triage');
  });

  it('is the same document twice when reproducible, and gets a fresh serial number otherwise', () => {
    expect(JSON.stringify(toCycloneDx(input()))).toBe(JSON.stringify(bom));
    expect(bom.metadata.timestamp).toBe('2023-11-14T22:13:20Z');
    const a = toCycloneDx(input({ reproducible: undefined })) as Json;
    const b = toCycloneDx(input({ reproducible: undefined })) as Json;
    expect(a.serialNumber).not.toBe(b.serialNumber);
    expect(cycloneDxErrors(a)).toEqual([]);
  });

  it('--omit dev leaves out the dev-only packages and the edges to them', () => {
    const prod = toCycloneDx(input({}, ['dev'])) as Json;
    expect(cycloneDxErrors(prod)).toEqual([]);
    expect(prod.components.map((c: Json) => c.purl)).not.toContain('pkg:npm/d@1.0.0');
    expect(prod.components.map((c: Json) => c.purl)).not.toContain('pkg:npm/e@1.0.0');
    expect(prod.dependencies[0].dependsOn).toEqual(['pkg:npm/%40s/b@2.0.0', 'pkg:npm/a@1.0.0']);
  });
});

describe('SPDX 2.3', () => {
  const doc = toSpdx(input()) as Json;
  const pkg = (name: string, version: string) => doc.packages.find((p: Json) => p.name === name && p.versionInfo === version);
  const idOf = (name: string, version: string) => pkg(name, version).SPDXID as string;

  it('is valid against the official schema', () => {
    expect(spdxErrors(doc)).toEqual([]);
    expect(spdxErrors(toSpdx(input({ reproducible: undefined, trust: undefined, vulnerabilities: [] }, ['dev'])))).toEqual([]);
  });

  it('names each package by purl with its sha512 checksum and declared license (NOASSERTION when it is no SPDX expression)', () => {
    const b = pkg('@s/b', '2.0.0');
    expect(b.externalRefs).toContainEqual({
      referenceCategory: 'PACKAGE-MANAGER',
      referenceType: 'purl',
      referenceLocator: 'pkg:npm/%40s/b@2.0.0',
    });
    expect(b.checksums).toEqual([{ algorithm: 'SHA512', checksumValue: hexOf('@s/b@2.0.0') }]);
    expect(b.licenseDeclared).toBe('NOASSERTION');
    expect(pkg('a', '1.0.0').licenseDeclared).toBe('MIT');
    expect(pkg('c', '1.0.0').licenseDeclared).toBe('ISC');
    expect(pkg('a', '1.0.0').downloadLocation).toBe(tarball('a', '1.0.0'));
  });

  it('has the edges as relationships: DEPENDS_ON, and DEV_DEPENDENCY_OF from a dev dependency', () => {
    expect(doc.relationships).toContainEqual({
      spdxElementId: idOf('a', '1.0.0'),
      relationshipType: 'DEPENDS_ON',
      relatedSpdxElement: idOf('c', '2.0.0'),
    });
    expect(doc.relationships).toContainEqual({
      spdxElementId: idOf('d', '1.0.0'),
      relationshipType: 'DEV_DEPENDENCY_OF',
      relatedSpdxElement: 'SPDXRef-Package-root',
    });
    expect(doc.relationships).toContainEqual({
      spdxElementId: 'SPDXRef-DOCUMENT',
      relationshipType: 'DESCRIBES',
      relatedSpdxElement: 'SPDXRef-Package-root',
    });
  });

  it('annotates trust verdicts, names the provenance source repository, and references advisories with reachability', () => {
    const a = pkg('a', '1.0.0');
    expect(a.annotations[0].comment).toBe(
      'registry signature: verified; provenance: verified; source repository: https://github.com/acme/a',
    );
    expect(a.sourceInfo).toContain('https://github.com/acme/a');
    expect(a.externalRefs).toContainEqual(
      expect.objectContaining({
        referenceCategory: 'SECURITY',
        referenceType: 'advisory',
        referenceLocator: 'GHSA-aaaa-bbbb-cccc',
      }),
    );
    const c2 = pkg('c', '2.0.0').externalRefs.find((r: Json) => r.referenceCategory === 'SECURITY');
    expect(c2.comment).toContain('not reachable');
  });
});

describe('the sbom command', () => {
  const lockfile = join(dir, 'package-lock.json');

  it('writes the SBOM to --output, offline, and the same bytes again under SOURCE_DATE_EPOCH', async () => {
    const out = join(dir, 'bom.json');
    const findings = join(dir, 'findings.json');
    writeFileSync(findings, JSON.stringify(FINDINGS));
    const args = ['--format', 'cyclonedx', '--lockfile', lockfile, '--offline', '--reproducible', '--output', out];
    expect(await command.main([...args, '--vulnerabilities', findings])).toBe(0);
    const first = readFileSync(out, 'utf8');
    const bom = JSON.parse(first) as Json;
    expect(cycloneDxErrors(bom)).toEqual([]);
    expect(bom.vulnerabilities).toHaveLength(3);
    expect(await command.main([...args, '--vulnerabilities', findings])).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(first);
    expect(await command.main(['--format', 'spdx', '--lockfile', lockfile, '--offline', '--omit', 'dev', '-o', out])).toBe(0);
    expect(spdxErrors(JSON.parse(readFileSync(out, 'utf8')))).toEqual([]);
  });

  it('refuses a bad format, --omit value, findings file or missing lockfile with a one-line error and writes nothing', async () => {
    const out = join(dir, 'never.json');
    const bad = join(dir, 'bad-findings.json');
    writeFileSync(bad, JSON.stringify([{ id: 'X', package: 'a', version: '1.0.0', severity: 'severe' }]));
    const cases = [
      ['--format', 'swid', '--lockfile', lockfile, '--offline', '-o', out],
      ['--format', 'spdx', '--lockfile', lockfile, '--offline', '--omit', 'prod', '-o', out],
      ['--format', 'spdx', '--lockfile', lockfile, '--offline', '--vulnerabilities', bad, '-o', out],
      ['--format', 'spdx', '--lockfile', join(dir, 'nope', 'package-lock.json'), '--offline', '-o', out],
    ];
    for (const argv of cases) await expect(command.main(argv)).rejects.toBeInstanceOf(ClientError);
    expect(existsSync(out)).toBe(false);
  });
});

describe('findings from gatehouse audit', () => {
  const advisory = (id: string, severity: 'low' | 'moderate' | 'high' | 'critical', fixedVersion: string | null) => ({
    id,
    aliases: [],
    title: `title of ${id}`,
    severity,
    url: `https://example.invalid/${id}`,
    vulnerableVersions: '<9.0.0',
    fixedVersion,
  });
  const finding = (name: string, version: string, extra: Partial<Finding>): Finding => ({
    name,
    version,
    severity: 'high',
    paths: [`node_modules/${name}`],
    chains: [[name]],
    dev: false,
    advisories: [],
    fixVersion: null,
    ...extra,
  });

  it('become one VEX entry per advisory, with the reachability verdict and reason', () => {
    const vulnerabilities = fromAuditFindings([
      finding('a', '1.0.0', {
        advisories: [advisory('GHSA-1', 'high', '1.0.1'), advisory('GHSA-2', 'low', null)],
        fixVersion: '1.0.5',
        reachability: { verdict: 'reachable', chain: ['index.js'], reason: 'index.js imports a' },
      }),
      finding('c', '2.0.0', {
        advisories: [advisory('GHSA-3', 'moderate', null)],
        reachability: { verdict: 'not-reachable', reason: 'nothing imports c' },
      }),
      finding('@s/b', '2.0.0', { advisories: [advisory('GHSA-4', 'critical', '2.0.1')] }),
    ]);
    expect(vulnerabilities.map((v) => [v.id, v.fixedIn, v.reachable])).toEqual([
      ['GHSA-1', '1.0.1', true],
      ['GHSA-2', '1.0.5', true],
      ['GHSA-3', undefined, false],
      ['GHSA-4', '2.0.1', undefined],
    ]);
    const bom = toCycloneDx(input({ vulnerabilities })) as Json;
    expect(cycloneDxErrors(bom)).toEqual([]);
    const state = Object.fromEntries(bom.vulnerabilities.map((v: Json) => [v.id, v.analysis]));
    expect(state['GHSA-1']).toEqual({ state: 'exploitable', detail: 'index.js imports a' });
    expect(state['GHSA-3']).toEqual({ state: 'not_affected', justification: 'code_not_reachable', detail: 'nothing imports c' });
    expect(state['GHSA-4'].state).toBe('in_triage');
    expect(spdxErrors(toSpdx(input({ vulnerabilities })))).toEqual([]);
  });

  it('--osv and --reachability without --vex are refused, as is --vex with a findings file', async () => {
    const lockfile = join(dir, 'package-lock.json');
    for (const argv of [
      ['--format', 'spdx', '--lockfile', lockfile, '--offline', '--osv', dir],
      ['--format', 'spdx', '--lockfile', lockfile, '--offline', '--reachability'],
      ['--format', 'spdx', '--lockfile', lockfile, '--offline', '--vex'],
      ['--format', 'spdx', '--lockfile', lockfile, '--vex', '--vulnerabilities', lockfile],
    ])
      await expect(command.main(argv)).rejects.toBeInstanceOf(ClientError);
  });
});
