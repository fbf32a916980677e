// `gatehouse verify` (the compiled CLI) against a running registry: a lockfile made by stock npm
// install from the registry verifies; the next run checks the log only grew; a lockfile pinning
// another digest, a version the log lacks, a rewritten log and a wrong pinned key each fail with a
// clear line and a non-zero exit. Build dist/ first.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { assertBuilt, CLI } from '../reliability/server-process.js';
import { packageBuilder } from '../fixtures/package-builder.js';
import { startWitness, type TestWitness } from '../support/witness.js';
import { createWorkspace, removeWorkspace, runOk, type Workspace } from '../e2e/clients.js';
import { generateNoteKey, verifierKey } from '../../src/domain/transparency/note.js';

function verifyByCli(args: string[]): Promise<{ code: number | null; out: string }> {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('GATEHOUSE_')) env[key] = value;
  const child = spawn(process.execPath, [CLI, 'verify', ...args], { env });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out })));
}

for (const engine of ENGINES) {
  describe(`gatehouse verify (${engine})`, () => {
    let r: TestRegistry;
    let ws: Workspace;
    let dir: string;
    let witness: TestWitness;

    beforeAll(async () => {
      assertBuilt();
      witness = await startWitness();
      r = await startRegistry(engine, { listen: true, config: { tlogWitnesses: `${witness.vkey} ${witness.url}` } });
      witness.trust(await (await fetch(`${r.url}/-/tlog/vkey`)).text());
      const alice = await r.createUser('alice');
      expect((await r.publish(alice, packageBuilder('leaf-dep', '1.0.0'))).statusCode).toBe(201);
      expect((await r.publish(alice, packageBuilder('@acme/app-lib', '2.0.0').dependency('leaf-dep', '^1.0.0'))).statusCode).toBe(
        201,
      );
      await r.registry.transparency.sync();
      ws = await createWorkspace({ registry: r.url, client: 'npm11' });
      writeFileSync(
        join(ws.dir, 'package.json'),
        JSON.stringify({ name: 'app', version: '1.0.0', dependencies: { '@acme/app-lib': '^2.0.0' } }),
      );
      await runOk('npm11', ['install', '--ignore-scripts'], ws);
      dir = mkdtempSync(join(tmpdir(), 'gatehouse-verify-'));
    });
    afterAll(async () => {
      await r.close();
      await witness.close();
      await removeWorkspace(ws);
      rmSync(dir, { recursive: true, force: true });
    });

    const lockfile = () => join(ws.dir, 'package-lock.json');
    const state = () => join(dir, 'state.json');
    const run = (...extra: string[]) =>
      verifyByCli(['--lockfile', lockfile(), '--registry', r.url, '--state', state(), ...extra]);

    it('verifies an npm lockfile, pins the key on first use, then checks the log only grew', async () => {
      const first = await run('--witness', witness.vkey);
      expect(first.code, first.out).toBe(0);
      expect(first.out).toContain('Trusting the log key');
      expect(first.out).toMatch(/ok {3}@acme\/app-lib@2\.0\.0/);
      expect(first.out).toMatch(/ok {3}leaf-dep@1\.0\.0/);
      expect(first.out).toContain('All 2 versions');
      expect(first.out).toContain(`Cosigned by ${witness.name}.`);

      const alice = await r.createUser('bob');
      expect((await r.publish(alice, packageBuilder('later', '1.0.0'))).statusCode).toBe(201);
      await r.registry.transparency.sync();
      const second = await run();
      expect(second.code, second.out).toBe(0);
      expect(second.out).not.toContain('Trusting');
      expect(second.out).toContain('Consistent with the checkpoint seen before (2 entries)');
    });

    it('fails on a lockfile digest the log does not have, and on a version the log lacks', async () => {
      const original = readFileSync(lockfile(), 'utf8');
      const lock = JSON.parse(original) as { packages: Record<string, { integrity: string; version: string }> };
      const other = join(dir, 'tampered-lock.json');
      lock.packages['node_modules/leaf-dep']!.integrity = `sha512-${Buffer.alloc(64, 1).toString('base64')}`;
      lock.packages['node_modules/@acme/app-lib']!.version = '2.0.1';
      writeFileSync(other, JSON.stringify(lock));
      const res = await verifyByCli(['--lockfile', other, '--registry', r.url, '--state', state()]);
      expect(res.code, res.out).toBe(1);
      expect(res.out).toMatch(/FAIL leaf-dep@1\.0\.0: the log has integrity sha512-/);
      expect(res.out).toContain('FAIL @acme/app-lib@2.0.1: not in the log');
      expect(res.out).toContain('2 of 2 versions');
    });

    it('fails when the log was rewritten since the checkpoint it saw, or is signed by another key', async () => {
      const saved = JSON.parse(readFileSync(state(), 'utf8')) as Record<string, { root: string }>;
      saved[r.url]!.root = Buffer.alloc(32, 9).toString('base64');
      writeFileSync(state(), JSON.stringify(saved));
      const rewritten = await run();
      expect(rewritten.code, rewritten.out).toBe(1);
      expect(rewritten.out).toContain('FAIL consistency');

      const stranger = generateNoteKey('127.0.0.1/tlog');
      const wrongKey = await run('--log-key', verifierKey(stranger.name, stranger.publicKey));
      expect(wrongKey.code, wrongKey.out).toBe(1);
      expect(wrongKey.out).toContain('FAIL checkpoint: the checkpoint is not signed by');

      const absent = await startWitness('witness.test/never-asked');
      await absent.close();
      const uncosigned = await run('--witness', absent.vkey);
      expect(uncosigned.code, uncosigned.out).toBe(1);
      expect(uncosigned.out).toContain('FAIL checkpoint: no valid cosignature by witness.test/never-asked');
    });
  });
}
