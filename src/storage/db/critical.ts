// Kysely implementation of the critical-package list: a ranking of 30-day download totals and
// the stored result. Same SQL on both engines.
import type { Kysely } from 'kysely';
import type { DB } from './schema.js';
import type { CriticalPackageStore } from '../../domain/packages/critical-store.js';

export function criticalPackageStore(db: Kysely<DB>): CriticalPackageStore {
  return {
    async ranked(start, end, floor) {
      const total = db.fn.sum<string | number>('download_counts.count');
      const rows = await db
        .selectFrom('download_counts')
        .innerJoin('packages', 'packages.name', 'download_counts.package_name')
        .select(['download_counts.package_name as name', total.as('total')])
        .where('download_counts.day', '>=', start)
        .where('download_counts.day', '<=', end)
        .where('packages.unpublished_at', 'is', null)
        .groupBy('download_counts.package_name')
        .having(total, '>=', floor)
        .orderBy('total', 'desc')
        .orderBy('download_counts.package_name')
        .execute();
      return rows.map((r) => ({ name: r.name, downloads: Number(r.total) }));
    },
    async packageCount() {
      const row = await db
        .selectFrom('packages')
        .select((eb) => eb.fn.countAll<string | number>().as('n'))
        .where('unpublished_at', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async replace(list, at) {
      await db.deleteFrom('critical_packages').execute();
      if (list.length === 0) return;
      await db
        .insertInto('critical_packages')
        .values(list.map((p) => ({ package_name: p.name, downloads: p.downloads, computed_at: at })))
        .execute();
    },
    async list() {
      const rows = await db
        .selectFrom('critical_packages')
        .selectAll()
        .orderBy('downloads', 'desc')
        .orderBy('package_name')
        .execute();
      return rows.map((r) => ({ name: r.package_name, downloads: Number(r.downloads) }));
    },
    async isCritical(name) {
      const row = await db
        .selectFrom('critical_packages')
        .select('package_name')
        .where('package_name', '=', name)
        .executeTakeFirst();
      return row !== undefined;
    },
    async ownsCritical(userId) {
      const row = await db
        .selectFrom('package_owners')
        .innerJoin('critical_packages', 'critical_packages.package_name', 'package_owners.package_name')
        .select('package_owners.user_id')
        .where('package_owners.user_id', '=', userId)
        .executeTakeFirst();
      return row !== undefined;
    },
  };
}
