// Migration 005 on both engines: every package that existed before it is public, a new one is
// public, and what the store writes it reads back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kysely, sql } from 'kysely';
import { ENGINES, freshDatabase, type TestDatabase } from '../support/engines.js';
import { dialectFor, migrate, openDatabase } from '../../src/storage/db/database.js';
import type { DB } from '../../src/storage/db/schema.js';
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
      // A database as 004 left it, with a package in it, then opened by this release.
      const before = new Kysely<DB>({ dialect: dialectFor(database.config) });
      try {
        await migrate(before, engine, '004-downloads');
        await sql`insert into packages (name, created_at, modified_at, rev, description, keywords)
          values ('old-pkg', ${AT}, ${AT}, 0, 'from before', '')`.execute(before);
      } finally {
        await before.destroy();
      }

      const after = await openDatabase(database.config);
      const store = createDbStore(after.db, after.engine);
      try {
        expect((await store.packages.get('old-pkg'))?.visibility).toBe('public');
        expect(await store.packages.create({ name: 'new-pkg', createdAt: AT })).toBe(true);
        expect((await store.packages.get('new-pkg'))?.visibility).toBe('public');

        await store.packages.setVisibility('new-pkg', 'restricted');
        expect((await store.packages.get('new-pkg'))?.visibility).toBe('restricted');
        expect((await store.packages.get('old-pkg'))?.visibility).toBe('public');
      } finally {
        await store.close();
      }
    });
  });
}
