// The compiled `gatehouse import` command as an operator runs it: flags, a file of names, the
// token on stdin, the summary on stdout and a failing exit code when a version was not imported.
// Needs dist/ (npx tsc -p tsconfig.build.json).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { packageBuilder } from '../fixtures/package-builder.js';

const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

describe('gatehouse import, the compiled command (sqlite)', () => {
  let r: TestRegistry;
  let folder: string;

  beforeAll(async () => {
    r = await startRegistry('sqlite');
    await r.createUser('root', { admin: true });
    folder = mkdtempSync(join(tmpdir(), 'gatehouse-import-cli-'));
    for (const [name, tamper] of [
      ['good-one', false],
      ['bad-one', true],
    ] as const) {
      const builder = packageBuilder(name, '1.0.0');
      const tgz = builder.tarball();
      mkdirSync(join(folder, name));
      writeFileSync(join(folder, name, `${name}-1.0.0.tgz`), tamper ? packageBuilder(name, '1.0.0').readme('x').tarball() : tgz);
      const integrity = `sha512-${createHash('sha512').update(tgz).digest('base64')}`;
      const versions = {
        '1.0.0': { ...builder.manifest(), dist: { integrity, tarball: `http://old.invalid/${name}/-/${name}-1.0.0.tgz` } },
      };
      const doc = { name, versions, 'dist-tags': { latest: '1.0.0' }, time: { '1.0.0': '2018-05-05T05:05:05.000Z' } };
      writeFileSync(join(folder, name, 'package.json'), JSON.stringify(doc));
    }
  });
  afterAll(async () => {
    await r.close();
    rmSync(folder, { recursive: true, force: true });
  });

  function gatehouse(args: string[], input = '') {
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('GATEHOUSE_')) env[key] = value;
    return spawnSync(process.execPath, [CLI, ...args, '--data-dir', r.registry.config.dataDir], { input, env, encoding: 'utf8' });
  }

  it('imports what verifies, reports what does not, and exits 1', () => {
    const names = join(folder, 'names.txt');
    writeFileSync(names, '# to move\ngood-one\n\nbad-one\n');
    const run = gatehouse(
      ['import', '--from', folder, '--owner', 'root', '--names-file', names, '--token-stdin'],
      'unused-token\n',
    );
    expect(run.status, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/^good-one: 1 imported, 0 skipped, 0 conflicts, 0 refused$/m);
    expect(run.stdout).toMatch(/^ {2}bad-one@1\.0\.0: refused: .*\[IntegrityMismatch\]$/m);
    expect(run.stdout).toMatch(/^Imported 1 versions, skipped 0 already here, 1 not imported\.$/m);
  });

  it('refuses to run without an owner that exists', () => {
    const run = gatehouse(['import', '--from-dir', folder, '--owner', 'nobody', 'good-one']);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/no user named "nobody"/);
  });
});
