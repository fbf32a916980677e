// Kysely implementation of job leases: a compare-and-set UPDATE on one row per job. Under
// PostgreSQL's read committed, a second UPDATE of the same row waits for the first to commit and
// then re-checks its WHERE against the new row, so only one instance's update matches.
import type { Kysely } from 'kysely';
import type { DB } from './schema.js';
import type { JobLeaseStore } from '../../domain/jobs/store.js';

const EPOCH = new Date(0).toISOString();
const iso = (ms: number) => new Date(ms).toISOString();

export function jobLeaseStore(db: Kysely<DB>): JobLeaseStore {
  return {
    async tryAcquire(job, owner, now, intervalMs, holdMs) {
      await db
        .insertInto('job_leases')
        .values({ job, owner: '', next_run_at: EPOCH, held_until: EPOCH })
        .onConflict((oc) => oc.column('job').doNothing())
        .execute();
      const at = iso(now);
      const result = await db
        .updateTable('job_leases')
        .set({ owner, next_run_at: iso(now + intervalMs), held_until: iso(now + holdMs) })
        .where('job', '=', job)
        .where('next_run_at', '<=', at)
        .where('held_until', '<=', at)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async release(job, owner) {
      await db.updateTable('job_leases').set({ held_until: EPOCH }).where('job', '=', job).where('owner', '=', owner).execute();
    },
  };
}
