// What the scanning domain keeps: each version's scan result (a held one's review is domain/quarantine's), the admins' rule
// switches and the known-bad digests. The Kysely version is storage/db/scanning.ts.
import type { Capability, Verdict } from './rules.js';
import type { Finding } from './evaluate.js';
import type { KnownBadDigest, KnownBadEntry } from './known-bad.js';

export interface ScanRecord {
  packageName: string;
  version: string;
  verdict: Verdict;
  findings: Finding[];
  capabilities: Capability[];
  rulesVersion: string;
  /** The dist-tag the publish asked for. */
  tag: string;
  /** Who published it, by user name ('' for a trusted publisher): told of the review's outcome. */
  publisher: string;
  scannedAt: string;
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
  switches(): Promise<RuleSwitch[]>;
  setSwitch(change: RuleSwitch): Promise<void>;
  /** The listed digests found among `digests`, with their notes. */
  knownBad(digests: KnownBadDigest[]): Promise<KnownBadEntry[]>;
  /** Adds entries (a digest already listed keeps its note); returns how many were new. */
  addKnownBad(entries: KnownBadEntry[], addedAt: string): Promise<number>;
}
