// What the scanning domain keeps: each version's scan result (and its review), the admins' rule
// switches and the known-bad digests. The Kysely version is storage/db/scanning.ts.
import type { Capability, Verdict } from './rules.js';
import type { Finding } from './evaluate.js';
import type { KnownBadDigest, KnownBadEntry } from './known-bad.js';

/** Where a quarantined version's review stands; `none` for every other verdict. */
export type Review = 'none' | 'pending' | 'released' | 'rejected';

export interface ScanRecord {
  packageName: string;
  version: string;
  verdict: Verdict;
  findings: Finding[];
  capabilities: Capability[];
  rulesVersion: string;
  /** The dist-tag the publish asked for: set when a quarantined version is released. */
  tag: string;
  /** Who published it, by user name ('' for a trusted publisher): told of the review's outcome. */
  publisher: string;
  scannedAt: string;
  review: Review;
  reviewedBy: string | null;
  reviewedAt: string | null;
  reviewNote: string | null;
}

export interface RuleSwitch {
  ruleId: string;
  enabled: boolean;
  changedBy: string;
  changedAt: string;
}

export interface ScanStore {
  /** Keeps a version's result; false when one exists already (a version is scanned once). */
  record(result: ScanRecord): Promise<boolean>;
  result(name: string, version: string): Promise<ScanRecord | undefined>;
  /** Every result of one package, oldest first. */
  results(name: string): Promise<ScanRecord[]>;
  /** Quarantined versions waiting for review, oldest first. */
  pending(limit: number): Promise<ScanRecord[]>;
  setReview(name: string, version: string, review: Review, by: string, at: string, note: string | null): Promise<void>;
  switches(): Promise<RuleSwitch[]>;
  setSwitch(change: RuleSwitch): Promise<void>;
  /** The listed digests found among `digests`, with their notes. */
  knownBad(digests: KnownBadDigest[]): Promise<KnownBadEntry[]>;
  /** Adds entries (a digest already listed keeps its note); returns how many were new. */
  addKnownBad(entries: KnownBadEntry[], addedAt: string): Promise<number>;
}
