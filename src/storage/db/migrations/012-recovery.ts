// Account recovery (domain/accounts/recovery.ts, restrictions.ts) and critical packages
// (domain/packages/critical.ts): password-reset requests keyed by their event's request id (no
// secret: the link is derived), the read-only lock after a risky recovery step, and the stored
// list of critical packages. Same on both engines.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('password_resets')
    // SQLite lets a text primary key hold null unless told otherwise.
    .addColumn('request', 'text', (c) => c.primaryKey().notNull())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .execute();
  await db.schema
    .createTable('account_restrictions')
    .addColumn('user_id', 'integer', (c) => c.primaryKey().notNull().references('users.id'))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('until', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('critical_packages')
    .addColumn('package_name', 'text', (c) => c.primaryKey().notNull())
    .addColumn('downloads', 'integer', (c) => c.notNull())
    .addColumn('computed_at', 'text', (c) => c.notNull())
    .execute();
}
