// The composition root: opens storage for the configured engine and wires every domain. The
// HTTP layer and the CLI both start from here, so there is one way to build a registry.
import { join } from 'node:path';
import type { Config } from './config.js';
import { openDatabase } from './storage/db/database.js';
import { createDbStore } from './storage/db/store.js';
import { FsBlobStore } from './storage/blobs/fs/store.js';
import type { BlobStore } from './domain/packages/blobs.js';
import type { Store } from './domain/store.js';
import { TokenService } from './domain/tokens/service.js';
import { AccountService } from './domain/accounts/service.js';
import { PasswordGate } from './domain/accounts/password-gate.js';
import { WebLoginService } from './domain/accounts/web-login.js';
import { PackageService } from './domain/packages/service.js';
import { EventFollower } from './domain/events/follower.js';
import { DownloadService } from './domain/downloads/service.js';
import { JobRunner } from './domain/jobs/runner.js';
import { systemClock, type Clock } from './domain/jobs/clock.js';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';

/**
 * What the HTTP layer is handed: configuration and the domain services, never the store or the
 * blob files, so a handler reaches data only through a domain operation.
 */
export interface Registry {
  config: Config;
  tokens: TokenService;
  accounts: AccountService;
  webLogins: WebLoginService;
  packages: PackageService;
  events: EventFollower;
  downloads: DownloadService;
  /** Periodic work; tests call `jobs.runDue()` after moving an injected clock. */
  jobs: JobRunner;
  clock: Clock;
  /** The URL clients reach us at; fixed once the server knows its port. */
  baseUrl(): string;
  setBaseUrl(url: string): void;
  close(): Promise<void>;
}

/** The registry as its opener holds it (CLI commands, tests): also its storage, to inspect or administer. */
export interface OpenedRegistry extends Registry {
  store: Store;
  blobs: FsBlobStore;
}

export interface RegistryDeps {
  /** Time for jobs and download days; tests pass a ManualClock. */
  clock?: Clock;
  /** Where packages keep tarballs; the data folder's files when absent (tests pass other stores). */
  blobs?: BlobStore;
}

export async function openRegistry(config: Config, deps: RegistryDeps = {}): Promise<OpenedRegistry> {
  const clock = deps.clock ?? systemClock;
  const { db, engine } = await openDatabase(config);
  const store = createDbStore(db, engine);
  const blobs = new FsBlobStore(join(config.dataDir, 'blobs'));
  let baseUrl = config.publicUrl || `http://${config.host}:${config.port}`;
  const tokens = new TokenService(store);
  // One gate per registry, and one registry per process: the bound is process-wide.
  const accounts = new AccountService({ store, tokens, gate: new PasswordGate(config.passwordHashConcurrency) });
  const webLogins = new WebLoginService({ store, tokens, accounts, pendingPerIp: config.pendingWebLoginsPerIp });
  const packages = new PackageService({
    store,
    blobs: deps.blobs ?? blobs,
    limits: {
      maxUnpackedBytes: config.maxUnpackedBytes,
      maxFileCount: config.maxFileCount,
      maxPathDepth: config.maxPathDepth,
      maxPackageJsonBytes: 1024 * 1024,
    },
    manifestLimits: { maxManifestBytes: config.maxManifestBytes, maxReadmeBytes: config.maxReadmeBytes },
    unpublishWindowHours: config.unpublishWindowHours,
    baseUrl: () => baseUrl,
    packumentCacheBytes: packumentShare(config.readCacheBytes),
  });
  // Temporary files from writes a crash interrupted: harmless, but nothing else would remove them.
  void blobs.sweepTemporary(60 * 60 * 1000);
  const events = new EventFollower(store.events, config.eventPollMs);
  // Local changes already invalidated through onChange; this covers changes other instances made.
  events.subscribe((event) => {
    if (event.packageName) packages.packuments.invalidate(event.packageName);
    if (event.type === 'token.revoked') tokens.forget(event.data.tokenId);
  });
  await events.start();
  const downloads = new DownloadService({ store, clock, counting: config.downloadFlushMs > 0 });
  const jobs = new JobRunner({
    leases: store.jobLeases,
    clock,
    owner: `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`,
    // Nothing else would say why counts stop appearing; the error never carries secrets.
    onError: (job, err) => process.emitWarning(`gatehouse job ${job} failed: ${(err as Error).message}`),
  });
  if (config.downloadFlushMs > 0) {
    // Each instance flushes its own counts: an 'instance' job, no lease.
    jobs.define({
      name: 'downloads.flush',
      scope: 'instance',
      intervalMs: config.downloadFlushMs,
      run: () => downloads.flush().then(() => {}),
    });
    if (!deps.clock) jobs.start(Math.min(config.downloadFlushMs, 1000));
  }
  return {
    config,
    store,
    blobs,
    tokens,
    accounts,
    webLogins,
    packages,
    events,
    downloads,
    jobs,
    clock,
    baseUrl: () => baseUrl,
    setBaseUrl(url) {
      if (config.publicUrl || url === baseUrl) return;
      baseUrl = url;
      packages.packuments.clear();
    },
    async close() {
      await events.stop();
      await jobs.stop();
      // Counts since the last flush would otherwise be lost on every restart.
      await downloads
        .flush()
        .catch((err: unknown) => process.emitWarning(`gatehouse: final download flush failed: ${(err as Error).message}`));
      await store.close();
    },
  };
}

/** The read cache is split: two thirds for packuments (every install reads them), the rest for tarballs. */
export function packumentShare(readCacheBytes: number): number {
  return Math.floor((readCacheBytes * 2) / 3);
}
