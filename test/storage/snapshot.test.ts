// Store.snapshot: reads that must agree with each other (a packument's versions and dist-tags)
// see one moment of the database, even while other changes commit, on both engines.
// The change comes from a second Store on the same database, as from another request or process:
// SQLite's one Kysely connection would queue a change from the same Store until the snapshot ended.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, freshDatabase, type TestDatabase } from '../support/engines.js';
import { openDatabase } from '../../src/storage/db/database.js';
import { createDbStore } from '../../src/storage/db/store.js';
import type { Store } from '../../src/domain/store.js';

const CREATED = '2026-01-01T00:00:00.000Z';
const CHANGED = '2026-02-02T00:00:00.000Z';

for (const engine of ENGINES) {
  describe(`snapshot reads (${engine})`, () => {
    let database: TestDatabase;
    let reader: Store;
    let writer: Store;
    beforeAll(async () => {
      database = await freshDatabase(engine);
      const open = async () => {
        const opened = await openDatabase(database.config);
        return createDbStore(opened.db, opened.engine);
      };
      reader = await open();
      writer = await open();
      await writer.packages.create({ name: 'steady', createdAt: CREATED });
    });
    afterAll(async () => {
      await reader?.close();
      await writer?.close();
      await database?.dispose();
    });

    it('keeps seeing the state it first read while another change commits', async () => {
      const seen = await reader.snapshot(async (repos) => {
        const before = await repos.packages.get('steady');
        // awaited: the change has committed before the second read, with no sleep to hope for it
        await writer.transaction((tx) => tx.packages.touch('steady', { modifiedAt: CHANGED }));
        const committed = await writer.packages.get('steady'); // outside the snapshot: the new state
        const after = await repos.packages.get('steady');
        return { before: before?.modifiedAt, committed: committed?.modifiedAt, after: after?.modifiedAt, rev: after?.rev };
      });
      expect(seen).toEqual({ before: CREATED, committed: CHANGED, after: CREATED, rev: 0 });
      expect((await reader.packages.get('steady'))?.modifiedAt).toBe(CHANGED);
    }, 20_000); // a snapshot that blocked the writer would hang here: fail soon, not at the default 120 s
  });
}
