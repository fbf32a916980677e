// The event transparency log (domain/transparency): its position in the event sequence, leaves,
// complete-subtree hashes (hex; never rewritten), its Ed25519 key, signed checkpoints, witness
// cosignatures and what each witness last saw. Same on both engines.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('tlog_state')
    .addColumn('id', 'integer', (c) => c.primaryKey().notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('event_seq', 'integer', (c) => c.notNull())
    .execute();
  await sql`insert into tlog_state (id, size, event_seq) values (1, 0, 0)`.execute(db);
  await db.schema
    .createTable('tlog_leaves')
    .addColumn('idx', 'integer', (c) => c.primaryKey().notNull())
    .addColumn('event_seq', 'integer', (c) => c.notNull().unique())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('package_name', 'text')
    .addColumn('version', 'text')
    .addColumn('entry', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('tlog_leaves_by_version').on('tlog_leaves').columns(['package_name', 'version']).execute();
  await db.schema
    .createTable('tlog_hashes')
    .addColumn('level', 'integer', (c) => c.notNull())
    .addColumn('idx', 'integer', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('tlog_hashes_pk', ['level', 'idx'])
    .execute();
  await db.schema
    .createTable('tlog_keys')
    .addColumn('name', 'text', (c) => c.primaryKey().notNull())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('private_key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('tlog_checkpoints')
    .addColumn('size', 'integer', (c) => c.primaryKey().notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('tlog_cosignatures')
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('witness', 'text', (c) => c.notNull())
    .addColumn('line', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('tlog_cosignatures_pk', ['size', 'witness'])
    .execute();
  await db.schema
    .createTable('tlog_witnesses')
    .addColumn('witness', 'text', (c) => c.primaryKey().notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .execute();
}
