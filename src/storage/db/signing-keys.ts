// Kysely implementation of the signing key store (domain/signatures/store.ts).
import type { Kysely } from 'kysely';
import type { DB } from './schema.js';
import type { SigningKeyStore } from '../../domain/signatures/store.js';

export function signingKeyStore(db: Kysely<DB>): SigningKeyStore {
  return {
    async all() {
      const rows = await db.selectFrom('signing_keys').selectAll().orderBy('created_at', 'desc').orderBy('keyid').execute();
      return rows.map((r) => ({
        keyid: r.keyid,
        publicKey: r.public_key,
        privateKey: r.private_key,
        createdAt: r.created_at,
        expiresAt: r.expires_at,
      }));
    },
    async insert(key) {
      await db
        .insertInto('signing_keys')
        .values({
          keyid: key.keyid,
          public_key: key.publicKey,
          private_key: key.privateKey,
          created_at: key.createdAt,
          expires_at: key.expiresAt,
        })
        .execute();
    },
    async expireAllBut(keep, at) {
      await db
        .updateTable('signing_keys')
        .set({ expires_at: at })
        .where('keyid', '!=', keep)
        .where('expires_at', 'is', null)
        .execute();
    },
  };
}
