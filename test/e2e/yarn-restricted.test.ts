// yarn 4 publishes a scoped package with `access: restricted` unless told otherwise (its
// `npmPublishAccess` default for scoped names). Gatehouse honours it: the package is private, a 404
// to anonymous readers and to users nobody granted it, and readable with a token granted through an
// org team (set up with the stock npm's org, team and access commands).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { createWorkspace, installCommand, removeWorkspace, runOk, skipWithout, type Workspace } from './clients.js';
import { writeProject } from './fixtures/projects.js';

for (const engine of ENGINES) {
  describe.skipIf(skipWithout('yarn4', 'npm11'))(`yarn 4 publishes a scoped package as restricted (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    let bob: TestUser;
    const workspaces: Workspace[] = [];

    beforeAll(async () => {
      r = await startRegistry(engine, { listen: true });
      alice = await r.createUser('alice');
      bob = await r.createUser('bob');
    });
    afterAll(async () => {
      await Promise.all(workspaces.map(removeWorkspace));
      await r?.close();
    });

    const reads = async (token?: string) =>
      (await fetch(`${r.url}/@yco%2fsecret`, { headers: token ? { authorization: `Bearer ${token}` } : {} })).status;

    it('the package is private: 404 to anonymous and to a stranger, readable with a granted token', async () => {
      const yarn = await createWorkspace({ registry: r.url, client: 'yarn4', token: alice.token });
      const aliceNpm = await createWorkspace({ registry: r.url, client: 'npm11', token: alice.token });
      workspaces.push(yarn, aliceNpm);
      await writeProject(yarn.dir, { name: '@yco/secret', version: '1.0.0' });
      // yarn 4 packs only a project it has installed; no --access: it sends `access: "restricted"` for a scoped name.
      await runOk('yarn4', installCommand('yarn4', false), yarn);
      const published = await runOk('yarn4', ['npm', 'publish'], yarn);
      expect(published.stdout + published.stderr).toMatch(/Package archive published/);

      expect(await reads()).toBe(404);
      expect(await reads(bob.token)).toBe(404);
      expect(await reads(alice.token)).toBe(200);
      expect((await fetch(`${r.url}/@yco%2fsecret/-/secret-1.0.0.tgz`)).status).toBe(404);

      await runOk('npm11', ['org', 'set', 'yco', 'bob', 'developer'], aliceNpm);
      await runOk('npm11', ['team', 'create', '@yco:readers'], aliceNpm);
      await runOk('npm11', ['team', 'add', '@yco:readers', 'bob'], aliceNpm);
      await runOk('npm11', ['access', 'grant', 'read-only', '@yco:readers', '@yco/secret'], aliceNpm);
      expect(await reads(bob.token)).toBe(200);
      expect(await reads()).toBe(404);
    });
  });
}
