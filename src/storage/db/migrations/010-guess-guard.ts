// Brute-force counters, one row per (secret kind, account or address): how many attempts were
// counted, when the next may be made, and when the row is forgotten. Times are milliseconds since
// the epoch (bigint), so the guard's upsert compares and adds them in SQL on both engines.
// Used only when Redis is not configured. Holds names and addresses, never a secret.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('guess_counters')
    // SQLite lets a text primary key hold null unless told otherwise.
    .addColumn('key', 'text', (c) => c.primaryKey().notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('open_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    // 1 once the lock this row holds was reported (account.locked), so it is reported once.
    .addColumn('noticed', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  // The purge job deletes by expiry.
  await db.schema.createIndex('guess_counters_expiry').on('guess_counters').column('expires_at').execute();
}
