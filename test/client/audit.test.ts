// `gatehouse audit` as a user runs it: a project installed by the real npm from a test Gatehouse
// (both engines) whose admin imported OSV records; the fixed versions are published after the
// install, as in life. Against the registry's bulk endpoint and against --osv files (offline too),
// human and --json output, --fail-on exit codes, --omit dev, and a registry with no advisories.
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import type { TestRegistry } from '../support/registry.js';
import { CVSS, osvRecord } from '../fixtures/osv.js';
import { createWorkspace, removeWorkspace, runOk, type Workspace } from '../e2e/clients.js';
import { assertBuilt } from '../reliability/server-process.js';
import {
  advisedRegistry,
  auditJson,
  gatehouse,
  osvFolder,
  publishAll,
  removeDir,
  simplePackage,
  type AdvisedRegistry,
} from './fixtures/world.js';

const LIB_RCE = osvRecord({
  id: 'GHSA-4c8q-aud1-lib1',
  name: 'aud-lib',
  events: [{ introduced: '0' }, { fixed: '1.0.2' }],
  cvss: CVSS.high,
  summary: 'Prototype pollution in aud-lib',
});
// a second record hits the first fixed version, so the version without any advisory is 1.0.3
const LIB_REGRESSION = osvRecord({
  id: 'GHSA-4c8q-aud2-lib2',
  name: 'aud-lib',
  versions: ['1.0.2'],
  cvss: CVSS.moderate,
  summary: 'Regression in aud-lib 1.0.2',
});
const DIRECT = osvRecord({
  id: 'GHSA-4c8q-aud3-dir3',
  name: 'aud-direct',
  events: [{ introduced: '2.0.0' }, { fixed: '2.1.0' }],
  cvss: CVSS.critical,
  summary: 'Command injection in aud-direct',
});
const DEVTOOL = osvRecord({
  id: 'GHSA-4c8q-aud4-dev4',
  name: 'aud-devtool',
  events: [{ introduced: '0' }],
  cvss: CVSS.low,
  summary: 'Information exposure in aud-devtool',
});
const RECORDS = [LIB_RCE, LIB_REGRESSION, DIRECT, DEVTOOL];

