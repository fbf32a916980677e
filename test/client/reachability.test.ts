// `gatehouse audit --reachability` on a small app (test/client/fixtures/reach/app) whose
// dependencies are published to a test Gatehouse and installed by the real npm. The app reaches its
// vulnerable dependencies in every way the walk follows, CommonJS require (down to a transitive
// package), an ESM re-export through an exports map subpath whose target uses an `imports` map, and a
// literal dynamic import() from the bin, and leaves two alone: one never imported, and one whose
// advisory names a module the app does not load. The same tree audited against the registry
// (which keeps no module detail) counts the second as imported.
import { cp, mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { CVSS, osvRecord } from '../fixtures/osv.js';
import { runOk, type Workspace } from '../e2e/clients.js';
import {
  advisedRegistry,
  auditJson,
  folderPackage,
  gatehouse,
  type AdvisedRegistry,
  type AuditReport,
} from './fixtures/world.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/reach/', import.meta.url));
const PACKAGES = ['reach-esm', 'reach-cjs', 'reach-deep', 'reach-dyn', 'reach-unused', 'reach-narrow'];

/** A record for the package, optionally naming the affected modules and functions (Go's convention). */
function record(name: string, n: number, imports?: { path: string; symbols?: string[] }[]) {
  const base = osvRecord({
    id: `GHSA-r${n}ch-r${n}ch-r${n}ch`,
    name,
    events: [{ introduced: '0' }, { fixed: '1.0.1' }],
    cvss: CVSS.high,
    summary: `Flaw in ${name}`,
  });
  const [affected] = base.affected as Record<string, unknown>[];
  if (imports && affected) affected.ecosystem_specific = { imports };
  return base;
}

const RECORDS = [
  record('reach-esm', 1, [{ path: 'reach-esm/parser', symbols: ['parse'] }]),
  record('reach-deep', 2),
  record('reach-dyn', 3),
  record('reach-unused', 4),
  record('reach-narrow', 5, [{ path: 'reach-narrow/lib/dangerous.js' }]),
];

function byName(report: AuditReport) {
  return Object.fromEntries(report.vulnerabilities.map((v) => [v.name, v.reachability]));
}

