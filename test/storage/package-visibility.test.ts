// Migration 005 on both engines: every package that existed before it is public, a new one is
// public, and what the store writes it reads back (in a package record and in search rows).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { ENGINES, freshDatabase, type TestDatabase } from '../support/engines.js';
import { openDatabase } from '../../src/storage/db/database.js';
import { createDbStore } from '../../src/storage/db/store.js';

const AT = '2030-01-01T00:00:00.000Z';

for (const engine of ENGINES) {
  describe(`package visibility (${engine})`, () => {
    let database: TestDatabase;
    beforeAll(async () => {
      database = await freshDatabase(engine);
    });
    afterAll(() => database.dispose());

    it('backfills packages from before migration 005 as public', async () => {
      // Take the schema back to just before 005, with a package in it, then open it again.
      const before = await openDatabase(database.config);
      await sql`alter table packages drop column visibility`.execute(before.db);
      await sql`delete from kysely_migration where name = ${'005-package-visibility'}`.execute(before.db);
      await before.db
        .insertInto('packages')
        .values({ name: 'old-pkg', created_at: AT, modified_at: AT, rev: 0, description: 'from before', keywords: '' })
        .execute();
      await before.db.destroy();

      const after = await openDatabase(database.config);
      const store = createDbStore(after.db, after.engine);
      try {
        expect((await store.packages.get('old-pkg'))?.visibility).toBe('public');
        expect(await store.packages.create({ name: 'new-pkg', createdAt: AT })).toBe(true);
        expect((await store.packages.get('new-pkg'))?.visibility).toBe('public');

        await store.packages.setVisibility('new-pkg', 'restricted');
        expect((await store.packages.get('new-pkg'))?.visibility).toBe('restricted');
        expect((await store.packages.get('old-pkg'))?.visibility).toBe('public');
        const rows = await store.packages.searchCandidates(['pkg'], 10);
        expect(Object.fromEntries(rows.map((row) => [row.name, row.visibility]))).toEqual({
          'new-pkg': 'restricted',
          'old-pkg': 'public',
        });
      } finally {
        await store.close();
      }
    });
  });
}
