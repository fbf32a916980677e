// `gatehouse report` as a user runs it: the compiled CLI against a listening registry on both
// engines, reading the registry and token from ~/.npmrc the way npm does (${VAR} expanded), or
// from --registry and --token. Refusals exit 1 with the registry's code. Build dist/ first.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { packageBuilder } from '../fixtures/package-builder.js';
import * as npm from '../support/npm-protocol.js';
import { assertBuilt, CLI } from '../reliability/server-process.js';

function run(
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH, ...env }, cwd, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

for (const engine of ENGINES) {
  describe(`gatehouse report (${engine})`, () => {
    let r: TestRegistry;
    let bob: TestUser;
    const home = mkdtempSync(join(tmpdir(), 'gatehouse-report-home-'));
    const project = mkdtempSync(join(tmpdir(), 'gatehouse-report-project-'));

    beforeAll(async () => {
      assertBuilt();
      r = await startRegistry(engine, { listen: true });
      const alice = await r.createUser('alice');
      bob = await r.createUser('bob');
      await npm.published(r, alice, packageBuilder('shady', '1.0.0'));
      await npm.published(r, alice, packageBuilder('@acme/shady', '2.0.0'));
      const host = new URL(r.url).host;
      writeFileSync(join(home, '.npmrc'), `registry=${r.url}/\n//${host}/:_authToken=\${GATEHOUSE_TEST_TOKEN}\n`);
    });
    afterAll(async () => {
      await r?.close();
      rmSync(home, { recursive: true, force: true });
      rmSync(project, { recursive: true, force: true });
    });

    it('files a report with the registry and token from ~/.npmrc', async () => {
      const res = await run(
        ['report', 'shady@1.0.0', '--reason', 'malicious', '--description', 'install script fetches 192.0.2.8/x.sh'],
        { HOME: home, GATEHOUSE_TEST_TOKEN: bob.token },
        project,
      );
      expect(res.code, res.stderr).toBe(0);
      const id = Number(/Report (\d+) filed \(open\)/.exec(res.stdout)?.[1]);
      expect(res.stdout).toContain(`${r.url}/reports/${id}`);
      expect(res.stdout + res.stderr).not.toContain(bob.token);
      expect(await r.registry.store.reports.get(id)).toMatchObject({ packageName: 'shady', version: '1.0.0', reporter: 'bob' });
    });

    it('takes --registry and --token instead, and a scoped name', async () => {
      const res = await run(
        [
          'report',
          '@acme/shady',
          '--reason',
          'typosquatting',
          '--description',
          'copies @acme/shade',
          '--registry',
          r.url,
          '--token',
          bob.token,
        ],
        { HOME: project },
        project,
      );
      expect(res.code, res.stderr).toBe(0);
      const reports = await r.registry.store.reports.list({ packageName: '@acme/shady', limit: 5 });
      expect(reports.map((x) => [x.reason, x.version])).toEqual([['typosquatting', undefined]]);
    });

    it('exits 1 with the code of a refusal, or when it has no token', async () => {
      const env = { HOME: home, GATEHOUSE_TEST_TOKEN: bob.token };
      const missing = await run(['report', 'no-such', '--reason', 'spam', '--description', 'x'], env, project);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('404 PackageNotFound');
      const bad = await run(['report', 'shady', '--reason', 'weird', '--description', 'x'], env, project);
      expect(bad.stderr).toContain('ReportReasonInvalid');
      const anonymous = await run(
        ['report', 'shady', '--reason', 'spam', '--description', 'x', '--registry', r.url],
        { HOME: project },
        project,
      );
      expect(anonymous.code).toBe(1);
      expect(anonymous.stderr).toContain('No token for');
      const noReason = await run(['report', 'shady', '--description', 'x'], env, project);
      expect(noReason.stderr).toContain('--reason is required');
    });
  });
}
