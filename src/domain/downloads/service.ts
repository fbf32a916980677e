// Download counts: counted in memory on the read path (`served`), written by the flush job, and
// answered in the shapes of npm's downloads API. Counts are per version per UTC day; only a GET
// answered with the tarball's bytes (200) counts: a HEAD or a 304 sends no tarball.
import { fail } from '../errors.js';
import type { RequestContext } from '../access/context.js';
import type { Principal } from '../access/principal.js';
import { canRead } from '../packages/authorize.js';
import type { Store } from '../store.js';
import type { Clock } from '../clock.js';
import { parsePackageName, versionOfTarball, type PackageName } from '../packages/names.js';
import { DownloadCounter, type DayCounts } from './counter.js';
import { dayOf, daysOf, lastDays, parsePeriod, type Day, type Period } from './days.js';
import type { DailyCount } from './store.js';
import { readFacts } from '../orgs/readers.js';

export interface PointAnswer {
  downloads: number;
  start: Day;
  end: Day;
  package: string;
}

export interface RangeAnswer {
  downloads: { downloads: number; day: Day }[];
  start: Day;
  end: Day;
  package: string;
}

/** npm's bulk form: at most 128 unscoped names, at most 365 days. */
export const MAX_BULK_NAMES = 128;
const MAX_BULK_DAYS = 365;
/**
 * Counts held in memory before a flush starts without waiting for the job: between two flushes a
 * busy registry may serve far more distinct tarballs than that, and each one held costs memory.
 */
export const FLUSH_AT_KEYS = 10_000;
/** Rows per INSERT: 4 parameters each stays far below SQLite's and PostgreSQL's limits. */
const ROWS_PER_STATEMENT = 500;

type Requested = { kind: 'one'; name: PackageName } | { kind: 'bulk'; names: PackageName[] };

export class DownloadService {
  private readonly counter: DownloadCounter;
  private flushing: Promise<number> = Promise.resolve(0);
  /** An early flush is under way, or the last one failed: the job's next flush takes over. */
  private early = false;

  constructor(
    private readonly opts: {
      store: Store;
      clock: Clock;
      /** false: nothing is counted (downloadFlushMs = 0). */
      counting: boolean;
      /** FLUSH_AT_KEYS unless given (tests). */
      flushAtKeys?: number;
    },
  ) {
    this.counter = new DownloadCounter(opts.clock);
  }

  /** The read path's one call, made when a tarball answer is about to be sent with status 200. */
  served(method: string | undefined, name: string, file: string): void {
    if (method !== 'GET' || !this.opts.counting) return;
    this.counter.add(name, file);
    if (this.counter.keys >= (this.opts.flushAtKeys ?? FLUSH_AT_KEYS) && !this.early) {
      // Once, not per read: a failure keeps its counts, and retrying at request rate would hammer
      // a database that is down. The job's next flush retries, and reports the failure.
      this.early = true;
      this.flush().catch(() => undefined);
    }
  }

  /**
   * Writes everything counted so far in one transaction and forgets it; if the write fails, the
   * counts stay for the next flush. Flushes never overlap. Resolves with the rows written.
   */
  flush(): Promise<number> {
    const next = this.flushing.catch(() => 0).then(() => this.write());
    // A flush that succeeds allows early flushes again (one that failed left early set).
    void next.then(
      () => (this.early = false),
      () => undefined,
    );
    this.flushing = next;
    return next;
  }

