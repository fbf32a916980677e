// Typosquatting defence (domain/names): names an administrator allowed although they resemble a
// protected or popular one, and the claims held for review under the "hold" policy. Same on both engines.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('allowed_names')
    // SQLite lets a text primary key hold null unless told otherwise.
    .addColumn('name', 'text', (c) => c.primaryKey().notNull())
    // Null: anyone may claim it; else only this user (an approved claim).
    .addColumn('user_id', 'integer', (c) => c.references('users.id').onDelete('cascade'))
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('name_claims')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('similar_to', 'text', (c) => c.notNull())
    .addColumn('technique', 'text', (c) => c.notNull())
    // pending | approved | rejected
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('decided_at', 'text')
    .addPrimaryKeyConstraint('name_claims_pk', ['name', 'user_id'])
    .execute();
  await db.schema.createIndex('name_claims_state').on('name_claims').columns(['state', 'created_at']).execute();
}
