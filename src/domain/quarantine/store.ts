// What the quarantine domain keeps: one row per quarantined version with why it was held and how
// its review stands. The version's own state (`quarantined`) is what every read obeys; this row is
// the review's. The Kysely version is storage/db/quarantines.ts.

/** What put a version in quarantine: the malware scan at publish, a confirmed report, an administrator. */
export type QuarantineCause = 'report' | 'scan' | 'admin';

export type QuarantineReview = 'pending' | 'released' | 'rejected';

export interface QuarantineRecord {
  packageName: string;
  version: string;
  cause: QuarantineCause;
  /** What to look at for why: `report:<id>`, `scan:<rule ids>`, an advisory id. No secret, no free text. */
  ref: string;
  /** Set for a version held at publish (never announced): the dist-tag its release moves. */
  tag: string | null;
  /** Who published it, by user name ('' when unknown or a trusted publisher): told of the outcome. */
  publisher: string;
  heldAt: string;
  review: QuarantineReview;
  reviewedBy: string | null;
  reviewedAt: string | null;
  reviewNote: string | null;
}

export interface QuarantineStore {
  /** Keeps the hold; a version released before and quarantined again starts a new review. */
  hold(record: QuarantineRecord): Promise<void>;
  get(name: string, version: string): Promise<QuarantineRecord | undefined>;
  /** Versions waiting for review, oldest first. */
  pending(limit: number): Promise<QuarantineRecord[]>;
  setReview(
    name: string,
    version: string,
    review: Exclude<QuarantineReview, 'pending'>,
    by: string,
    at: string,
    note: string | null,
  ): Promise<void>;
}
