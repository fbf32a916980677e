// Abandoned email domains (domain/accounts/email-domains.ts): the last DNS check of each domain
// accounts use, and the accounts whose email recovery a dead domain disabled. Same on both engines.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('email_domain_checks')
    // SQLite lets a text primary key hold null unless told otherwise.
    .addColumn('domain', 'text', (c) => c.primaryKey().notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('checked_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('email_domain_checks_checked_at').on('email_domain_checks').column('checked_at').execute();
  await db.schema
    .createTable('email_recovery_blocks')
    .addColumn('user_id', 'integer', (c) => c.primaryKey().notNull().references('users.id'))
    .addColumn('domain', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('blocked_at', 'text', (c) => c.notNull())
    .execute();
}
