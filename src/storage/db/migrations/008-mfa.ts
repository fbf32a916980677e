// Second factors (the authentication track): one TOTP enrolment per account, its single-use
// recovery codes, and the instant the maintainer MFA policy first applied to this registry.
// The TOTP secret is stored encrypted (AES-256-GCM, domain/mfa/secret-box.ts), never in clear;
// recovery codes only as SHA-256 hashes. The same statements serve both engines.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('mfa_totp')
    .addColumn('user_id', 'integer', (c) => c.primaryKey().references('users.id'))
    // v1.<iv>.<tag>.<ciphertext>, bound to the user id: a row copied to another account does not open.
    .addColumn('sealed_secret', 'text', (c) => c.notNull())
    .addColumn('level', 'text', (c) => c.notNull())
    // null until the first code confirms the enrolment; a pending row is no second factor.
    .addColumn('confirmed_at', 'text')
    // The last 30-second step a code was accepted for: a code at or before it is a replay.
    .addColumn('last_step', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('mfa_recovery_codes')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .addPrimaryKeyConstraint('mfa_recovery_codes_pk', ['user_id', 'code_hash'])
    .execute();
  await db.schema
    .createTable('mfa_policy')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .execute();
}
