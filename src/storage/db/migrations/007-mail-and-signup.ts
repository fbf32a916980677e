// Mail and sign-up: the outbox worker's position in the event sequence, one row per mail it owes
// (keyed by event and recipient, so a retry after a crash finds the row instead of adding one),
// the key that derives verification links, and the email verification requests.
// Both engines take the same statements (an expression index on lower(email) included); the cursor starts at the newest event, so upgrading a
// registry with history mails nobody about the past.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('mail_cursor')
    .addColumn('name', 'text', (c) => c.primaryKey().notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .execute();
  await sql`insert into mail_cursor (name, seq) select 'outbox', coalesce(max(seq), 0) from events`.execute(db);

  await db.schema
    .createTable('mail_outbox')
    .addColumn('event_seq', 'integer', (c) => c.notNull())
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull().unique())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('claimed_by', 'text')
    .addColumn('claimed_until', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .addPrimaryKeyConstraint('mail_outbox_pk', ['event_seq', 'recipient'])
    .execute();
  await db.schema.createIndex('mail_outbox_state').on('mail_outbox').columns(['state', 'claimed_until']).execute();

  await db.schema
    .createTable('mail_keys')
    .addColumn('name', 'text', (c) => c.primaryKey().notNull())
    .addColumn('secret', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('email_verifications')
    .addColumn('request', 'text', (c) => c.primaryKey().notNull())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('verified_at', 'text')
    .execute();

  // Sign-up refuses an address another account uses, whatever its case: the lookup needs this.
  await sql`create index users_email_lower on users (lower(email))`.execute(db);
}