for (const engine of ENGINES) {
  describe(`gatehouse audit (${engine})`, () => {
    let world: AdvisedRegistry;
    let r: TestRegistry;
    let ws: Workspace;
    let osvDir: string;
    let lowOnly: string;

    beforeAll(async () => {
      world = await advisedRegistry(
        engine,
        [
          simplePackage('aud-lib', '1.0.0'),
          simplePackage('aud-parent', '1.0.0', { 'aud-lib': '^1.0.0' }),
          simplePackage('aud-direct', '2.0.0'),
          simplePackage('aud-devtool', '1.0.0'),
          simplePackage('aud-clean', '1.0.0'),
        ],
        RECORDS,
      );
      ({ r, ws, osvDir } = world);
      lowOnly = await osvFolder([DEVTOOL]);
      await runOk('npm11', ['install', 'aud-parent@1.0.0', 'aud-direct@2.0.0', 'aud-clean@^1.0.0', '--save-exact'], ws);
      await runOk('npm11', ['install', '--save-dev', 'aud-devtool@1.0.0'], ws);
      await publishAll(r, world.alice, [
        simplePackage('aud-lib', '1.0.1'),
        simplePackage('aud-lib', '1.0.2'),
        simplePackage('aud-lib', '1.0.3'),
        simplePackage('aud-direct', '2.1.0'),
      ]);
    });
    afterAll(async () => {
      await world?.close();
      await removeDir(lowOnly);
    });

    it('prints each vulnerable package with its severity, advisory, fixed version and path, and exits 1', async () => {
      const res = await gatehouse(['audit'], ws);
      expect(res.code, res.stderr).toBe(1);
      expect(res.stdout).toContain('aud-direct 2.0.0  critical');
      expect(res.stdout).toContain('GHSA-4c8q-aud3-dir3  Command injection in aud-direct');
      expect(res.stdout).toContain('affected >=2.0.0 <2.1.0; fixed in 2.1.0');
      expect(res.stdout).toContain('aud-lib 1.0.0  high');
      expect(res.stdout).toContain('GHSA-4c8q-aud1-lib1  Prototype pollution in aud-lib');
      // the advisory's own fix is 1.0.2, but another advisory covers 1.0.2: the clean version is 1.0.3
      expect(res.stdout).toContain('affected <1.0.2; fixed in 1.0.2');
      expect(res.stdout).toContain('fix: upgrade to aud-lib@1.0.3');
      expect(res.stdout).toContain('via project > aud-parent > aud-lib');
      expect(res.stdout).toContain('installed at node_modules/aud-lib');
      expect(res.stdout).toContain('aud-devtool 1.0.0  low  (dev)');
      expect(res.stdout).toContain('no version without a known advisory is available');
      expect(res.stdout).not.toContain('aud-clean');
      expect(res.stdout).toContain(`5 packages audited against ${r.url}/: 3 vulnerable (1 critical, 1 high, 1 low)`);
    });

    it('--json gives the documented shape', async () => {
      const { code, report } = await auditJson([], ws);
      expect(code).toBe(1);
      expect(report).toMatchObject({
        auditVersion: 1,
        source: { kind: 'registry', location: `${r.url}/` },
        audited: 5,
        omit: [],
        counts: { critical: 1, high: 1, moderate: 0, low: 1, total: 3 },
        problems: [],
      });
      expect(report.vulnerabilities.map((v) => `${v.name}@${v.version}:${v.severity}`)).toEqual([
        'aud-direct@2.0.0:critical',
        'aud-lib@1.0.0:high',
        'aud-devtool@1.0.0:low',
      ]);
      const lib = report.vulnerabilities[1];
      expect(lib).toMatchObject({
        paths: ['node_modules/aud-lib'],
        chains: [['project', 'aud-parent', 'aud-lib']],
        dev: false,
        fixVersion: '1.0.3',
        advisories: [
          {
            id: 'GHSA-4c8q-aud1-lib1',
            title: 'Prototype pollution in aud-lib',
            severity: 'high',
            vulnerableVersions: '<1.0.2',
            fixedVersion: '1.0.2',
          },
        ],
      });
      expect(report.vulnerabilities[2]).toMatchObject({ dev: true, fixVersion: null, chains: [['project', 'aud-devtool']] });
      expect(report.reachability).toBeUndefined();
    });

    it('--omit dev leaves out what only development needs', async () => {
      const { report } = await auditJson(['--omit=dev'], ws);
      expect(report.audited).toBe(4);
      expect(report.vulnerabilities.map((v) => v.name)).toEqual(['aud-direct', 'aud-lib']);
    });

    it('--fail-on sets the exit status by the most serious finding', async () => {
      expect((await gatehouse(['audit', '--fail-on', 'critical'], ws)).code).toBe(1);
      expect((await gatehouse(['audit', '--osv', lowOnly, '--fail-on', 'moderate'], ws)).code).toBe(0);
      expect((await gatehouse(['audit', '--osv', lowOnly, '--fail-on', 'low'], ws)).code).toBe(1);
      const bad = await gatehouse(['audit', '--fail-on', 'severe'], ws);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('--fail-on takes one of low, moderate, high, critical, not "severe".');
    });

    it('--osv reads the records from a folder; versions still come from the registry', async () => {
      const { code, report } = await auditJson(['--osv', osvDir], ws);
      expect(code).toBe(1);
      expect(report.source).toEqual({ kind: 'osv', location: osvDir });
      expect(report.vulnerabilities.map((v) => [v.name, v.fixVersion])).toEqual([
        ['aud-direct', '2.1.0'],
        ['aud-lib', '1.0.3'],
        ['aud-devtool', null],
      ]);
    });

    it('--osv --offline takes fixed versions from the records alone, and one file works as well as a folder', async () => {
      const { report } = await auditJson(
        ['--osv', join(osvDir, 'GHSA-4c8q-aud1-lib1.json'), '--offline', '--registry', 'http://127.0.0.1:9/'],
        ws,
      );
      expect(report.vulnerabilities).toHaveLength(1);
      // the record says fixed in 1.0.2; offline nothing says whether 1.0.3 exists
      expect(report.vulnerabilities[0]).toMatchObject({ name: 'aud-lib', fixVersion: '1.0.2' });
      const folder = await auditJson(['--osv', osvDir, '--offline'], ws);
      // with both records, 1.0.2 is known to be affected and no other fix is named
      expect(folder.report.vulnerabilities.find((v) => v.name === 'aud-lib')?.fixVersion).toBeNull();
    });
  });
}

describe('gatehouse audit against a registry without advisories', () => {
  let server: Server;
  let url: string;
  let ws: Workspace;
  let bad: string;

  beforeAll(async () => {
    assertBuilt();
    // an npm registry that serves packages but no audit endpoint answers 404 there
    server = createServer((_req, res) => res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Not found"}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
    ws = await createWorkspace({ registry: url, client: 'npm11' });
    const lock = {
      name: 'plain',
      version: '1.0.0',
      lockfileVersion: 3,
      requires: true,
      packages: {
        '': { name: 'plain', version: '1.0.0', dependencies: { 'aud-lib': '^1.0.0' } },
        'node_modules/aud-lib': { version: '1.0.0', resolved: `${url}aud-lib/-/aud-lib-1.0.0.tgz`, integrity: 'sha512-AAAA' },
      },
    };
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(ws.dir, 'package-lock.json'), JSON.stringify(lock, null, 2));
    bad = await osvFolder([LIB_RCE]);
    await writeFile(join(bad, 'broken.json'), '{"id": ');
  });
  afterAll(async () => {
    if (ws) await removeWorkspace(ws);
    await new Promise((resolve) => server?.close(resolve));
    await removeDir(bad);
  });

  it('says the registry offers no advisories and points at --osv', async () => {
    const res = await gatehouse(['audit'], ws);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`${url} offers no advisories`);
    expect(res.stderr).toContain('gatehouse audit --osv PATH');
    expect(res.stdout).toBe('');
  });

  it('works there with --osv --offline, and names the record it could not read', async () => {
    const res = await gatehouse(['audit', '--osv', bad, '--offline'], ws);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain('aud-lib 1.0.0  high');
    expect(res.stdout).toContain('fix: upgrade to aud-lib@1.0.2');
    expect(res.stderr).toContain(`skipped ${join(bad, 'broken.json')}: not JSON`);
  });
});
