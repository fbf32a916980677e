// Store.snapshot: reads that must agree with each other (a packument's versions and dist-tags)
// see one moment of the database, even while other changes commit, on both engines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, freshStore, type TestStore } from '../support/engines.js';
import type { Store } from '../../src/domain/store.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const engine of ENGINES) {
  describe(`snapshot reads (${engine})`, () => {
    let opened: TestStore;
    let store: Store;
    beforeAll(async () => {
      opened = await freshStore(engine);
      store = opened.store;
      await store.packages.create({ name: 'steady', createdAt: '2026-01-01T00:00:00.000Z' });
    });
    afterAll(() => opened.dispose());

    it('keeps seeing the state it first read while another change commits', async () => {
      let change: Promise<void> | undefined;
      const seen = await store.snapshot(async (repos) => {
        const before = await repos.packages.get('steady');
        // Not awaited here: on PostgreSQL it commits meanwhile; SQLite's one writer waits for the snapshot.
        change = store.transaction((tx) => tx.packages.touch('steady', { modifiedAt: '2026-02-02T00:00:00.000Z' }));
        await sleep(200);
        const after = await repos.packages.get('steady');
        return { before: before?.modifiedAt, after: after?.modifiedAt, rev: after?.rev };
      });
      await change;
      expect(seen).toEqual({ before: '2026-01-01T00:00:00.000Z', after: '2026-01-01T00:00:00.000Z', rev: 0 });
      expect((await store.packages.get('steady'))?.modifiedAt).toBe('2026-02-02T00:00:00.000Z');
    });
  });
}
