// What the malicious-packages domain keeps: one MAL- advisory per package confirmed malicious (the
// Kysely version is storage/db/malicious.ts). Quarantine itself is a version state (packages/store.ts).

export interface MaliciousAdvisory {
  /** `MAL-<year>-<n>`, numbered per year in publish order. */
  id: string;
  packageName: string;
  /** The versions confirmed malicious, in the order they were confirmed. */
  versions: string[];
  /** The whole package is malicious: every version, including any published later. */
  allVersions: boolean;
  summary: string;
  details: string;
  publishedAt: string;
  modifiedAt: string;
  /** The reports that led to it, by id; empty when a scanner or an operator confirmed it. */
  reports: number[];
}

export interface MaliciousAdvisoryStore {
  /** Inside a transaction: the next number for `year` (1, 2, …), never handed out twice. */
  nextNumber(year: number): Promise<number>;
  insert(advisory: MaliciousAdvisory): Promise<void>;
  update(advisory: MaliciousAdvisory): Promise<void>;
  byId(id: string): Promise<MaliciousAdvisory | undefined>;
  /** The package's advisory, if it has one. */
  forPackage(packageName: string): Promise<MaliciousAdvisory | undefined>;
  /** Every advisory, oldest first. */
  all(): Promise<MaliciousAdvisory[]>;
}
