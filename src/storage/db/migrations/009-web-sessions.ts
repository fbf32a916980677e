// Web sessions (a signed-in browser) and the kind of each token. A session row keeps only the
// SHA-256 of its cookie's secret, never the secret. `tokens.kind` tells a session token (from
// `npm login`, which expires) from an automation token (`npm token create`); every token issued
// before this migration came from a login, so they are session tokens (their expiry is kept as it was).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('web_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('secret_hash', 'text', (c) => c.notNull().unique())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('user_agent', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('web_sessions_user').on('web_sessions').columns(['user_id', 'revoked_at']).execute();
  await db.schema
    .alterTable('tokens')
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('automation'))
    .execute();
  await sql`update tokens set kind = 'session'`.execute(db);
  // The security log reads one account's own events.
  await db.schema.createIndex('events_actor').on('events').columns(['actor_kind', 'actor_id']).execute();
}
