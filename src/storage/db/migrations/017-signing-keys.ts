// Registry signatures (domain/signatures): the registry's ECDSA P-256 signing keys, current and
// retired, and each version's `dist.signatures` as stored at publish. The private key lives in the
// database so every instance of a fleet signs with the same one. Same on both engines.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('signing_keys')
    // SQLite lets a text primary key hold null unless told otherwise.
    .addColumn('keyid', 'text', (c) => c.primaryKey().notNull())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('private_key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text')
    .execute();
  // JSON list of {keyid, sig}; '[]' marks a version signed before this feature (signed on start).
  await db.schema
    .alterTable('versions')
    .addColumn('signatures', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
}
