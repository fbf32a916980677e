// A change's events reach this instance's subscribers when its transaction commits
// (src/domain/events/committed.ts), so a read right after a write on the same instance is fresh
// without waiting for the follower's poll, which then does not deliver them again.
// Every registry here polls never (eventPollMs: 0): only delivery at commit can make a read fresh.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../../support/engines.js';
import { startRegistry, type TestRegistry, type TestUser } from '../../support/registry.js';
import { addDistTag, deprecate, packument, unpublishVersion } from '../../support/npm-protocol.js';
import { packageBuilder } from '../../fixtures/package-builder.js';
import { SYSTEM_ACTOR } from '../../../src/domain/access/actor.js';

for (const engine of ENGINES) {
  describe(`committed events are delivered at once (${engine})`, () => {
    let r: TestRegistry;
    let alice: TestUser;
    beforeAll(async () => {
      // Publishes popular names (once, fresh) from the protected list; typosquatting is tested in test/http/typosquatting.test.ts.
      r = await startRegistry(engine, { config: { eventPollMs: 0, typosquatPolicy: 'off' } });
      alice = await r.createUser('alice');
    });
    afterAll(() => r.close());

    it('serves a fresh packument right after a publish, a dist-tag, a deprecation and an unpublish', async () => {
      expect((await r.publish(alice, packageBuilder('fresh', '1.0.0'))).statusCode).toBe(201);
      expect(Object.keys((await packument(r, 'fresh')).versions)).toEqual(['1.0.0']);
      expect((await r.publish(alice, packageBuilder('fresh', '1.0.1'))).statusCode).toBe(201);
      expect(Object.keys((await packument(r, 'fresh')).versions)).toEqual(['1.0.0', '1.0.1']);
      expect((await addDistTag(r, alice, 'fresh', 'beta', '1.0.0')).statusCode).toBe(200);
      expect((await packument(r, 'fresh'))['dist-tags']).toEqual({ latest: '1.0.1', beta: '1.0.0' });
      expect(
        (
          await deprecate(r, alice, 'fresh', (doc) => {
            doc.versions['1.0.0']!.deprecated = 'old';
          })
        ).statusCode,
      ).toBe(200);
      expect((await packument(r, 'fresh')).versions['1.0.0']?.deprecated).toBe('old');
      await unpublishVersion(r, alice.token, 'fresh', '1.0.1');
      expect(Object.keys((await packument(r, 'fresh')).versions)).toEqual(['1.0.0']);
    });

    it('hands each event over once: the poll skips what was delivered at commit', async () => {
      const seen: number[] = [];
      const stop = r.registry.events.subscribe((e) => void seen.push(e.seq));
      try {
        expect((await r.publish(alice, packageBuilder('once', '1.0.0'))).statusCode).toBe(201);
        expect((await addDistTag(r, alice, 'once', 'next', '1.0.0')).statusCode).toBe(200);
        expect(seen).toHaveLength(2);
        await r.registry.events.poll();
        expect(seen).toHaveLength(2);
        expect(new Set(seen).size).toBe(2);
      } finally {
        stop();
      }
    });

    it('delivers nothing from a transaction that rolled back', async () => {
      await r.registry.events.poll();
      const seen: string[] = [];
      const stop = r.registry.events.subscribe((e) => void seen.push(e.type));
      try {
        const rolledBack = r.registry.store.transaction(async (tx) => {
          await tx.events.append({
            type: 'dist_tag.set',
            actor: SYSTEM_ACTOR,
            packageName: 'never',
            data: { tag: 'latest' },
            createdAt: new Date().toISOString(),
          });
          throw new Error('roll back');
        });
        await expect(rolledBack).rejects.toThrow('roll back');
        await r.registry.events.poll();
        expect(seen).toEqual([]);
      } finally {
        stop();
      }
    });
  });
}
