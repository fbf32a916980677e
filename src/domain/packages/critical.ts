// Critical packages: the most downloaded ones, whose maintainers' accounts are worth the most to
// an attacker. A job (cluster scope: once per interval across the fleet) ranks the last 30 complete
// days of downloads and stores the result; policies ask `isCritical(name)` and
// `criticalMaintainer(userId)` from that stored list, never by counting on a request.
// The rule (docs/account-recovery.md): the top `percent` % of the registry's packages, at least
// the top `minTop` when that is more, and only packages with `floor` downloads or more.
import type { Store } from '../store.js';
import type { Clock } from '../clock.js';
import { dayOf, lastDays } from '../downloads/days.js';
import type { PackageDownloads } from './critical-store.js';

export interface CriticalRule {
  /** Share of all packages that is critical, in percent (criticalPercent). */
  percent: number;
  /** A package needs at least this many downloads in 30 days (criticalMinDownloads). */
  floor: number;
  /** With few packages, at least this many of the most downloaded are critical (criticalMinTop). */
  minTop: number;
}

/** The days counted: the last 30 complete UTC days (today's count is still growing). */
export const CRITICAL_WINDOW_DAYS = 30;

/** How many places of the ranking are critical for a registry of `packages` packages. */
export function criticalPlaces(packages: number, rule: CriticalRule): number {
  return Math.max(Math.ceil((packages * rule.percent) / 100), rule.minTop);
}

export class CriticalPackages {
  constructor(private readonly deps: { store: Store; clock: Clock; rule: CriticalRule }) {}

  /** Ranks the downloads and replaces the stored list (one transaction); returns the new list. */
  async compute(): Promise<PackageDownloads[]> {
    const { store, clock, rule } = this.deps;
    const period = lastDays(dayOf(clock.now()), CRITICAL_WINDOW_DAYS);
    const at = new Date(clock.now()).toISOString();
    return store.transaction(async (tx) => {
      const [ranked, packages] = await Promise.all([
        tx.critical.ranked(period.start, period.end, Math.max(1, rule.floor)),
        tx.critical.packageCount(),
      ]);
      const list = ranked.slice(0, criticalPlaces(packages, rule));
      await tx.critical.replace(list, at);
      return list;
    });
  }

  list(): Promise<PackageDownloads[]> {
    return this.deps.store.critical.list();
  }

  isCritical(name: string): Promise<boolean> {
    return this.deps.store.critical.isCritical(name);
  }

  /** Whether the user maintains (owns) at least one critical package. */
  criticalMaintainer(userId: number): Promise<boolean> {
    return this.deps.store.critical.ownsCritical(userId);
  }
}
