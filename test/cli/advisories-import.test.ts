// `gatehouse advisories import` (the compiled CLI) on a registry's database: the records it could
// read are answered by the running server at once, every skipped record is named on stderr with
// its reason, and the exit code is non-zero only when nothing could be read. Build dist/ first.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry } from '../support/registry.js';
import { assertBuilt, CLI } from '../reliability/server-process.js';
import { CVSS, osvRecord } from '../fixtures/osv.js';
import { zipOf } from '../fixtures/zip.js';
import type { Config } from '../../src/config.js';

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function importByCli(config: Config, paths: string[]): Promise<Ran> {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('GATEHOUSE_')) env[key] = value;
  if (config.databaseUrl) env.GATEHOUSE_DATABASE_URL = config.databaseUrl;
  const child = spawn(process.execPath, [CLI, 'advisories', 'import', ...paths, '--data-dir', config.dataDir], { env });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (c: Buffer) => (out.stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (out.stderr += c.toString('utf8')));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, ...out })));
}

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'gatehouse-osv-cli-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

for (const engine of ENGINES) {
  describe(`gatehouse advisories import (${engine})`, () => {
    it('imports what it can read, names what it skipped, and the server answers at once', async () => {
      assertBuilt();
      const r = await startRegistry(engine);
      try {
        const dir = join(folder, `good-${engine}`);
        await mkdir(join(dir, 'npm'), { recursive: true });
        const record = osvRecord({
          id: 'GHSA-9h4k-3j2w-q8p7',
          name: 'cli-vuln',
          events: [{ introduced: '0' }, { fixed: '2.0.0' }],
          cvss: CVSS.moderate,
        });
        await writeFile(join(dir, 'npm', 'GHSA-9h4k-3j2w-q8p7.json'), JSON.stringify(record));
        await writeFile(
          join(dir, 'npm', 'GHSA-broken.json'),
          JSON.stringify({ id: 'GHSA-broken', modified: '2026-01-01T00:00:00Z', affected: 'npm' }),
        );
        const zip = join(folder, `all-${engine}.zip`);
        await writeFile(
          zip,
          zipOf({
            'MAL-2026-77.json': JSON.stringify(osvRecord({ id: 'MAL-2026-77', name: 'cli-evil', events: [{ introduced: '0' }] })),
          }),
        );

        const ran = await importByCli(r.registry.config, [dir, zip]);
        expect(ran.code, ran.stderr).toBe(0);
        expect(ran.stdout).toContain(
          `${dir}: 2 records read; 1 added, 0 updated, 0 withdrawn, 0 unchanged, 0 for other ecosystems, 1 skipped`,
        );
        expect(ran.stdout).toContain(`${zip}: 1 records read; 1 added`);
        expect(ran.stderr).toMatch(/skipped npm\/GHSA-broken\.json \(GHSA-broken\): "affected" must be a list/);

        const bulk = await r.inject({
          method: 'POST',
          url: '/-/npm/v1/security/advisories/bulk',
          payload: { 'cli-vuln': ['1.5.0'] },
        });
        expect(bulk.json()['cli-vuln'][0]).toMatchObject({ severity: 'moderate', vulnerable_versions: '<2.0.0' });
        expect(await r.registry.advisories.isMalicious('cli-evil', '1.0.0')).toMatchObject({ id: 'MAL-2026-77' });

        // the same files again: nothing changes
        const again = await importByCli(r.registry.config, [dir]);
        expect(again.stdout).toContain('0 added, 0 updated, 0 withdrawn, 1 unchanged');
      } finally {
        await r.close();
      }
    });

    it('exits non-zero only when nothing could be read', async () => {
      assertBuilt();
      const r = await startRegistry(engine);
      try {
        const missing = await importByCli(r.registry.config, [join(folder, 'no-such-file.json')]);
        expect(missing.code).toBe(1);
        expect(missing.stderr).toMatch(/no-such-file\.json cannot be read/);
        const notZip = join(folder, `fake-${engine}.zip`);
        await writeFile(notZip, 'this is not a zip archive');
        const broken = await importByCli(r.registry.config, [notZip]);
        expect(broken.code).toBe(1);
        const allBad = join(folder, `bad-${engine}.json`);
        await writeFile(allBad, '[{"id": 1}, "nope"]');
        const bad = await importByCli(r.registry.config, [allBad]);
        expect(bad.code).toBe(1);
        expect(bad.stderr).toContain(`skipped bad-${engine}.json[0]`);
        expect(bad.stderr).toContain(`skipped bad-${engine}.json[1]`);
        expect(await r.registry.advisories.count()).toBe(0);
      } finally {
        await r.close();
      }
    });
  });
}
