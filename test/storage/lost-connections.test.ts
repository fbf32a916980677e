// A PostgreSQL connection closed under us while it is checked out (a transaction waiting on our
// own work, as a background job's does) must fail that work, not the process: the pool listens
// only to idle connections, so without the dialect's listener the client's 'error' event is
// unhandled and Node exits. The test holds a transaction open, has the server terminate every
// backend of the database, then lets the transaction go on: it is refused, and the next query
// runs on a fresh connection. PostgreSQL only (SQLite has no connections to lose).
import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, freshDatabase, POSTGRES_ADMIN_URL, type TestDatabase } from '../support/engines.js';
import { openDatabase, type Database } from '../../src/storage/db/database.js';

async function terminateBackends(databaseUrl: string): Promise<number> {
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  try {
    const result = await admin.query(
      'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
      [new URL(databaseUrl).pathname.slice(1)],
    );
    return result.rowCount ?? 0;
  } finally {
    await admin.end();
  }
}

describe.skipIf(!ENGINES.includes('postgres'))('a PostgreSQL connection lost while checked out', () => {
  let test: TestDatabase;
  let database: Database;
  beforeAll(async () => {
    test = await freshDatabase('postgres');
    database = await openDatabase({ databaseUrl: test.config.databaseUrl, dataDir: test.config.dataDir });
  });
  afterAll(async () => {
    await database?.db.destroy();
    await test?.dispose();
  });

  it('fails the transaction that held it, and the process and the next query go on', async () => {
    let goOn = () => {};
    const paused = new Promise<void>((resolve) => (goOn = resolve));
    let started = () => {};
    const inside = new Promise<void>((resolve) => (started = resolve));
    const held = database.db.transaction().execute(async (trx) => {
      await sql`select 1`.execute(trx);
      started();
      await paused;
      await sql`select 1`.execute(trx);
    });
    await inside;
    expect(await terminateBackends(test.config.databaseUrl)).toBeGreaterThan(0);
    // Time for the terminated connection's error to arrive while nobody is querying on it.
    await new Promise((resolve) => setTimeout(resolve, 300));
    goOn();
    await expect(held).rejects.toThrow();
    const { rows } = await sql<{ one: number }>`select 1 as one`.execute(database.db);
    expect(rows).toEqual([{ one: 1 }]);
  });
});
