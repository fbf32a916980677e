// Security keys guarding writes (domain/webauthn/write-approvals.ts). npm can send a write's
// second factor only as `npm-otp`, so an account whose factor is a key approves each write in the
// browser: the CLI gets a link to open and a done address to poll, and the poll hands it a
// one-time code to resend the write with. Links, done addresses and codes are kept as SHA-256
// hashes; a row is single-use and expires. `webauthn_settings` holds whether the account's keys
// guard writes (its absence means they guard sign-in only, as before this migration).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('webauthn_settings')
    .addColumn('user_id', 'integer', (c) => c.primaryKey().notNull().references('users.id'))
    .addColumn('guard_writes', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('write_approvals')
    .addColumn('id_hash', 'text', (c) => c.primaryKey().notNull())
    .addColumn('done_hash', 'text', (c) => c.notNull().unique())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    // What the CLI asked to do, for the page to show ("publish", "change owners", ...).
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('requested_ip', 'text', (c) => c.notNull())
    .addColumn('requested_user_agent', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('approved_at', 'text')
    // Set when the poll collects the code; the write that presents it spends it (used_at).
    .addColumn('code_hash', 'text', (c) => c.unique())
    .addColumn('used_at', 'text')
    .execute();
  await db.schema.createIndex('write_approvals_user').on('write_approvals').column('user_id').execute();
  // The sign-in key step's challenge remembers that the password step found the password leaked,
  // so the session the key opens is held to the password change page like one opened by password.
  await db.schema
    .alterTable('webauthn_challenges')
    .addColumn('password_change_required', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}
