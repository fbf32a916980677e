// What download counting needs from storage. The Kysely version is storage/db/downloads.ts.
import type { Day } from './days.js';

export interface DailyCount {
  packageName: string;
  version: string;
  day: Day;
  count: number;
}

export interface DownloadStore {
  /** Adds each row's count to what is stored for its (package, version, day). */
  add(rows: DailyCount[]): Promise<void>;
  /** Downloads of all versions of `name`, per day that has any, from start to end inclusive. */
  daily(name: string, start: Day, end: Day): Promise<Map<Day, number>>;
  /** Downloads of all versions, per package that has any, from start to end inclusive. */
  totals(names: string[], start: Day, end: Day): Promise<Map<string, number>>;
}
