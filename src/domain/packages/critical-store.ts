// What the critical-package list needs from storage (the Kysely version is storage/db/critical.ts).
import type { Day } from '../downloads/days.js';

export interface PackageDownloads {
  name: string;
  downloads: number;
}

export interface CriticalPackageStore {
  /** Packages with at least `floor` downloads from start to end inclusive, most downloaded first (then by name). */
  ranked(start: Day, end: Day, floor: number): Promise<PackageDownloads[]>;
  /** Packages that exist and are not unpublished. */
  packageCount(): Promise<number>;
  /** Replaces the stored list with this one. */
  replace(list: PackageDownloads[], at: string): Promise<void>;
  list(): Promise<PackageDownloads[]>;
  isCritical(name: string): Promise<boolean>;
  /** Whether the user owns at least one critical package. */
  ownsCritical(userId: number): Promise<boolean>;
}
