// Kysely implementation of email verification requests and the address lookups sign-up needs.
import { sql, type Kysely } from 'kysely';
import type { DB } from './schema.js';
import type { Engine } from './engine.js';
import type { VerificationStore } from '../../domain/accounts/verification-store.js';

export function verificationStore(db: Kysely<DB>, engine: Engine): VerificationStore {
  return {
    async insert(v) {
      await db
        .insertInto('email_verifications')
        .values({
          request: v.request,
          user_id: v.userId,
          email: v.email,
          created_at: v.createdAt,
          expires_at: v.expiresAt,
          verified_at: null,
        })
        .onConflict((oc) => oc.column('request').doNothing())
        .execute();
    },
    async byRequest(request) {
      const row = await db.selectFrom('email_verifications').selectAll().where('request', '=', request).executeTakeFirst();
      return (
        row && {
          request: row.request,
          userId: Number(row.user_id),
          email: row.email,
          createdAt: row.created_at,
          expiresAt: row.expires_at,
          verifiedAt: row.verified_at,
        }
      );
    },
    async markVerified(request, at) {
      const used = await db
        .updateTable('email_verifications')
        .set({ verified_at: at })
        .where('request', '=', request)
        .where('verified_at', 'is', null)
        .returning(['user_id', 'email'])
        .executeTakeFirst();
      if (!used) return false;
      const verified = await db
        .updateTable('users')
        .set({ email_verified: 1 })
        .where('id', '=', used.user_id)
        .where('email', '=', used.email)
        .executeTakeFirst();
      return Number(verified.numUpdatedRows) === 1;
    },
    async emailInUse(email) {
      const row = await db
        .selectFrom('users')
        .select('id')
        .where(sql`lower(email)`, '=', email.toLowerCase())
        .executeTakeFirst();
      return row !== undefined;
    },
    async lockEmail(email) {
      // SQLite runs one write transaction at a time already; PostgreSQL needs a lock per address.
      if (engine === 'postgres')
        await sql`select pg_advisory_xact_lock(hashtext(${`signup-email:${email.toLowerCase()}`}))`.execute(db);
    },
  };
}
