// The audit hook of `gatehouse install` (both engines): what is being installed is checked against
// the registry's advisories (or --osv records) after the tarballs verified and before node_modules
// is touched. Findings are warnings; with --fail-on one at least that serious stops the install and
// leaves no node_modules behind. The lockfile is written by the real npm.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { CVSS, osvRecord } from '../fixtures/osv.js';
import { runOk, type Workspace } from '../e2e/clients.js';
import {
  advisedRegistry,
  gatehouse,
  osvFolder,
  publishAll,
  removeDir,
  simplePackage,
  type AdvisedRegistry,
} from './fixtures/world.js';

const VULN = osvRecord({
  id: 'GHSA-1n5t-a11d-1n5t',
  name: 'ia-vuln',
  events: [{ introduced: '0' }, { fixed: '1.0.1' }],
  cvss: CVSS.high,
  summary: 'Path traversal in ia-vuln',
});
const OTHER = osvRecord({ id: 'GHSA-1n5t-a11d-0k0k', name: 'ia-ok', events: [{ introduced: '0' }], cvss: CVSS.low });

for (const engine of ENGINES) {
  describe(`gatehouse install --fail-on (${engine})`, () => {
    let world: AdvisedRegistry;
    let ws: Workspace;
    let otherOsv: string;
    const modules = () => join(ws.dir, 'node_modules');

    beforeAll(async () => {
      world = await advisedRegistry(engine, [simplePackage('ia-vuln', '1.0.0'), simplePackage('ia-ok', '1.0.0')], [VULN]);
      ws = world.ws;
      otherOsv = await osvFolder([OTHER]);
      await runOk('npm11', ['install', '--package-lock-only', 'ia-vuln@^1.0.0', 'ia-ok@^1.0.0'], ws);
      await publishAll(world.r, world.alice, [simplePackage('ia-vuln', '1.0.1')]);
    });
    afterAll(async () => {
      await world?.close();
      await removeDir(otherOsv);
    });

    it('warns about what it installs, with severity and the fixed version, and installs', async () => {
      const res = await gatehouse(['install'], ws);
      expect(res.code, res.stderr).toBe(0);
      expect(res.stderr).toContain('warning: known vulnerabilities in what is being installed:');
      expect(res.stderr).toContain('ia-vuln 1.0.0  high');
      expect(res.stderr).toContain('GHSA-1n5t-a11d-1n5t  Path traversal in ia-vuln');
      expect(res.stderr).toContain('fix: upgrade to ia-vuln@1.0.1');
      expect(existsSync(join(modules(), 'ia-vuln', 'index.js'))).toBe(true);
      await rm(modules(), { recursive: true });
    });

    it('--fail-on high stops before node_modules is written; --fail-on critical lets it through', async () => {
      const stopped = await gatehouse(['install', '--fail-on', 'high'], ws);
      expect(stopped.code).toBe(1);
      expect(stopped.stderr).toContain(
        '1 vulnerable package at or above high (--fail-on high): nothing was installed, node_modules is as it was.',
      );
      expect(existsSync(modules())).toBe(false);
      const through = await gatehouse(['install', '--fail-on', 'critical'], ws);
      expect(through.code, through.stderr).toBe(0);
      expect(existsSync(join(modules(), 'ia-ok', 'index.js'))).toBe(true);
      await rm(modules(), { recursive: true });
    });

    it('--osv checks against records instead; --no-audit skips the check; a bad level is refused', async () => {
      const res = await gatehouse(['install', '--osv', otherOsv, '--fail-on', 'low'], ws);
      expect(res.code).toBe(1);
      expect(res.stderr).toContain('ia-ok 1.0.0  low');
      expect(res.stderr).not.toContain('ia-vuln 1.0.0');
      expect(existsSync(modules())).toBe(false);
      const quiet = await gatehouse(['install', '--no-audit'], ws);
      expect(quiet.code, quiet.stderr).toBe(0);
      expect(quiet.stderr).not.toContain('known vulnerabilities');
      const bad = await gatehouse(['install', '--fail-on', 'urgent'], ws);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('--fail-on takes one of low, moderate, high, critical, not "urgent".');
    });
  });
}
