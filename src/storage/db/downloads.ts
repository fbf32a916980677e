// Kysely implementation of the download counts: an upsert that adds to each (package, version,
// day) row, and sums across versions for the API and pages. Same SQL on both engines.
import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import type { DB } from './schema.js';
import type { DownloadStore } from '../../domain/downloads/store.js';
import type { Day } from '../../domain/downloads/days.js';

/**
 * Counts of a version that is staged or quarantined are left out. Tombstones keep theirs (counts
 * outlive an unpublish), and so does a count whose version row is gone.
 */
function ofServableVersion(eb: ExpressionBuilder<DB, 'download_counts'>) {
  return eb.not(
    eb.exists(
      eb
        .selectFrom('versions')
        .select('versions.version')
        .whereRef('versions.package_name', '=', 'download_counts.package_name')
        .whereRef('versions.version', '=', 'download_counts.version')
        .where('versions.state', '!=', 'published'),
    ),
  );
}

export function downloadStore(db: Kysely<DB>): DownloadStore {
  return {
    async add(rows) {
      if (rows.length === 0) return;
      await db
        .insertInto('download_counts')
        .values(rows.map((r) => ({ package_name: r.packageName, version: r.version, day: r.day, count: r.count })))
        .onConflict((oc) =>
          oc
            .columns(['package_name', 'version', 'day'])
            .doUpdateSet({ count: sql<number>`download_counts.count + excluded.count` }),
        )
        .execute();
    },
    async daily(name, start, end) {
      const rows = await db
        .selectFrom('download_counts')
        .select(['day', (eb) => eb.fn.sum<string | number>('count').as('total')])
        .where('package_name', '=', name)
        .where('day', '>=', start)
        .where('day', '<=', end)
        .where(ofServableVersion)
        .groupBy('day')
        .execute();
      return new Map(rows.map((r) => [r.day as Day, Number(r.total)]));
    },
    async totals(names, start, end) {
      if (names.length === 0) return new Map();
      const rows = await db
        .selectFrom('download_counts')
        .select(['package_name', (eb) => eb.fn.sum<string | number>('count').as('total')])
        .where('package_name', 'in', names)
        .where('day', '>=', start)
        .where('day', '<=', end)
        .where(ofServableVersion)
        .groupBy('package_name')
        .execute();
      return new Map(rows.map((r) => [r.package_name, Number(r.total)]));
    },
  };
}