for (const engine of ENGINES) {
  describe(`gatehouse audit --reachability (${engine})`, () => {
    let world: AdvisedRegistry;
    let ws: Workspace;
    let osvDir: string;

    beforeAll(async () => {
      const packages = await Promise.all(PACKAGES.map((name) => folderPackage(join(FIXTURES, 'packages', name))));
      world = await advisedRegistry(engine, packages, RECORDS);
      ({ ws, osvDir } = world);
      await cp(join(FIXTURES, 'app'), ws.dir, { recursive: true });
      // written here, not kept as a fixture: the repository's linter would refuse a file that does not parse
      await writeFile(join(ws.dir, 'lib', 'legacy.js'), 'module.exports = function ( {\n');
      await writeFile(
        join(ws.dir, 'lib', 'helper.js'),
        "try { require('./legacy'); } catch {}\nmodule.exports = require('../package.json').name;\n",
      );
      await runOk('npm11', ['install'], ws);
    });
    afterAll(() => world?.close());

    it('marks each vulnerable package imported (with one import chain) or not reachable, narrowed to the named modules', async () => {
      const { code, report } = await auditJson(['--reachability', '--osv', osvDir], ws);
      expect(code).toBe(1);
      const verdicts = byName(report);
      expect(verdicts['reach-deep']).toMatchObject({
        verdict: 'reachable',
        chain: ['lib/index.js', 'node_modules/reach-cjs/index.js', 'node_modules/reach-deep/index.js'],
      });
      // the exports map's node + import target of ./parser, not its require or browser one
      expect(verdicts['reach-esm']).toMatchObject({
        verdict: 'reachable',
        chain: ['esm/extra.mjs', 'node_modules/reach-esm/dist/parser.mjs'],
      });
      expect(verdicts['reach-esm']?.reason).toContain('functions parse are assumed called');
      expect(verdicts['reach-dyn']).toMatchObject({
        verdict: 'reachable',
        chain: ['bin/cli.js', 'node_modules/reach-dyn/index.js'],
      });
      expect(verdicts['reach-unused']).toMatchObject({ verdict: 'not-reachable' });
      expect(verdicts['reach-narrow']).toMatchObject({ verdict: 'not-reachable' });
      expect(verdicts['reach-narrow']?.reason).toContain('reach-narrow/lib/dangerous.js');
      expect(report.reachability).toMatchObject({
        entries: ['lib/index.js', 'esm/index.mjs', 'esm/extra.mjs', 'bin/cli.js'],
        reachable: 3,
      });
      const assumptions = report.reachability?.assumptions.join('\n') ?? '';
      expect(assumptions).toContain('lib/index.js:8 require(…)');
      expect(assumptions).toContain('lib/legacy.js');
      expect(assumptions).toMatch(/require\(\) with node, require, default/);
      // what the walk read: the #internal import inside reach-esm was followed too
      expect(report.reachability?.filesReached).toBeGreaterThanOrEqual(10);
    });

    it('the human report shows the verdicts, the chain and what was assumed', async () => {
      const res = await gatehouse(['audit', '--reachability', '--osv', osvDir], ws);
      expect(res.code, res.stderr).toBe(1);
      expect(res.stdout).toContain('reachability: REACHABLE: reach-deep is imported');
      expect(res.stdout).toContain(
        'lib/index.js\n    -> node_modules/reach-cjs/index.js\n    -> node_modules/reach-deep/index.js',
      );
      expect(res.stdout).toContain('reachability: not reachable: no file of reach-unused is imported from the entry points');
      expect(res.stdout).toContain('3 of 5 vulnerable packages imported');
      expect(res.stdout).toContain('assumed:');
      expect(res.stdout).toContain('computed require()/import() not followed');
    });

    it('a file named on the command line is an entry point too', async () => {
      const { report } = await auditJson(['--reachability', '--osv', osvDir, 'scripts/admin.js'], ws);
      expect(byName(report)['reach-unused']).toMatchObject({
        verdict: 'reachable',
        chain: ['scripts/admin.js', 'node_modules/reach-unused/index.js'],
      });
      const missing = await gatehouse(['audit', '--reachability', '--osv', osvDir, 'scripts/nope.js'], ws);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('Entry point scripts/nope.js does not exist.');
    });

    it('node_modules as a symlink (as a linked or shared install has it) gives the same verdicts', async () => {
      // still named node_modules, or Node itself could not find one package from another
      const elsewhere = join(ws.dir, '..', 'shared', 'node_modules');
      await mkdir(dirname(elsewhere));
      await rename(join(ws.dir, 'node_modules'), elsewhere);
      await symlink(elsewhere, join(ws.dir, 'node_modules'));
      const { report } = await auditJson(['--reachability', '--osv', osvDir], ws);
      const verdicts = byName(report);
      expect(verdicts['reach-deep']?.verdict).toBe('reachable');
      expect(verdicts['reach-dyn']?.verdict).toBe('reachable');
      expect(verdicts['reach-esm']?.verdict).toBe('reachable');
      expect(verdicts['reach-unused']?.verdict).toBe('not-reachable');
      expect(verdicts['reach-narrow']?.verdict).toBe('not-reachable');
      await rm(join(ws.dir, 'node_modules'));
      await rename(elsewhere, join(ws.dir, 'node_modules'));
    });

    it("against the registry's advisories (no module detail) the whole package counts", async () => {
      const { report } = await auditJson(['--reachability'], ws);
      expect(report.source.kind).toBe('registry');
      const verdicts = byName(report);
      expect(verdicts['reach-narrow']).toMatchObject({
        verdict: 'reachable',
        chain: ['lib/index.js', 'node_modules/reach-narrow/index.js'],
      });
      expect(verdicts['reach-unused']).toMatchObject({ verdict: 'not-reachable' });
    });
  });
}
