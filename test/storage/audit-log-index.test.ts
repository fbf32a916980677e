// The audit log's queries (storage/db/audit-log.ts) walk an index on both engines, never the whole
// event table: EXPLAIN over a table of 20,000 events from 200 packages, orgs and accounts must name
// the index each query shape was given in migration 029, and the answers must be the right events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import { ENGINES, freshDatabase, type TestDatabase } from '../support/engines.js';
import { openDatabase } from '../../src/storage/db/database.js';
import { createDbStore } from '../../src/storage/db/store.js';
import { auditLogQueries } from '../../src/storage/db/audit-log.js';
import type { DB } from '../../src/storage/db/schema.js';
import type { Store } from '../../src/domain/store.js';

const EVENTS = 20_000;
const SPREAD = 200;

for (const engine of ENGINES) {
  describe(`audit log queries use their indexes (${engine})`, () => {
    let database: TestDatabase;
    let db: Kysely<DB>;
    let store: Store;

    beforeAll(async () => {
      database = await freshDatabase(engine);
      const opened = await openDatabase(database.config);
      db = opened.db;
      store = createDbStore(opened.db, opened.engine);
      const rows = Array.from({ length: EVENTS }, (_, i) => ({
        type: i % 2 === 0 ? 'package.published' : 'owner.added',
        actor_kind: 'user',
        actor_id: String(i % SPREAD),
        package_name: `@org${i % SPREAD}/pkg${i % 7}`,
        version: '1.0.0',
        data: i % 2 === 0 ? '{}' : JSON.stringify({ user: `user${i % SPREAD}` }),
        created_at: new Date(1_700_000_000_000 + i).toISOString(),
        org: `org${i % SPREAD}`,
        subject_user: i % 2 === 0 ? null : `user${i % SPREAD}`,
      }));
      for (let i = 0; i < rows.length; i += 500)
        await db
          .insertInto('events')
          .values(rows.slice(i, i + 500))
          .execute();
      await sql`analyze`.execute(db);
    }, 120_000);
    afterAll(async () => {
      await store?.close();
      await database?.dispose();
    });

    async function plan(query: { compile(): { sql: string; parameters: readonly unknown[] } }): Promise<string> {
      const compiled = query.compile();
      const explain = engine === 'sqlite' ? 'explain query plan ' : 'explain ';
      const result = await db.executeQuery<Record<string, unknown>>({
        ...compiled,
        sql: explain + compiled.sql,
        query: compiled as never,
      } as never);
      return result.rows.map((r) => String(r.detail ?? r['QUERY PLAN'])).join('\n');
    }

    it('names the index of each query shape in its plan', async () => {
      const q = auditLogQueries(db);
      const shapes: [string, { compile(): { sql: string; parameters: readonly unknown[] } }][] = [
        ['events_package_seq', q.package('@org7/pkg1', 0, 100)],
        ['events_org_seq', q.org('org7', 0, 100)],
        ['events_actor_seq', q.actor(7, 0, 100)],
        ['events_subject_user_seq', q.subjectUser('user7', 0, 100)],
      ];
      for (const [index, query] of shapes) {
        const text = await plan(query);
        expect(text, text).toContain(index);
        expect(text, text).not.toMatch(/SCAN events\b|Seq Scan on events/);
      }
    });

    it('answers each log with exactly its events, oldest first', async () => {
      const org = await store.auditLog.forOrg('org7', 0, 1000);
      expect(org).toHaveLength(EVENTS / SPREAD);
      expect(org.every((e) => e.packageName?.startsWith('@org7/'))).toBe(true);
      const account = await store.auditLog.forAccount({ id: 7, name: 'user7' }, 0, 1000);
      expect(account.map((e) => e.seq)).toEqual(org.map((e) => e.seq));
      const page = await store.auditLog.forAccount({ id: 7, name: 'user7' }, org[10]!.seq, 5);
      expect(page.map((e) => e.seq)).toEqual(org.slice(11, 16).map((e) => e.seq));
    });
  });
}
