// Stock `npm audit` (npm 11 and 12: the gzipped bulk POST) and `pnpm audit` (pnpm 10: the legacy
// quick audit; pnpm 12: bulk) against packages installed from Gatehouse after an OSV import: each
// reports the vulnerable package with the advisory's severity and the version that fixes it.
// A package with no advisory is reported clean.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { packageBuilder } from '../fixtures/package-builder.js';
import { CVSS, osvRecord } from '../fixtures/osv.js';
import { run, runOk, skipWithout, type ClientName } from './clients.js';
import { installedProjects } from './fixtures/installed.js';

const NPMS: ClientName[] = ['npm11', 'npm12'];
const PNPMS: ClientName[] = ['pnpm10', 'pnpm12'];

const RECORD = osvRecord({
  id: 'GHSA-7f3q-2m9x-w4c8',
  name: 'audit-vuln',
  events: [{ introduced: '0' }, { fixed: '1.0.1' }],
  cvss: CVSS.critical,
  summary: 'Remote code execution in audit-vuln',
});

for (const engine of ENGINES) {
  describe(`npm and pnpm audit after an OSV import (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    let osvDir: string;
    const projects = installedProjects(() => r.url);
    /** Which audit endpoint each request reached, in order: observed on the service, not replaced. */
    const endpoints: string[] = [];

    beforeAll(async () => {
      r = await startRegistry(engine, { listen: true });
      alice = await r.createUser('alice');
      for (const [name, version] of [
        ['audit-vuln', '1.0.0'],
        ['audit-vuln', '1.0.1'],
        ['audit-clean', '1.0.0'],
      ] as const) {
        const put = await r.publish(alice, packageBuilder(name, version).file('index.js', 'module.exports = 1;\n'));
        expect(put.statusCode, put.body).toBe(201);
      }
      osvDir = await mkdtemp(join(tmpdir(), 'gatehouse-osv-e2e-'));
      await writeFile(join(osvDir, 'GHSA-7f3q-2m9x-w4c8.json'), JSON.stringify(RECORD));
      const advisories = r.registry.advisories;
      const bulk = advisories.bulk.bind(advisories);
      const quick = advisories.quick.bind(advisories);
      advisories.bulk = (context, body) => (endpoints.push('bulk'), bulk(context, body));
      advisories.quick = (context, body) => (endpoints.push('quick'), quick(context, body));
      const summary = await r.registry.advisories.importFrom(osvDir);
      expect(summary).toMatchObject({ added: 1, errors: [] });
    });
    afterAll(async () => {
      await projects.removeAll();
      await r?.close();
      if (osvDir) await rm(osvDir, { recursive: true, force: true });
    });

    const installed = (client: ClientName, deps: Record<string, string>) => projects.install(client, deps);

    for (const client of NPMS) {
      it.skipIf(skipWithout(client))(`${client} audit reports the package, its severity and the fix`, async () => {
        // pinned, so the fix (1.0.1) lies outside the declared range and npm names it
        const ws = await installed(client, { 'audit-vuln': '1.0.0', 'audit-clean': '^1.0.0' });
        endpoints.length = 0;
        const json = await run(client, ['audit', '--json'], ws);
        expect(endpoints).toEqual(['bulk']);
        expect(json.code, json.stderr).toBe(1);
        const report = JSON.parse(json.stdout) as {
          vulnerabilities: Record<
            string,
            { severity: string; range: string; fixAvailable: unknown; via: { title: string; range: string }[] }
          >;
          metadata: { vulnerabilities: Record<string, number> };
        };
        expect(Object.keys(report.vulnerabilities)).toEqual(['audit-vuln']);
        const vuln = report.vulnerabilities['audit-vuln']!;
        expect(vuln.severity).toBe('critical');
        // npm narrows the advisory's range to the published versions it covers
        expect(vuln.range).toBe('1.0.0');
        expect(vuln.via[0]?.range).toBe('<1.0.1');
        expect(vuln.fixAvailable).toMatchObject({ name: 'audit-vuln', version: '1.0.1' });
        expect(vuln.via[0]?.title).toBe('Remote code execution in audit-vuln');
        expect(report.metadata.vulnerabilities.critical).toBe(1);

        const text = await run(client, ['audit'], ws);
        expect(text.stdout).toMatch(/audit-vuln\s+1\.0\.0/);
        expect(text.stdout).toContain('Severity: critical');
        expect(text.stdout).toContain('Will install audit-vuln@1.0.1');
      });
    }

    for (const client of PNPMS) {
      it.skipIf(skipWithout(client))(`${client} audit reports the package, its severity and the patched versions`, async () => {
        const ws = await installed(client, { 'audit-vuln': '1.0.0', 'audit-clean': '^1.0.0' });
        endpoints.length = 0;
        const result = await run(client, ['audit'], ws);
        const output = result.stdout + result.stderr;
        expect(result.code, output).toBe(1);
        // pnpm 10 posts npm 6's tree to the quick audit; pnpm 12 the bulk body
        expect(endpoints).toEqual([client === 'pnpm10' ? 'quick' : 'bulk']);
        expect(output).toContain('Remote code execution in audit-vuln');
        expect(output).toMatch(/critical/);
        expect(output).toMatch(/Package\s*│\s*audit-vuln/);
        expect(output).toMatch(/Vulnerable versions\s*│\s*<1\.0\.1/);
        expect(output).toMatch(/Patched versions\s*│\s*>=1\.0\.1/);
        expect(output).toMatch(/1 vulnerabilities found/);
      });
    }

    it.skipIf(skipWithout('npm11'))('npm 11 audit of packages with no advisory finds nothing', async () => {
      const ws = await installed('npm11', { 'audit-clean': '^1.0.0', 'audit-vuln': '^1.0.1' });
      const result = await runOk('npm11', ['audit'], ws);
      expect(result.stdout).toContain('found 0 vulnerabilities');
    });
  });
}
