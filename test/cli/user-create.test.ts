// `gatehouse user create` (the compiled CLI) refuses a password over 1024 bytes before hashing
// it, and creates nothing. Build dist/ first.
import { describe, expect, it } from 'vitest';
import { ENGINES, freshDatabase } from '../support/engines.js';
import { assertBuilt, createUserByCli } from '../reliability/server-process.js';
import { openRegistry } from '../../src/registry.js';

for (const engine of ENGINES) {
  describe(`gatehouse user create (${engine})`, () => {
    it('refuses a password over 1024 bytes and creates no user', async () => {
      assertBuilt();
      const db = await freshDatabase(engine);
      try {
        await expect(createUserByCli(db.config, 'alice', 'x'.repeat(1025))).rejects.toThrow();
        const registry = await openRegistry(db.config);
        try {
          expect(await registry.store.users.byName('alice')).toBeUndefined();
          expect(await registry.store.events.latestSeq()).toBe(0);
        } finally {
          await registry.close();
        }
        // A password of exactly 1024 bytes is accepted.
        await createUserByCli(db.config, 'alice', 'y'.repeat(1024));
      } finally {
        await db.dispose();
      }
    });
  });
}
