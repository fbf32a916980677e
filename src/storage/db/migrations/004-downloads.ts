// Download counts per (package, version, UTC day), written in batches by the flush job, and one
// lease row per cluster-wide periodic job. No foreign keys: counts outlive an unpublish.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('download_counts')
    .addColumn('package_name', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('download_counts_pk', ['package_name', 'version', 'day'])
    .execute();
  // Every query asks for one or more packages over a range of days, across versions.
  await db.schema.createIndex('download_counts_by_day').on('download_counts').columns(['package_name', 'day']).execute();
  await db.schema
    .createTable('job_leases')
    .addColumn('job', 'text', (c) => c.primaryKey())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('next_run_at', 'text', (c) => c.notNull())
    .addColumn('held_until', 'text', (c) => c.notNull())
    .execute();
}
