// `gatehouse fix` on a tree installed by the real npm from a test Gatehouse (both engines):
// - fix-lib, transitive under fix-parent's ^1.0.0: fixed in 1.0.2 (1.0.1 still affected, 1.1.0 the
//   latest), inside the range, so only package-lock.json changes, to 1.0.2, and the helper that
//   1.0.2 newly depends on is added by npm's tree builder;
// - fix-pinned, a direct dependency pinned to 1.0.0 and fixed in 2.0.0: a package.json proposal;
// - fix-old, transitive under fix-legacy's ~1.0.0 and fixed in 1.1.0: an `overrides` proposal;
// - fix-ahead at 2.0.0, affected from 2.0.0 on with no fix while 1.5.0 is clean: nothing, as a fix
//   never downgrades.
// Without --force the proposals are only printed; with it they are applied, node_modules is
// reinstalled and the audit after it finds only fix-ahead.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import type { TestRegistry } from '../support/registry.js';
import { CVSS, osvRecord } from '../fixtures/osv.js';
import { runOk, skipWithout, type Workspace } from './clients.js';
import {
  advisedRegistry,
  auditJson,
  gatehouse,
  publishAll,
  simplePackage,
  type AdvisedRegistry,
} from '../client/fixtures/world.js';

const RECORDS = [
  osvRecord({ id: 'GHSA-f1x1-f1x1-f1x1', name: 'fix-lib', events: [{ introduced: '0' }, { fixed: '1.0.2' }], cvss: CVSS.high }),
  osvRecord({
    id: 'GHSA-f1x2-f1x2-f1x2',
    name: 'fix-pinned',
    events: [{ introduced: '0' }, { fixed: '2.0.0' }],
    cvss: CVSS.critical,
  }),
  osvRecord({
    id: 'GHSA-f1x3-f1x3-f1x3',
    name: 'fix-old',
    events: [{ introduced: '0' }, { fixed: '1.1.0' }],
    cvss: CVSS.moderate,
  }),
  osvRecord({ id: 'GHSA-f1x4-f1x4-f1x4', name: 'fix-ahead', events: [{ introduced: '2.0.0' }], cvss: CVSS.low }),
];

interface Lock {
  packages: Record<string, { version?: string; resolved?: string; integrity?: string; dependencies?: Record<string, string> }>;
}