  private async write(): Promise<number> {
    const taken = this.counter.take();
    const rows = rowsOf(taken);
    try {
      await this.opts.store.transaction(async (tx) => {
        for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) await tx.downloads.add(rows.slice(i, i + ROWS_PER_STATEMENT));
      });
    } catch (err) {
      this.counter.restore(taken);
      throw err;
    }
    return rows.length;
  }

  /** `GET /-/downloads/point/{period}/{package}`; a bulk request answers per name, null for unknown ones. */
  async point(
    context: RequestContext,
    packages: string,
    periodText: string,
  ): Promise<PointAnswer | Record<string, PointAnswer | null>> {
    const requested = parseRequested(packages);
    const period = this.period(periodText, requested);
    const answer = async (name: PackageName): Promise<PointAnswer> => {
      const totals = await this.opts.store.downloads.totals([name], period.start, period.end);
      return { downloads: totals.get(name) ?? 0, start: period.start, end: period.end, package: name };
    };
    return this.answerFor(context, requested, answer);
  }

  /** `GET /-/downloads/range/{period}/{package}`: every day of the period, zeros included. */
  async range(
    context: RequestContext,
    packages: string,
    periodText: string,
  ): Promise<RangeAnswer | Record<string, RangeAnswer | null>> {
    const requested = parseRequested(packages);
    const period = this.period(periodText, requested);
    const answer = async (name: PackageName): Promise<RangeAnswer> => {
      const daily = await this.opts.store.downloads.daily(name, period.start, period.end);
      const downloads = daysOf(period).map((day) => ({ downloads: daily.get(day) ?? 0, day }));
      return { downloads, start: period.start, end: period.end, package: name };
    };
    return this.answerFor(context, requested, answer);
  }

  /** Downloads in the last 7 complete days, per name (absent: none), for pages and search. */
  lastWeek(names: string[]): Promise<Map<string, number>> {
    return this.lastDays(names, 7);
  }

  lastMonth(names: string[]): Promise<Map<string, number>> {
    return this.lastDays(names, 30);
  }

  private lastDays(names: string[], days: number): Promise<Map<string, number>> {
    if (names.length === 0) return Promise.resolve(new Map());
    const period = lastDays(this.today(), days);
    return this.opts.store.downloads.totals(names, period.start, period.end);
  }

  private today(): Day {
    return dayOf(this.opts.clock.now());
  }

  private period(text: string, requested: Requested): Period {
    return parsePeriod(text, this.today(), requested.kind === 'bulk' ? MAX_BULK_DAYS : undefined);
  }

  private async answerFor<T>(context: RequestContext, requested: Requested, answer: (name: PackageName) => Promise<T>) {
    const { principal } = context;
    if (requested.kind === 'one') {
      if (!(await this.isReadable(principal, requested.name)))
        fail('PackageNotFound', `There is no package named ${requested.name} here.`);
      return answer(requested.name);
    }
    const result: Record<string, T | null> = Object.create(null) as Record<string, T | null>;
    for (const name of requested.names) result[name] = (await this.isReadable(principal, name)) ? await answer(name) : null;
    return result;
  }

  /** A live package this reader may read; any other is answered as one that does not exist. */
  private async isReadable(principal: Principal, name: PackageName): Promise<boolean> {
    const pkg = await this.opts.store.packages.get(name);
    return (
      pkg !== undefined && !pkg.unpublishedAt && canRead(principal, await readFacts(this.opts.store, name, pkg.visibility)).ok
    );
  }
}

// attacker-controlled: the package segment, already URL-decoded (`@scope%2fname` is `@scope/name`).
function parseRequested(text: string): Requested {
  if (!text.includes(',')) return { kind: 'one', name: parsePackageName(text) };
  const names = [...new Set(text.split(','))];
  if (names.length > MAX_BULK_NAMES) {
    fail('BadRequest', `A bulk query may name at most ${MAX_BULK_NAMES} packages; this one names ${names.length}.`);
  }
  if (names.some((n) => n.startsWith('@'))) {
    fail('BadRequest', 'A bulk query takes unscoped names only, as on npm; ask for each scoped package on its own.');
  }
  return { kind: 'bulk', names: names.map(parsePackageName) };
}

function rowsOf(taken: Map<Day, DayCounts>): DailyCount[] {
  const rows: DailyCount[] = [];
  for (const [day, counts] of taken) {
    for (const [packageName, files] of counts) {
      for (const [file, count] of files) {
        // Only files the read path found are counted, so each one names a version of its package.
        const version = versionOfTarball(packageName as PackageName, file);
        if (version !== undefined) rows.push({ packageName, version, day, count });
      }
    }
  }
  // One order for every instance: two flushes upserting the same rows on PostgreSQL then lock
  // them in the same sequence and wait for each other instead of deadlocking.
  return rows.sort((a, b) => compare(a.packageName, b.packageName) || compare(a.version, b.version) || compare(a.day, b.day));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
