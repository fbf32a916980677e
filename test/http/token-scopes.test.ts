// A token's scopes decide what it may do beside reading: `publish` for new versions, `manage` for
// dist-tags, deprecation, owners and unpublish. A read-only token (["read"]) is refused both, as
// before scopes existed; the refusal code stays TokenReadOnly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../support/registry.js';
import { packageBuilder } from '../fixtures/package-builder.js';
import * as npm from '../support/npm-protocol.js';
import { isReadOnly, tokenAllows, type TokenScope } from '../../src/domain/tokens/scopes.js';

describe('tokenAllows', () => {
  it('allows exactly the scopes listed', () => {
    expect(tokenAllows({ scopes: ['read', 'publish'] }, 'publish')).toBe(true);
    expect(tokenAllows({ scopes: ['read', 'publish'] }, 'manage')).toBe(false);
    expect(tokenAllows({ scopes: [] }, 'read')).toBe(false);
    expect([isReadOnly({ scopes: ['read'] }), isReadOnly({ scopes: ['read', 'manage'] })]).toEqual([true, false]);
  });
});

for (const engine of ENGINES) {
  describe(`token scopes on writes (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    const as = async (scopes: TokenScope[]): Promise<TestUser> => {
      const token = await r.registry.store.transaction(
        async (tx) => (await r.registry.tokens.create(tx, alice.user, { scopes, reason: 'test' })).secret,
      );
      return { ...alice, token };
    };
    const outcome = (res: { statusCode: number; json: <T>() => T }) =>
      res.statusCode < 300 ? 'ok' : res.json<{ code: string }>().code;

    beforeAll(async () => {
      r = await startRegistry(engine);
      alice = await r.createUser('alice');
      await npm.published(r, alice, packageBuilder('scoped-writes', '1.0.0'));
    });
    afterAll(() => r.close());

    it('lets each token publish and manage only as its scopes say', async () => {
      const cases: [TokenScope[], string, string][] = [
        [['read'], 'TokenReadOnly', 'TokenReadOnly'],
        [['read', 'publish'], 'ok', 'TokenReadOnly'],
        [['read', 'manage'], 'TokenReadOnly', 'ok'],
        [['read', 'publish', 'manage'], 'ok', 'ok'],
      ];
      let minor = 1;
      for (const [scopes, publish, manage] of cases) {
        const user = await as(scopes);
        const published = await r.publish(user, packageBuilder('scoped-writes', `1.${minor++}.0`));
        const tagged = await npm.addDistTag(r, user, 'scoped-writes', 'stable', '1.0.0');
        expect([outcome(published), outcome(tagged)], scopes.join()).toEqual([publish, manage]);
        // Reading needs no scope beyond read.
        expect((await r.inject({ method: 'GET', url: '/scoped-writes', headers: npm.bearer(user.token) })).statusCode).toBe(200);
      }
    });
  });
}
