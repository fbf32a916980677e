// Kysely implementation of the webauthn domain's store. A challenge is deleted by the request
// that takes it and a counter moves by a conditional update, so the database decides races.
import type { Kysely, Selectable } from 'kysely';
import type { DB, WebauthnChallengesTable, WebauthnCredentialsTable } from './schema.js';
import type { ChallengePurpose, StoredChallenge, WebAuthnCredential, WebAuthnStore } from '../../domain/webauthn/store.js';

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
  };
}
