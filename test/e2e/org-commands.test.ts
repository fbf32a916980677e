// The stock npm 11 driving orgs, teams and package access against Gatehouse, on both engines:
// `npm publish --access restricted`, `npm org set|rm|ls`, `npm team create|add|rm|ls|destroy` and
// `npm access grant|revoke|list packages|list collaborators|get status|set status`, each checked
// in what npm prints and in what another user's npm can then read.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { createWorkspace, removeWorkspace, run, runOk, skipWithout, type ClientResult, type Workspace } from './clients.js';

const client = 'npm11';
const shown = (result: ClientResult) => result.stdout + result.stderr;
const json = (result: ClientResult): unknown => JSON.parse(result.stdout);

for (const engine of ENGINES) {
  describe.skipIf(skipWithout(client))(`npm 11 org, team and access commands (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    let bob: TestUser;
    let aliceNpm: Workspace;
    let bobNpm: Workspace;
    const npm = (args: string[], ws: Workspace) => run(client, args, ws);
    const npmOk = (args: string[], ws: Workspace) => runOk(client, args, ws);
    const bobReads = async () => (await npm(['view', '@corp/private', 'version', '--prefer-online'], bobNpm)).code === 0;

    beforeAll(async () => {
      r = await startRegistry(engine, { listen: true });
      alice = await r.createUser('alice');
      bob = await r.createUser('bob');
      aliceNpm = await createWorkspace({ registry: r.url, client, token: alice.token });
      bobNpm = await createWorkspace({ registry: r.url, client, token: bob.token });
      const manifest = { name: '@corp/private', version: '1.0.0', license: 'MIT', description: 'org test' };
      await writeFile(join(aliceNpm.dir, 'package.json'), JSON.stringify(manifest, null, 2));
      await writeFile(join(aliceNpm.dir, 'index.js'), 'module.exports = 1;\n');
    });
    afterAll(async () => {
      await Promise.all([aliceNpm, bobNpm].map(removeWorkspace));
      await r.close();
    });

    it('publishes a private package whose first publish makes the org, and manages who reads it', async () => {
      await npmOk(['publish', '--access', 'restricted'], aliceNpm);
      expect(json(await npmOk(['access', 'get', 'status', '@corp/private', '--json'], aliceNpm))).toEqual({
        '@corp/private': 'private',
      });
      expect(json(await npmOk(['org', 'ls', 'corp', '--json'], aliceNpm))).toEqual({ alice: 'owner' });
      expect((await fetch(`${r.url}/@corp%2fprivate`)).status).toBe(404);

      expect(shown(await npmOk(['org', 'set', 'corp', 'bob', 'developer'], aliceNpm))).toContain(
        'Added bob as developer to corp. You now have 2 members in this org.',
      );
      // A developer of the org still cannot read a package nobody granted them.
      expect(await bobReads()).toBe(false);

      await npmOk(['team', 'create', '@corp:readers'], aliceNpm);
      await npmOk(['team', 'add', '@corp:readers', 'bob'], aliceNpm);
      expect(shown(await npmOk(['team', 'ls', '@corp'], aliceNpm))).toContain('@corp:readers');
      expect(shown(await npmOk(['team', 'ls', '@corp:readers'], aliceNpm))).toContain('bob');
      await npmOk(['access', 'grant', 'read-only', '@corp:readers', '@corp/private'], aliceNpm);
      expect(await bobReads()).toBe(true);
      expect(json(await npmOk(['access', 'list', 'packages', '@corp:readers', '--json'], aliceNpm))).toEqual({
        '@corp/private': 'read-only',
      });
      expect(json(await npmOk(['access', 'list', 'collaborators', '@corp/private', '--json'], aliceNpm))).toEqual({
        alice: 'read-write',
        bob: 'read-only',
      });
      expect(json(await npmOk(['access', 'list', 'packages', 'corp', '--json'], bobNpm))).toEqual({
        '@corp/private': 'read-only',
      });

      await npmOk(['access', 'revoke', '@corp:readers', '@corp/private'], aliceNpm);
      expect(await bobReads()).toBe(false);
      await npmOk(['access', 'grant', 'read-only', '@corp:readers', '@corp/private'], aliceNpm);
      expect(await bobReads()).toBe(true);

      // Removing him from the org closes the package on his existing token at once.
      expect(shown(await npmOk(['org', 'rm', 'corp', 'bob'], aliceNpm))).toContain('Successfully removed bob from corp.');
      expect(await bobReads()).toBe(false);
      const refused = await npm(['org', 'set', 'corp', 'bob', 'admin'], bobNpm);
      expect(refused.code).not.toBe(0);
      expect(shown(refused)).toContain('E403');

      await npmOk(['team', 'destroy', '@corp:readers'], aliceNpm);
      expect(shown(await npmOk(['team', 'ls', '@corp'], aliceNpm))).not.toContain('@corp:readers');

      expect(json(await npmOk(['access', 'set', 'status=public', '@corp/private', '--json'], aliceNpm))).toEqual({
        '@corp/private': 'public',
      });
      expect((await fetch(`${r.url}/@corp%2fprivate`)).status).toBe(200);
      expect(await bobReads()).toBe(true);
    });
  });
}
