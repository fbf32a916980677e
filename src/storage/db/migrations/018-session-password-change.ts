// A web session opened with a password the breach screen flags can reach only the password
// change page until the password changes (docs/leaked-passwords.md). Kept on the session, not
// the account: every sign-in screens the password again, and a new password ends these sessions.
// 0 or 1, the same on both engines.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('web_sessions')
    .addColumn('password_change_required', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}
