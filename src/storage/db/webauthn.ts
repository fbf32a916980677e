// Kysely implementation of the webauthn domain's store. A challenge is deleted by the request
// that takes it and a counter moves by a conditional update, so the database decides races.
import type { Kysely, Selectable } from 'kysely';
import type { DB, WebauthnChallengesTable, WebauthnCredentialsTable, WriteApprovalsTable } from './schema.js';
import type {
  ChallengePurpose,
  StoredChallenge,
  WebAuthnCredential,
  WebAuthnStore,
  WriteApproval,
} from '../../domain/webauthn/store.js';

function toCredential(row: Selectable<WebauthnCredentialsTable>): WebAuthnCredential {
  return {
    id: row.id,
    userId: Number(row.user_id),
    publicKey: row.public_key,
    counter: Number(row.counter),
    transports: JSON.parse(row.transports) as string[],
    name: row.name,
    passkey: Number(row.passkey) === 1,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
  };
}

function toChallenge(row: Selectable<WebauthnChallengesTable>): StoredChallenge {
  return {
    challengeHash: row.challenge_hash,
    purpose: row.purpose as ChallengePurpose,
    userId: row.user_id === null ? null : Number(row.user_id),
    sessionId: row.session_id,
    passkey: Number(row.passkey) === 1,
    expiresAt: row.expires_at,
    passwordChangeRequired: Number(row.password_change_required) === 1,
  };
}

function toApproval(row: Selectable<WriteApprovalsTable>): WriteApproval {
  return {
    idHash: row.id_hash,
    doneHash: row.done_hash,
    userId: Number(row.user_id),
    action: row.action,
    requestedBy: { ip: row.requested_ip, userAgent: row.requested_user_agent },
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    approvedAt: row.approved_at,
    codeHash: row.code_hash,
    usedAt: row.used_at,
  };
}

export function webAuthnStore(db: Kysely<DB>): WebAuthnStore {
  return {
    async credentials(userId) {
      const rows = await db
        .selectFrom('webauthn_credentials')
        .selectAll()
        .where('user_id', '=', userId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toCredential);
    },
    async credential(id) {
      const row = await db.selectFrom('webauthn_credentials').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toCredential(row);
    },
    async insertCredential(c) {
      await db
        .insertInto('webauthn_credentials')
        .values({
          id: c.id,
          user_id: c.userId,
          public_key: c.publicKey,
          counter: c.counter,
          transports: JSON.stringify(c.transports),
          name: c.name,
          passkey: c.passkey ? 1 : 0,
          created_at: c.createdAt,
          last_used_at: c.lastUsedAt,
        })
        .execute();
    },
    async removeCredential(userId, id) {
      const result = await db
        .deleteFrom('webauthn_credentials')
        .where('user_id', '=', userId)
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },
    async recordUse(id, from, to, at) {
      const result = await db
        .updateTable('webauthn_credentials')
        .set({ counter: to, last_used_at: at })
        .where('id', '=', id)
        .where('counter', '=', from)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async putChallenge(c) {
      await db
        .insertInto('webauthn_challenges')
        .values({
          challenge_hash: c.challengeHash,
          purpose: c.purpose,
          user_id: c.userId,
          session_id: c.sessionId,
          passkey: c.passkey ? 1 : 0,
          expires_at: c.expiresAt,
          password_change_required: c.passwordChangeRequired ? 1 : 0,
        })
        .execute();
    },
    async takeChallenge(challengeHash) {
      const row = await db
        .deleteFrom('webauthn_challenges')
        .where('challenge_hash', '=', challengeHash)
        .returningAll()
        .executeTakeFirst();
      return row && toChallenge(row);
    },
    async purgeChallenges(before) {
      await db.deleteFrom('webauthn_challenges').where('expires_at', '<', before).execute();
    },
    async guardsWrites(userId) {
      const row = await db
        .selectFrom('webauthn_settings')
        .select('guard_writes')
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return Number(row?.guard_writes ?? 0) === 1;
    },
    async setGuardsWrites(userId, on, at) {
      await db
        .insertInto('webauthn_settings')
        .values({ user_id: userId, guard_writes: on ? 1 : 0, updated_at: at })
        .onConflict((c) => c.column('user_id').doUpdateSet({ guard_writes: on ? 1 : 0, updated_at: at }))
        .execute();
    },
    async openApprovals(userId, now) {
      const row = await db
        .selectFrom('write_approvals')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('user_id', '=', userId)
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async insertApproval(a) {
      await db
        .insertInto('write_approvals')
        .values({
          id_hash: a.idHash,
          done_hash: a.doneHash,
          user_id: a.userId,
          action: a.action,
          requested_ip: a.requestedBy.ip,
          requested_user_agent: a.requestedBy.userAgent,
          created_at: a.createdAt,
          expires_at: a.expiresAt,
          approved_at: a.approvedAt,
          code_hash: a.codeHash,
          used_at: a.usedAt,
        })
        .execute();
    },
    async approvalById(idHash) {
      const row = await db.selectFrom('write_approvals').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
      return row && toApproval(row);
    },
    async approvalByDone(doneHash) {
      const row = await db.selectFrom('write_approvals').selectAll().where('done_hash', '=', doneHash).executeTakeFirst();
      return row && toApproval(row);
    },
    async approve(idHash, at) {
      const result = await db
        .updateTable('write_approvals')
        .set({ approved_at: at })
        .where('id_hash', '=', idHash)
        .where('approved_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async collect(idHash, codeHash) {
      const result = await db
        .updateTable('write_approvals')
        .set({ code_hash: codeHash })
        .where('id_hash', '=', idHash)
        .where('approved_at', 'is not', null)
        .where('code_hash', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async spendApproval(userId, codeHash, now) {
      const result = await db
        .updateTable('write_approvals')
        .set({ used_at: now })
        .where('user_id', '=', userId)
        .where('code_hash', '=', codeHash)
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async purgeApprovals(before) {
      await db.deleteFrom('write_approvals').where('expires_at', '<', before).execute();
    },
  };
}
