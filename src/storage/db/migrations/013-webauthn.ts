// WebAuthn (domain/webauthn): each account's security keys and passkeys, and the challenges
// handed to a browser, kept server-side so each is used once and expires. A credential holds
// only its public key (no secret); a challenge only as its SHA-256. Same on both engines.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('webauthn_credentials')
    // The authenticator's credential id, base64url: unique across every account.
    .addColumn('id', 'text', (c) => c.primaryKey().notNull())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('public_key', 'text', (c) => c.notNull())
    // The signature counter last seen: an assertion that does not move it forward is a clone or a replay.
    .addColumn('counter', 'bigint', (c) => c.notNull())
    .addColumn('transports', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('passkey', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .execute();
  await db.schema.createIndex('webauthn_credentials_user').on('webauthn_credentials').column('user_id').execute();
  await db.schema
    .createTable('webauthn_challenges')
    .addColumn('challenge_hash', 'text', (c) => c.primaryKey().notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    // Who may answer it: the account (second factor, registration) and, for a signed-in browser, its session.
    .addColumn('user_id', 'integer')
    .addColumn('session_id', 'text')
    .addColumn('passkey', 'integer', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
}
