// The job runner wired in one place. Domains define their periodic jobs on it; the composition
// root starts its timer (or, with a test's clock, leaves the test to call runDue()).
import type { Clock } from '../clock.js';
import type { JobLeaseStore } from './store.js';
import { JobRunner } from './runner.js';

export interface JobsDeps {
  leases: JobLeaseStore;
  clock: Clock;
  /** This instance's name in lease rows. */
  owner: string;
  onError(job: string, err: unknown): void;
}

export interface JobsDomain {
  jobs: JobRunner;
}

export function wireJobs(deps: JobsDeps): JobsDomain {
  return { jobs: new JobRunner(deps) };
}
