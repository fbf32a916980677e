// Kysely implementation of the transparency log's store (domain/transparency/store.ts). Hashes
// are hex text and entries UTF-8 text, so both engines store and return the same values; rows
// are inserted in chunks that stay under SQLite's and PostgreSQL's bound-parameter limits.
import type { Kysely } from 'kysely';
import type { DB } from './schema.js';
import type { Engine } from './engine.js';
import type { TransparencyStore } from '../../domain/transparency/store.js';
import { nodeKey } from '../../domain/transparency/store.js';

const CHUNK = 500;

function chunks<T>(rows: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += CHUNK) out.push(rows.slice(i, i + CHUNK));
  return out;
}

export function transparencyStore(db: Kysely<DB>, engine: Engine): TransparencyStore {
  return {
    async state(opts = {}) {
      // SQLite: write first, so the transaction holds the write lock before it reads; a read
      // snapshot that later tries to write fails at once if another writer committed meanwhile.
      if (opts.lock && engine === 'sqlite') await db.updateTable('tlog_state').set({ id: 1 }).where('id', '=', 1).execute();
      let query = db.selectFrom('tlog_state').select(['size', 'event_seq']).where('id', '=', 1);
      if (opts.lock && engine === 'postgres') query = query.forUpdate();
      const row = await query.executeTakeFirstOrThrow();
      return { size: Number(row.size), eventSeq: Number(row.event_seq) };
    },
    async advance(from, to) {
      const result = await db
        .updateTable('tlog_state')
        .set({ size: to.size, event_seq: to.eventSeq })
        .where('id', '=', 1)
        .where('size', '=', from.size)
        .where('event_seq', '=', from.eventSeq)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async insertLeaves(leaves) {
      for (const part of chunks(leaves)) {
        await db
          .insertInto('tlog_leaves')
          .values(
            part.map((l) => ({
              idx: l.index,
              event_seq: l.eventSeq,
              event_type: l.type,
              package_name: l.packageName,
              version: l.version,
              entry: l.entry.toString('utf8'),
            })),
          )
          .execute();
      }
    },
    async insertNodes(nodes) {
      for (const part of chunks(nodes)) {
        await db
          .insertInto('tlog_hashes')
          .values(part.map((n) => ({ level: n.level, idx: n.index, hash: n.hash.toString('hex') })))
          .execute();
      }
    },
    async nodes(wanted) {
      const found = new Map<string, Buffer>();
      if (wanted.length === 0) return found;
      const byLevel = new Map<number, number[]>();
      for (const n of wanted) byLevel.set(n.level, [...(byLevel.get(n.level) ?? []), n.index]);
      const rows = await db
        .selectFrom('tlog_hashes')
        .select(['level', 'idx', 'hash'])
        .where((eb) => eb.or([...byLevel].map(([level, indexes]) => eb.and([eb('level', '=', level), eb('idx', 'in', indexes)]))))
        .execute();
      for (const row of rows) found.set(nodeKey(Number(row.level), Number(row.idx)), Buffer.from(row.hash, 'hex'));
      return found;
    },
    async levelRange(level, from, count) {
      const rows = await db
        .selectFrom('tlog_hashes')
        .select('hash')
        .where('level', '=', level)
        .where('idx', '>=', from)
        .where('idx', '<', from + count)
        .orderBy('idx')
        .execute();
      return rows.map((r) => Buffer.from(r.hash, 'hex'));
    },
    async entries(from, count) {
      const rows = await db
        .selectFrom('tlog_leaves')
        .select('entry')
        .where('idx', '>=', from)
        .where('idx', '<', from + count)
        .orderBy('idx')
        .execute();
      return rows.map((r) => Buffer.from(r.entry, 'utf8'));
    },
    async leavesAfterSeq(seq, limit) {
      const rows = await db
        .selectFrom('tlog_leaves')
        .select(['idx', 'event_seq', 'entry'])
        .where('event_seq', '>', seq)
        .orderBy('event_seq')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ index: Number(r.idx), eventSeq: Number(r.event_seq), entry: Buffer.from(r.entry, 'utf8') }));
    },
    async leafFor(name, version, types) {
      if (types.length === 0) return undefined;
      const row = await db
        .selectFrom('tlog_leaves')
        .select('idx')
        .where('package_name', '=', name)
        .where('version', '=', version)
        .where('event_type', 'in', [...types])
        .orderBy('idx', 'desc')
        .executeTakeFirst();
      return row ? Number(row.idx) : undefined;
    },
    async restrictedPackages(names) {
      if (names.length === 0) return new Set();
      const rows = await db
        .selectFrom('packages')
        .select('name')
        .where('name', 'in', [...new Set(names)])
        .where('visibility', '!=', 'public')
        .execute();
      return new Set(rows.map((r) => r.name));
    },
    async key() {
      const row = await db.selectFrom('tlog_keys').selectAll().orderBy('created_at').executeTakeFirst();
      return row ? { name: row.name, publicKey: row.public_key, privateKey: row.private_key } : undefined;
    },
    async insertKey(key, createdAt) {
      const result = await db
        .insertInto('tlog_keys')
        .values({ name: key.name, public_key: key.publicKey, private_key: key.privateKey, created_at: createdAt })
        .onConflict((oc) => oc.column('name').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
    },
    async saveCheckpoint(checkpoint) {
      await db
        .insertInto('tlog_checkpoints')
        .values({ size: checkpoint.size, note: checkpoint.note, created_at: checkpoint.createdAt })
        .onConflict((oc) => oc.column('size').doNothing())
        .execute();
    },
    async latestCheckpoint() {
      const row = await db.selectFrom('tlog_checkpoints').selectAll().orderBy('size', 'desc').executeTakeFirst();
      return row ? { size: Number(row.size), note: row.note, createdAt: row.created_at } : undefined;
    },
    async checkpoint(size) {
      const row = await db.selectFrom('tlog_checkpoints').selectAll().where('size', '=', size).executeTakeFirst();
      return row ? { size: Number(row.size), note: row.note, createdAt: row.created_at } : undefined;
    },
    async saveCosignature(size, witness, line) {
      await db
        .insertInto('tlog_cosignatures')
        .values({ size, witness, line })
        .onConflict((oc) => oc.columns(['size', 'witness']).doUpdateSet({ line }))
        .execute();
    },
    async cosignatures(size) {
      const rows = await db.selectFrom('tlog_cosignatures').select('line').where('size', '=', size).orderBy('witness').execute();
      return rows.map((r) => r.line);
    },
    async witnessSize(witness) {
      const row = await db.selectFrom('tlog_witnesses').select('size').where('witness', '=', witness).executeTakeFirst();
      return Number(row?.size ?? 0);
    },
    async setWitnessSize(witness, size) {
      await db
        .insertInto('tlog_witnesses')
        .values({ witness, size })
        .onConflict((oc) => oc.column('witness').doUpdateSet({ size }))
        .execute();
    },
  };
}
