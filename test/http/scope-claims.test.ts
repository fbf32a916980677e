// The scope rule users see: the first publish in an unclaimed scope claims it, and whoever owns
// any package in the scope may create new packages there. The rule now reads the explicit claim
// table, which owner add/rm keep in their transactions; after every change here the table must
// agree with the owners it replaces.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { packageBuilder } from '../fixtures/package-builder.js';
import * as npm from '../support/npm-protocol.js';

for (const engine of ENGINES) {
  describe(`scope claims (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    let bob: TestUser;
    let carol: TestUser;

    /** Every name published here, for recomputing a scope's owners the old way. */
    const created: string[] = [];
    const publish = async (user: TestUser, name: string, version = '1.0.0') => {
      const res = await r.publish(user, packageBuilder(name, version));
      if (res.statusCode !== 201) return res.json<{ code: string }>().code;
      created.push(name);
      return 'ok';
    };
    const members = async (scope: string) => (await r.registry.store.packages.scopeOwners(scope)).map((u) => u.name);

    /** What the LIKE query this table replaced answered: every owner of any package in the scope. */
    async function ownersOfScope(scope: string): Promise<string[]> {
      const owners = new Set<string>();
      for (const name of created.filter((n) => n.startsWith(`${scope}/`))) {
        for (const user of await r.registry.store.packages.owners(name)) owners.add(user.name);
      }
      return [...owners].sort();
    }

    async function expectAgreement(scope: string, expected: string[]) {
      expect(await members(scope)).toEqual(expected);
      expect(await ownersOfScope(scope)).toEqual(expected);
    }

    beforeAll(async () => {
      r = await startRegistry(engine);
      alice = await r.createUser('alice');
      bob = await r.createUser('bob');
      carol = await r.createUser('carol');
    });
    afterAll(() => r.close());

    it('claims an unclaimed scope at its first publish, for the publisher', async () => {
      expect(await r.registry.store.packages.scopeClaim('@acme')).toBeUndefined();
      expect(await publish(alice, '@acme/one')).toBe('ok');
      const claim = await r.registry.store.packages.scopeClaim('@acme');
      const created = (await r.registry.store.packages.get('@acme/one'))!.createdAt;
      expect(claim).toMatchObject({ scope: '@acme', claimedAt: created, claimedBy: { kind: 'user', userId: alice.user.id } });
      expect(claim!.members.map((u) => u.name)).toEqual(['alice']);
      await expectAgreement('@acme', ['alice']);
      // An unscoped name claims no scope.
      expect(await publish(bob, 'acme-one')).toBe('ok');
      await expectAgreement('@acme', ['alice']);
    });

    it('refuses a new package in a claimed scope to a non-member, and lets members in', async () => {
      expect(await publish(bob, '@acme/two')).toBe('ScopeNotYours');
      expect(await r.registry.store.packages.get('@acme/two')).toBeUndefined();
      expect(await publish(alice, '@acme/two')).toBe('ok');
      await expectAgreement('@acme', ['alice']);
    });

    it('makes an added owner a member, and an owner removed from their last package in the scope no longer one', async () => {
      const added = await npm.changeOwners(r, alice, '@acme/one', (m) => m.push({ name: 'bob', email: 'bob@example.com' }));
      expect(added.statusCode).toBe(200);
      await expectAgreement('@acme', ['alice', 'bob']);
      expect(await publish(bob, '@acme/three')).toBe('ok');
      await expectAgreement('@acme', ['alice', 'bob']);

      // Bob owns @acme/three still, so leaving @acme/one keeps him a member.
      const left = await npm.changeOwners(r, alice, '@acme/one', (m) =>
        m.splice(
          m.findIndex((o) => o.name === 'bob'),
          1,
        ),
      );
      expect(left.statusCode).toBe(200);
      await expectAgreement('@acme', ['alice', 'bob']);

      const withCarol = await npm.changeOwners(r, alice, '@acme/two', (m) =>
        m.push({ name: 'carol', email: 'carol@example.com' }),
      );
      expect(withCarol.statusCode).toBe(200);
      await expectAgreement('@acme', ['alice', 'bob', 'carol']);
      const withoutCarol = await npm.changeOwners(r, alice, '@acme/two', (m) =>
        m.splice(
          m.findIndex((o) => o.name === 'carol'),
          1,
        ),
      );
      expect(withoutCarol.statusCode).toBe(200);
      await expectAgreement('@acme', ['alice', 'bob']);
      expect(await publish(carol, '@acme/four')).toBe('ScopeNotYours');
    });

    it('keeps the scope claimed when a whole package is unpublished: its owners keep the name', async () => {
      expect(await publish(carol, '@solo/only')).toBe('ok');
      const gone = await npm.unpublishPackage(r, carol.token, '@solo/only');
      expect(gone.statusCode).toBe(200);
      await expectAgreement('@solo', ['carol']);
      expect(await publish(bob, '@solo/other')).toBe('ScopeNotYours');
      expect(await publish(carol, '@solo/other')).toBe('ok');
    });

    it('lets only one of two first publishes racing for an unclaimed scope claim it', async () => {
      const results = await Promise.all([publish(alice, '@race/a'), publish(bob, '@race/b')]);
      const winner = results[0] === 'ok' ? 'alice' : 'bob';
      expect([...results].sort()).toEqual(['ScopeNotYours', 'ok']);
      const claim = await r.registry.store.packages.scopeClaim('@race');
      expect(claim!.members.map((u) => u.name)).toEqual([winner]);
      await expectAgreement('@race', [winner]);
    });
  });
}
