// `gatehouse install --require-signatures / --require-provenance` as a user runs it: the compiled
// CLI installs a lockfile the stock npm wrote against a test Gatehouse, checking every package's
// registry signature and (against the local Sigstore root) its provenance before anything is
// swapped in; a requirement a package does not meet fails the install and leaves node_modules.
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import type { TestRegistry } from '../support/registry.js';
import { packageBuilder } from '../fixtures/package-builder.js';
import { published } from '../support/npm-protocol.js';
import { assertBuilt } from '../reliability/server-process.js';
import { createWorkspace, removeWorkspace, runOk, skipWithout, type Workspace } from '../e2e/clients.js';
import { provenanceRegistry, publishWithProvenance } from './trust-fixtures.js';
import { gatehouse } from './fixtures/world.js';

for (const engine of ENGINES) {
  describe.skipIf(skipWithout('npm11'))(`gatehouse install with trust requirements (${engine})`, () => {
    let r: TestRegistry;
    let root: string;
    const workspaces: Workspace[] = [];

    beforeAll(async () => {
      assertBuilt();
      const { sigstore, alice, ...made } = await provenanceRegistry(engine);
      ({ r, root } = made);
      const built = packageBuilder('@acme/built', '1.0.0').file('index.js', 'module.exports = "built";\n');
      await publishWithProvenance(r, alice, built, sigstore, 'acme/built');
      await published(r, alice, packageBuilder('hand-made', '1.0.0').file('index.js', 'module.exports = "hand";\n'));
    });
    afterAll(async () => {
      await Promise.all(workspaces.map(removeWorkspace));
      await r?.close();
    });

    /** A project whose lockfile the stock npm wrote (without installing). */
    async function project(dependencies: Record<string, string>): Promise<Workspace> {
      const ws = await createWorkspace({ registry: r.url, client: 'npm11' });
      workspaces.push(ws);
      await writeFile(join(ws.dir, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', dependencies }));
      await runOk('npm11', ['install', '--package-lock-only'], ws);
      return ws;
    }
    const installArgs = (ws: Workspace, ...flags: string[]) => [
      'install',
      '--cache',
      join(ws.cacheDir, 'gatehouse'),
      '--trusted-root',
      root,
      ...flags,
    ];

    it('--require-signatures installs a tree whose every package the registry signed', async () => {
      const ws = await project({ '@acme/built': '^1.0.0', 'hand-made': '^1.0.0' });
      const result = await gatehouse(installArgs(ws, '--require-signatures'), ws);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain('trust: 2 of 2 registry signatures verified, 1 with verified provenance');
      expect(existsSync(join(ws.dir, 'node_modules', 'hand-made', 'index.js'))).toBe(true);
    });

    it('--require-provenance refuses a package built without it and leaves node_modules as it was', async () => {
      const ws = await project({ '@acme/built': '^1.0.0', 'hand-made': '^1.0.0' });
      expect((await gatehouse(installArgs(ws), ws)).code).toBe(0);
      const marker = join(ws.dir, 'node_modules', 'hand-made', 'marker.txt');
      await writeFile(marker, 'from before\n');
      const result = await gatehouse(installArgs(ws, '--require-provenance'), ws);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('Nothing was installed: 1 package failed the trust check');
      expect(result.stderr).toMatch(/hand-made@1\.0\.0: provenance absent/);
      expect(result.stderr).not.toContain('@acme/built@1.0.0:');
      expect(await readFile(marker, 'utf8')).toBe('from before\n');
    });

    it('--require-provenance installs a tree built entirely with verified provenance', async () => {
      const ws = await project({ '@acme/built': '^1.0.0' });
      await rm(join(ws.dir, 'node_modules'), { recursive: true, force: true });
      const result = await gatehouse(installArgs(ws, '--require-provenance', '--require-signatures'), ws);
      expect(result.code, result.stderr).toBe(0);
      expect(existsSync(join(ws.dir, 'node_modules', '@acme', 'built', 'index.js'))).toBe(true);
    });
  });
}
