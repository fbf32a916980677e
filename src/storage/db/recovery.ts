// Kysely implementation of account recovery's repository: reset requests, address changes and
// read-only locks. Same SQL on both engines.
import { sql, type Kysely } from 'kysely';
import type { DB } from './schema.js';
import type { RecoveryStore, RestrictionReason } from '../../domain/accounts/recovery-store.js';
import { toUser } from './users.js';

export function recoveryStore(db: Kysely<DB>): RecoveryStore {
  return {
    async insertReset(reset) {
      await db
        .insertInto('password_resets')
        .values({
          request: reset.request,
          user_id: reset.userId,
          email: reset.email,
          created_at: reset.createdAt,
          expires_at: reset.expiresAt,
          used_at: null,
        })
        .execute();
    },
    async resetByRequest(request) {
      const row = await db.selectFrom('password_resets').selectAll().where('request', '=', request).executeTakeFirst();
      return (
        row && {
          request: row.request,
          userId: Number(row.user_id),
          email: row.email,
          createdAt: row.created_at,
          expiresAt: row.expires_at,
          usedAt: row.used_at,
        }
      );
    },
    async latestReset(userId) {
      const row = await db
        .selectFrom('password_resets')
        .select('created_at')
        .where('user_id', '=', userId)
        .orderBy('created_at', 'desc')
        .executeTakeFirst();
      return row?.created_at;
    },
    async useReset(request, at) {
      const result = await db
        .updateTable('password_resets')
        .set({ used_at: at })
        .where('request', '=', request)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async userByEmail(email) {
      const row = await db
        .selectFrom('users')
        .selectAll()
        .where(sql`lower(email)`, '=', email.toLowerCase())
        .orderBy('id')
        .executeTakeFirst();
      return row && toUser(row);
    },
    async setEmail(userId, email) {
      await db.updateTable('users').set({ email, email_verified: 0 }).where('id', '=', userId).execute();
    },
    async restrict(restriction, at) {
      await db
        .insertInto('account_restrictions')
        .values({ user_id: restriction.userId, reason: restriction.reason, until: restriction.until, created_at: at })
        .onConflict((oc) =>
          oc.column('user_id').doUpdateSet({
            // ISO times compare as text: the later lock wins, with its reason.
            reason: sql<string>`case when excluded.until > account_restrictions.until then excluded.reason else account_restrictions.reason end`,
            until: sql<string>`case when excluded.until > account_restrictions.until then excluded.until else account_restrictions.until end`,
          }),
        )
        .execute();
    },
    async restriction(userId) {
      const row = await db.selectFrom('account_restrictions').selectAll().where('user_id', '=', userId).executeTakeFirst();
      return row && { userId: Number(row.user_id), reason: row.reason as RestrictionReason, until: row.until };
    },
  };
}