for (const engine of ENGINES) {
  describe.skipIf(skipWithout('npm11'))(`gatehouse fix (${engine})`, () => {
    let world: AdvisedRegistry;
    let r: TestRegistry;
    let ws: Workspace;
    const read = async <T>(file: string) => JSON.parse(await readFile(join(ws.dir, file), 'utf8')) as T;

    beforeAll(async () => {
      world = await advisedRegistry(
        engine,
        [
          simplePackage('fix-lib', '1.0.0'),
          simplePackage('fix-parent', '1.0.0', { 'fix-lib': '^1.0.0' }),
          simplePackage('fix-pinned', '1.0.0'),
          simplePackage('fix-old', '1.0.0'),
          simplePackage('fix-legacy', '1.0.0', { 'fix-old': '~1.0.0' }),
          simplePackage('fix-ahead', '1.5.0'),
          simplePackage('fix-ahead', '2.0.0'),
        ],
        RECORDS,
      );
      ({ r, ws } = world);
      await runOk('npm11', ['install', 'fix-parent@^1.0.0', 'fix-legacy@^1.0.0', 'fix-ahead@^2.0.0'], ws);
      await runOk('npm11', ['install', '--save-exact', 'fix-pinned@1.0.0'], ws);
      // the fixes are published after the install, as in life
      await publishAll(r, world.alice, [
        simplePackage('fix-lib', '1.0.1'),
        simplePackage('fix-helper', '1.0.0'),
        simplePackage('fix-lib', '1.0.2', { 'fix-helper': '^1.0.0' }),
        simplePackage('fix-lib', '1.1.0'),
        simplePackage('fix-pinned', '2.0.0'),
        simplePackage('fix-old', '1.1.0'),
      ]);
    });
    afterAll(() => world?.close());

    it('--dry-run prints the plan and changes nothing', async () => {
      const lockBefore = await readFile(join(ws.dir, 'package-lock.json'), 'utf8');
      const res = await gatehouse(['fix', '--dry-run'], ws);
      expect(res.code, res.stderr).toBe(1);
      expect(res.stdout).toContain('package-lock.json would change (inside the declared ranges):');
      expect(res.stdout).toContain('fix-lib 1.0.0 -> 1.0.2  (node_modules/fix-lib; fix-parent@1.0.0 wants ^1.0.0)');
      expect(await readFile(join(ws.dir, 'package-lock.json'), 'utf8')).toBe(lockBefore);
    });

    it('moves a transitive dependency inside its range in the lockfile only, and proposes the rest', async () => {
      const pkgBefore = await readFile(join(ws.dir, 'package.json'), 'utf8');
      const res = await gatehouse(['fix'], ws);
      expect(res.code, res.stderr).toBe(1);
      expect(res.stdout).toContain('package-lock.json changed (inside the declared ranges):');
      expect(res.stdout).toContain('fix-lib 1.0.0 -> 1.0.2');
      expect(res.stdout).toContain('package.json change proposed (outside the declared ranges; apply with --force):');
      expect(res.stdout).toContain('dependencies["fix-pinned"]: "1.0.0" -> "2.0.0"');
      expect(res.stdout).toContain('overrides["fix-old@1.0.0"]: (none) -> "1.1.0"');
      expect(res.stdout).toContain('fix-legacy@1.0.0 declares ~1.0.0');
      expect(res.stdout).toContain(
        'no fix for fix-ahead 2.0.0 (node_modules/fix-ahead): no served version above 2.0.0 is free of known advisories',
      );
      expect(res.stdout).toContain('Reinstalled with gatehouse install.');
      expect(res.stdout).toContain(
        'Still vulnerable: fix-pinned 1.0.0 (critical), fix-old 1.0.0 (moderate), fix-ahead 2.0.0 (low)',
      );

      expect(await readFile(join(ws.dir, 'package.json'), 'utf8')).toBe(pkgBefore);
      const lock = await read<Lock>('package-lock.json');
      // the lowest fixed version, not the latest in range; its new dependency added by npm
      expect(lock.packages['node_modules/fix-lib']).toMatchObject({
        version: '1.0.2',
        resolved: `${r.url}/fix-lib/-/fix-lib-1.0.2.tgz`,
        dependencies: { 'fix-helper': '^1.0.0' },
      });
      expect(lock.packages['node_modules/fix-lib']?.integrity).toMatch(/^sha512-/);
      expect(lock.packages['node_modules/fix-helper']?.version).toBe('1.0.0');
      expect(lock.packages['node_modules/fix-ahead']?.version).toBe('2.0.0');
      // and node_modules matches it
      expect((await read<{ version: string }>('node_modules/fix-lib/package.json')).version).toBe('1.0.2');
      expect((await read<{ version: string }>('node_modules/fix-helper/package.json')).version).toBe('1.0.0');
    });

    it('--force applies the proposals, never downgrades, and the audit after it finds only what has no fix', async () => {
      const res = await gatehouse(['fix', '--force'], ws);
      expect(res.code, res.stderr).toBe(1);
      expect(res.stdout).toContain('package.json changed (--force; outside the declared ranges):');
      expect(res.stdout).toContain('Still vulnerable: fix-ahead 2.0.0 (low)');
      const pkg = await read<{ dependencies: Record<string, string>; overrides: Record<string, string> }>('package.json');
      expect(pkg.dependencies['fix-pinned']).toBe('2.0.0');
      expect(pkg.overrides).toEqual({ 'fix-old@1.0.0': '1.1.0' });
      const lock = await read<Lock>('package-lock.json');
      expect(lock.packages['node_modules/fix-pinned']?.version).toBe('2.0.0');
      expect(lock.packages['node_modules/fix-old']?.version).toBe('1.1.0');
      expect(lock.packages['node_modules/fix-lib']?.version).toBe('1.0.2');
      // 1.5.0 is clean but lower: never chosen
      expect(lock.packages['node_modules/fix-ahead']?.version).toBe('2.0.0');
      expect((await read<{ version: string }>('node_modules/fix-old/package.json')).version).toBe('1.1.0');

      const { report } = await auditJson([], ws);
      expect(report.vulnerabilities.map((v) => `${v.name}@${v.version}`)).toEqual(['fix-ahead@2.0.0']);
      const clean = await gatehouse(['audit', '--fail-on', 'moderate'], ws);
      expect(clean.code).toBe(0);

      const again = await gatehouse(['fix', '--json', '--fail-on', 'moderate'], ws);
      expect(again.code, again.stderr).toBe(0);
      const result = JSON.parse(again.stdout) as Record<string, unknown>;
      expect(result).toMatchObject({
        changes: [],
        proposals: [],
        applied: false,
        unfixable: [{ name: 'fix-ahead', version: '2.0.0' }],
      });
      expect(result.reinstalled).toBeUndefined();
      expect((result.remaining as { name: string }[]).map((f) => f.name)).toEqual(['fix-ahead']);
    });
  });
}
