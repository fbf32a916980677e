// Runs named periodic jobs. An 'instance' job works on this process's own state (flushing its
// download counts) and runs on every instance; a 'cluster' job must run once per interval across
// all instances sharing the database, so each run first takes the job's lease (store.ts). Time
// comes from the injected Clock: tests call runDue() instead of waiting for the timer.
import type { Clock } from '../clock.js';
import type { JobLeaseStore } from './store.js';

export interface JobDefinition {
  name: string;
  intervalMs: number;
  scope: 'instance' | 'cluster';
  run(): Promise<void>;
  /**
   * How long a cluster run may hold its lease; after that a crashed holder no longer blocks the
   * job. A run taking longer than this may overlap the next one elsewhere. Default 5 minutes.
   */
  maxRunMs?: number;
}

interface Scheduled {
  job: JobDefinition;
  /** Next local attempt; for cluster jobs the lease row has the final word. */
  nextAt: number;
  running: Promise<void> | undefined;
}

export interface JobRunnerOptions {
  leases: JobLeaseStore;
  clock: Clock;
  /** This instance's name in lease rows. */
  owner: string;
  /** A failed run is reported here and retried at its next interval; it never stops the runner. */
  onError(job: string, err: unknown): void;
}

const DEFAULT_MAX_RUN_MS = 5 * 60 * 1000;

export class JobRunner {
  private readonly jobs = new Map<string, Scheduled>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: JobRunnerOptions) {}

  define(job: JobDefinition): void {
    if (this.jobs.has(job.name)) throw new Error(`Job ${job.name} is defined twice.`);
    if (!(job.intervalMs > 0)) throw new Error(`Job ${job.name} needs a positive interval.`);
    this.jobs.set(job.name, { job, nextAt: this.opts.clock.now() + job.intervalMs, running: undefined });
  }

  /** Runs every job that is due now and not already running here; resolves with the names that ran. */
  async runDue(): Promise<string[]> {
    const now = this.opts.clock.now();
    const started: Promise<string | undefined>[] = [];
    for (const entry of this.jobs.values()) {
      if (entry.running || entry.nextAt > now) continue;
      entry.nextAt = now + entry.job.intervalMs;
      started.push(this.attempt(entry, now));
    }
    const ran = await Promise.all(started);
    return ran.filter((name): name is string => name !== undefined);
  }

  private async attempt(entry: Scheduled, now: number): Promise<string | undefined> {
    const { job } = entry;
    let release: () => Promise<void> = async () => {};
    const run = (async () => {
      if (job.scope === 'cluster') {
        const holdMs = job.maxRunMs ?? DEFAULT_MAX_RUN_MS;
        if (!(await this.opts.leases.tryAcquire(job.name, this.opts.owner, now, job.intervalMs, holdMs))) return false;
        release = () => this.opts.leases.release(job.name, this.opts.owner);
      }
      await job.run();
      return true;
    })();
    entry.running = run.then(
      () => undefined,
      () => undefined,
    );
    try {
      return (await run) ? job.name : undefined;
    } catch (err) {
      this.opts.onError(job.name, err);
      return job.name;
    } finally {
      await release().catch((err: unknown) => this.opts.onError(job.name, err));
      entry.running = undefined;
    }
  }

  /** Calls runDue() every `tickMs` on the real timer; the timer never keeps the process alive. */
  start(tickMs: number): void {
    if (this.timer || tickMs <= 0) return;
    this.timer = setInterval(() => void this.runDue().catch((err: unknown) => this.opts.onError('runner', err)), tickMs);
    this.timer.unref();
  }

  /** Stops the timer and waits for runs in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await Promise.all([...this.jobs.values()].map((e) => e.running));
  }
}
