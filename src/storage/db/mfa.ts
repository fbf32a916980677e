// Kysely implementation of the mfa domain's store. Replay and double use are refused by
// conditional updates, so racing requests with the same code are decided by the database.
import type { Kysely, Selectable } from 'kysely';
import type { DB, MfaTotpTable } from './schema.js';
import type { MfaLevel, MfaStore, TotpEnrolment } from '../../domain/mfa/store.js';

function toEnrolment(row: Selectable<MfaTotpTable>): TotpEnrolment {
  return {
    userId: Number(row.user_id),
    sealedSecret: row.sealed_secret,
    level: row.level as MfaLevel,
    confirmedAt: row.confirmed_at,
    lastStep: row.last_step === null ? null : Number(row.last_step),
    createdAt: row.created_at,
  };
}

export function mfaStore(db: Kysely<DB>): MfaStore {
  return {
    async totp(userId) {
      const row = await db.selectFrom('mfa_totp').selectAll().where('user_id', '=', userId).executeTakeFirst();
      return row && toEnrolment(row);
    },
    async putPendingTotp(row) {
      await db
        .insertInto('mfa_totp')
        .values({ user_id: row.userId, sealed_secret: row.sealedSecret, level: row.level, created_at: row.createdAt })
        .onConflict((oc) =>
          oc.column('user_id').doUpdateSet({
            sealed_secret: row.sealedSecret,
            level: row.level,
            created_at: row.createdAt,
            confirmed_at: null,
            last_step: null,
          }),
        )
        .execute();
    },
    async confirmTotp(userId, at) {
      await db.updateTable('mfa_totp').set({ confirmed_at: at }).where('user_id', '=', userId).execute();
    },
    async setLevel(userId, level) {
      await db.updateTable('mfa_totp').set({ level }).where('user_id', '=', userId).execute();
    },
    async claimStep(userId, step) {
      const result = await db
        .updateTable('mfa_totp')
        .set({ last_step: step })
        .where('user_id', '=', userId)
        .where((eb) => eb.or([eb('last_step', 'is', null), eb('last_step', '<', step)]))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async removeTotp(userId) {
      await db.deleteFrom('mfa_recovery_codes').where('user_id', '=', userId).execute();
      await db.deleteFrom('mfa_totp').where('user_id', '=', userId).execute();
    },
    async replaceRecoveryCodes(userId, hashes, at) {
      await db.deleteFrom('mfa_recovery_codes').where('user_id', '=', userId).execute();
      if (hashes.length === 0) return;
      await db
        .insertInto('mfa_recovery_codes')
        .values(hashes.map((hash) => ({ user_id: userId, code_hash: hash, created_at: at })))
        .execute();
    },
    async useRecoveryCode(userId, hash, at) {
      const result = await db
        .updateTable('mfa_recovery_codes')
        .set({ used_at: at })
        .where('user_id', '=', userId)
        .where('code_hash', '=', hash)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async unusedRecoveryCodes(userId) {
      const row = await db
        .selectFrom('mfa_recovery_codes')
        .select((eb) => eb.fn.countAll<number | string>().as('count'))
        .where('user_id', '=', userId)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      return Number(row?.count ?? 0);
    },
    async policyStart(at) {
      await db
        .insertInto('mfa_policy')
        .values({ id: 1, started_at: at })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      const row = await db.selectFrom('mfa_policy').select('started_at').where('id', '=', 1).executeTakeFirstOrThrow();
      return row.started_at;
    },
  };
}
