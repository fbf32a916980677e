// Kysely implementation of the quarantine store (domain/quarantine/store.ts).
import type { Kysely, Selectable } from 'kysely';
import type { DB, QuarantinesTable } from './schema.js';
import type { QuarantineCause, QuarantineRecord, QuarantineReview, QuarantineStore } from '../../domain/quarantine/store.js';

function fromRow(r: Selectable<QuarantinesTable>): QuarantineRecord {
  return {
    packageName: r.package_name,
    version: r.version,
    cause: r.cause as QuarantineCause,
    ref: r.ref,
    tag: r.tag,
    publisher: r.publisher,
    heldAt: r.held_at,
    review: r.review as QuarantineReview,
    reviewedBy: r.reviewed_by,
    reviewedAt: r.reviewed_at,
    reviewNote: r.review_note,
  };
}

export function quarantineStore(db: Kysely<DB>): QuarantineStore {
  return {
    async hold(q) {
      const values = {
        cause: q.cause,
        ref: q.ref,
        tag: q.tag,
        publisher: q.publisher,
        held_at: q.heldAt,
        review: q.review,
        reviewed_by: q.reviewedBy,
        reviewed_at: q.reviewedAt,
        review_note: q.reviewNote,
      };
      await db
        .insertInto('quarantines')
        .values({ package_name: q.packageName, version: q.version, ...values })
        .onConflict((oc) => oc.columns(['package_name', 'version']).doUpdateSet(values))
        .execute();
    },
    async get(name, version) {
      const row = await db
        .selectFrom('quarantines')
        .selectAll()
        .where('package_name', '=', name)
        .where('version', '=', version)
        .executeTakeFirst();
      return row && fromRow(row);
    },
    async pending(limit) {
      const rows = await db
        .selectFrom('quarantines')
        .selectAll()
        .where('review', '=', 'pending')
        .orderBy('held_at')
        .orderBy('package_name')
        .orderBy('version')
        .limit(limit)
        .execute();
      return rows.map(fromRow);
    },
    async setReview(name, version, review, by, at, note) {
      await db
        .updateTable('quarantines')
        .set({ review, reviewed_by: by, reviewed_at: at, review_note: note })
        .where('package_name', '=', name)
        .where('version', '=', version)
        .execute();
    },
  };
}
