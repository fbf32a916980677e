// What the job runner needs from storage: one lease row per cluster-wide job, taken with a
// compare-and-set so that of several instances sharing a database exactly one wins each run.
// The Kysely version is storage/db/jobs.ts.

export interface JobLeaseStore {
  /**
   * Takes the lease on `job` for `owner` if its next run is due (`nextRunAt <= now`) and nobody
   * holds it (`heldUntil <= now`): sets nextRunAt = now + intervalMs and heldUntil = now + holdMs.
   * True for exactly one caller per due run, whatever the number of instances.
   */
  tryAcquire(job: string, owner: string, now: number, intervalMs: number, holdMs: number): Promise<boolean>;
  /** Gives the lease back after a run (heldUntil = 0) if `owner` still holds it. */
  release(job: string, owner: string): Promise<void>;
}
