// In-memory download counts, bucketed by UTC day, for the read path: counting is a clock read and
// a Map increment, with no I/O and no allocation once a tarball has been counted that day. Counts
// leave only through take(); a failed write gives them back with restore().
import type { Clock } from '../clock.js';
import { dayOf, startOfDay, type Day } from './days.js';

/** package name → tarball file name → downloads */
export type DayCounts = Map<string, Map<string, number>>;

const DAY_MS = 24 * 60 * 60 * 1000;

export class DownloadCounter {
  private days = new Map<Day, DayCounts>();
  private today: DayCounts | undefined;
  private todayStarts = 0;
  private todayEnds = 0;
  /** Distinct (day, package, file) counts held: what a flush will write, and what memory holds. */
  keys = 0;

  constructor(private readonly clock: Clock) {}

  add(name: string, file: string, n = 1): void {
    const now = this.clock.now();
    if (this.today === undefined || now >= this.todayEnds || now < this.todayStarts) this.turnTo(now);
    const files = this.today!.get(name);
    if (files === undefined) {
      this.today!.set(name, new Map([[file, n]]));
      this.keys++;
      return;
    }
    const had = files.get(file);
    if (had === undefined) this.keys++;
    files.set(file, (had ?? 0) + n);
  }

  private turnTo(now: number): void {
    const day = dayOf(now);
    this.todayStarts = startOfDay(day);
    this.todayEnds = this.todayStarts + DAY_MS;
    let counts = this.days.get(day);
    if (!counts) this.days.set(day, (counts = new Map()));
    this.today = counts;
  }

  /** Everything counted so far; counting starts afresh. */
  take(): Map<Day, DayCounts> {
    const taken = this.days;
    this.days = new Map();
    this.today = undefined;
    this.keys = 0;
    return taken;
  }

  /** Puts back counts that could not be written, adding to anything counted since. */
  restore(taken: Map<Day, DayCounts>): void {
    for (const [day, counts] of taken) {
      let mine = this.days.get(day);
      if (!mine) this.days.set(day, (mine = new Map()));
      for (const [name, files] of counts) {
        let myFiles = mine.get(name);
        if (!myFiles) mine.set(name, (myFiles = new Map()));
        for (const [file, n] of files) {
          const had = myFiles.get(file);
          if (had === undefined) this.keys++;
          myFiles.set(file, (had ?? 0) + n);
        }
      }
    }
  }

  get pending(): boolean {
    return this.days.size > 0;
  }
}
