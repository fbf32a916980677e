// The reports domain wired in one place: reports and moderation, the security contacts pages
// show, and the malicious-package feed a confirmation publishes to (domain/malicious).
import type { Store } from '../store.js';
import type { Clock } from '../clock.js';
import type { BlobStore } from '../packages/blobs.js';
import type { TarballLimits } from '../packages/tarball.js';
import { MaliciousPackages, OSV_ARCHIVE_INTERVAL_MS } from '../malicious/service.js';
import type { JobRunner } from '../jobs/runner.js';
import { ReportService } from './service.js';
import { SecurityContacts } from './contacts.js';
import type { ModerationCheck } from './authorize.js';

export interface ReportsWiring {
  store: Store;
  clock: Clock;
  blobs: BlobStore;
  baseUrl: () => string;
  perDay: number;
  limits: TarballLimits;
  inspectBudgetMs: number;
  moderationCheck: ModerationCheck;
  /** Builds the OSV all.zip in the background (job osv.archive), so no request waits for it. */
  jobs: JobRunner;
}

export interface ReportsDomain {
  reports: ReportService;
  malicious: MaliciousPackages;
  securityContacts: SecurityContacts;
}

export function wireReports(deps: ReportsWiring): ReportsDomain {
  const malicious = new MaliciousPackages({ store: deps.store, clock: deps.clock, baseUrl: deps.baseUrl });
  deps.jobs.define({
    name: 'osv.archive',
    scope: 'instance',
    intervalMs: OSV_ARCHIVE_INTERVAL_MS,
    run: () => malicious.buildArchive().then(() => {}),
  });
  return {
    reports: new ReportService({
      store: deps.store,
      clock: deps.clock,
      perDay: deps.perDay,
      moderationCheck: deps.moderationCheck,
    }),
    malicious,
    securityContacts: new SecurityContacts({
      store: deps.store,
      blobs: deps.blobs,
      limits: deps.limits,
      budgetMs: deps.inspectBudgetMs,
    }),
  };
}
