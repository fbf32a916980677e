// `npm audit signatures` with the stock client against packages installed from Gatehouse: npm
// refreshes (a local copy of) Sigstore's TUF repository first, finds no keys for this registry
// there, fetches /-/npm/v1/keys and verifies every installed version's dist.signatures. A
// signature changed in the database is reported invalid.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { startTufMirror, type TufMirror } from '../support/tuf-mirror.js';
import { packageBuilder } from '../fixtures/package-builder.js';
import { openDatabase } from '../../src/storage/db/database.js';
import { run, runOk, skipWithout, type ClientName } from './clients.js';
import { installedProjects } from './fixtures/installed.js';

const NPMS: ClientName[] = ['npm11', 'npm12'];

for (const engine of ENGINES) {
  describe(`npm audit signatures (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    let tuf: TufMirror;
    const projects = installedProjects(() => r.url);

    beforeAll(async () => {
      tuf = await startTufMirror();
      r = await startRegistry(engine, { listen: true });
      alice = await r.createUser('alice');
      const publish = async (name: string, version: string, deps?: Record<string, string>) => {
        const builder = packageBuilder(name, version).file('index.js', `module.exports = ${JSON.stringify(name)};\n`);
        for (const [dep, range] of Object.entries(deps ?? {})) builder.dependency(dep, range);
        const put = await r.publish(alice, builder);
        expect(put.statusCode, put.body).toBe(201);
      };
      await publish('sig-leaf', '1.0.0');
      await publish('@acme/sig-root', '1.0.0', { 'sig-leaf': '^1.0.0' });
      await publish('sig-tampered', '1.0.0');
    });
    afterAll(async () => {
      await projects.removeAll();
      await r?.close();
      await tuf?.close();
    });

    // npm reads Sigstore's TUF repository from its cache first: seeded from the local mirror.
    const installed = (client: ClientName, deps: Record<string, string>) =>
      projects.install(client, deps, (ws) => tuf.seed(join(ws.cacheDir, 'npm')));

    for (const client of NPMS) {
      it.skipIf(skipWithout(client))(`${client} reports every installed package verified`, async () => {
        const ws = await installed(client, { '@acme/sig-root': '^1.0.0' });
        const before = tuf.requests.length;
        const result = await runOk(client, ['audit', 'signatures'], ws, { env: tuf.env });
        const output = result.stdout + result.stderr;
        expect(output).toContain('audited 2 packages');
        expect(output).toMatch(/2 packages have verified registry signatures/);
        expect(output).not.toMatch(/missing|invalid/i);
        // It asked the TUF repository first (not a skipped check), then fell back to our keys.
        expect(tuf.requests.slice(before)).toEqual(expect.arrayContaining(['/timestamp.json', '/targets.json']));
        expect(output).toContain('Fetching verification keys using TUF failed');
      });
    }

    it.skipIf(skipWithout('npm11'))('npm 11 reports a tampered signature as invalid and fails', async () => {
      const ws = await installed('npm11', { 'sig-tampered': '1.0.0', 'sig-leaf': '1.0.0' });
      // Another version's genuine signature: well-formed, by the registry's key, over another message.
      const leaf = (await r.registry.store.packages.version('sig-leaf', '1.0.0'))!;
      const { db } = await openDatabase(r.registry.config);
      try {
        await db
          .updateTable('versions')
          .set({ signatures: JSON.stringify(leaf.signatures) })
          .where('package_name', '=', 'sig-tampered')
          .execute();
      } finally {
        await db.destroy();
      }
      r.registry.packages.packuments.invalidate('sig-tampered');
      const result = await run('npm11', ['audit', 'signatures'], ws, { env: tuf.env });
      const output = result.stdout + result.stderr;
      expect(result.code, output).not.toBe(0);
      expect(output).toMatch(/1 package has an invalid registry signature/);
      expect(output).toContain('sig-tampered@1.0.0');
      expect(output).toMatch(/1 package has a verified registry signature/);
    });
  });
}
