// Web logins remember who asked (address and User-Agent of POST /-/v1/login, shown on the
// sign-in page) and are found by expiry, for purging, and by address, for the per-address bound.
// Rows from before this migration get empty strings: they expire within ten minutes anyway.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('web_logins')
    .addColumn('requester_ip', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema
    .alterTable('web_logins')
    .addColumn('requester_agent', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema.createIndex('web_logins_expires_at').on('web_logins').column('expires_at').execute();
  await db.schema.createIndex('web_logins_requester_ip').on('web_logins').columns(['requester_ip', 'expires_at']).execute();
}
