// The downloads domain wired in one place: counting in memory, and the periodic flush that
// writes the counts, defined on the job runner.
import type { Store } from '../store.js';
import type { Clock } from '../clock.js';
import type { JobRunner } from '../jobs/runner.js';
import { DownloadService } from './service.js';

export interface DownloadsDeps {
  store: Store;
  /** Which day a download counts for. */
  clock: Clock;
  jobs: JobRunner;
  /** Milliseconds between flushes; 0 counts nothing. */
  flushMs: number;
}

export interface DownloadsDomain {
  downloads: DownloadService;
}

export function wireDownloads(deps: DownloadsDeps): DownloadsDomain {
  const downloads = new DownloadService({ store: deps.store, clock: deps.clock, counting: deps.flushMs > 0 });
  if (deps.flushMs > 0) {
    // Each instance flushes its own counts: an 'instance' job, no lease.
    deps.jobs.define({
      name: 'downloads.flush',
      scope: 'instance',
      intervalMs: deps.flushMs,
      run: () => downloads.flush().then(() => {}),
    });
  }
  return { downloads };
}
