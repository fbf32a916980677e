import type { User } from '../accounts/store.js';
import type { Actor } from '../access/actor.js';
import type { RegistrySignature } from '../signatures/keys.js';

/**
 * Where a version stands. Only `published` versions are served: packuments, version documents,
 * tarballs, search, dependents and download counts leave the others out, but their numbers stay
 * taken. Nothing sets `staged` (held for approval) or `quarantined` (held after a scan) yet; later
 * tracks do. A tombstone is not a state: `unpublishedAt` marks it, whatever the state was.
 */
export type VersionState = 'published' | 'staged' | 'quarantined';

export const VERSION_STATES: readonly VersionState[] = ['published', 'staged', 'quarantined'];

/** True when reads may show the version: published and not unpublished. */
export function isServed(v: Pick<VersionRecord, 'state' | 'unpublishedAt'>): boolean {
  return v.state === 'published' && v.unpublishedAt === null;
}

/**
 * Who may read a package (decided by canRead in authorize.ts): everyone, or only its maintainers,
 * granted teams and administrators (docs/orgs.md). Set by `npm publish --access restricted` at
 * creation and by `npm access set status`.
 */
export type Visibility = 'public' | 'restricted';

export interface PackageRecord {
  name: string;
  createdAt: string;
  modifiedAt: string;
  rev: number;
  description: string;
  keywords: string;
  unpublishedAt: string | null;
  visibility: Visibility;
}

export interface VersionRecord {
  packageName: string;
  version: string;
  manifest: Record<string, unknown>;
  integrity: string;
  shasum: string;
  blob: string;
  size: number;
  fileCount: number;
  unpackedSize: number;
  publishedAt: string;
  /** Who published it: a user, a trusted publisher, or the system. packument.ts says what clients see. */
  publisher: Actor;
  state: VersionState;
  deprecated: string | null;
  readme: string;
  unpublishedAt: string | null;
  /** The registry's signatures over name@version:integrity (domain/signatures), served as dist.signatures. */
  signatures: RegistrySignature[];
}

/**
 * A scope's claim: made by the first publish in it, and the users who may create new packages
 * in it (today: everyone who owns a package in the scope). Kept in the transactions that change
 * ownership, so it always agrees with the owners.
 */
export interface ScopeClaim {
  scope: string;
  claimedAt: string;
  claimedBy: Actor;
  members: User[];
}

/** How a stored README page was made: markdown rendered, or plain text after a timeout or failure. */
export type ReadmeOutcome = 'rendered' | 'timeout' | 'failed';

/** A version's README as the web page shows it: already sanitised or escaped HTML. */
export interface StoredReadme {
  html: string;
  outcome: ReadmeOutcome;
}

export interface Dependent {
  packageName: string;
  version: string;
  range: string;
}

export interface SearchRow {
  name: string;
  description: string;
  keywords: string;
  modifiedAt: string;
  visibility: Visibility;
}

export interface PackageStore {
  /**
   * `lock`, inside a transaction: holds the package row until the transaction ends, so a change
   * that checks the revision a client read cannot interleave with another change.
   */
  get(name: string, opts?: { lock?: boolean }): Promise<PackageRecord | undefined>;
  /**
   * Inside a transaction: waits for any other transaction holding the same claim (a scope or
   * an unscoped name) until it ends, so two first publishes cannot both pass the ownership check.
   */
  lockClaim(claim: string): Promise<void>;
  /** Creates the package row; false if it already exists. */
  create(pkg: { name: string; createdAt: string }): Promise<boolean>;
  /** Records a change: bumps rev and modified time, optionally updates the searchable fields. */
  touch(
    name: string,
    change: { modifiedAt: string; description?: string; keywords?: string; unpublishedAt?: string | null },
  ): Promise<void>;
  owners(name: string): Promise<User[]>;
  /** Everyone who owns a package in this scope (`@scope`): the claim's members; empty when unclaimed. */
  scopeOwners(scope: string): Promise<User[]>;
  /** The claim on `@scope`, if anything was ever published in it. */
  scopeClaim(scope: string): Promise<ScopeClaim | undefined>;
  /**
   * Inside a transaction: adds an owner, and for a scoped name claims the scope (when unclaimed)
   * and makes the user a member of it, in the same transaction.
   */
  addOwner(name: string, userId: number): Promise<void>;
  /** Inside a transaction: removes an owner; they leave the scope's members once they own nothing in it. */
  removeOwner(name: string, userId: number): Promise<void>;
  /** Every version ever published, tombstones included, in publish order. */
  /** Oldest first. `readmes: false` leaves every `readme` empty, for reads that need none. */
  versions(name: string, opts?: { readmes?: boolean }): Promise<VersionRecord[]>;
  version(name: string, version: string): Promise<VersionRecord | undefined>;
  /** Inserts the version; false when name@version exists (live or tombstone). */
  insertVersion(version: VersionRecord, dependencies: Record<string, string>): Promise<boolean>;
  /** Up to `limit` versions stored before registry signatures, for signing them once. */
  unsignedVersions(limit: number): Promise<{ packageName: string; version: string; integrity: string }[]>;
  /** Sets signatures only where there were none, so a second signer changes nothing. */
  setSignatures(name: string, version: string, signatures: RegistrySignature[]): Promise<boolean>;
  /** The README HTML kept for name@version, if it was rendered before (by any instance). */
  storedReadme(name: string, version: string): Promise<StoredReadme | undefined>;
  /** Keeps the README HTML; the first one kept wins, so two instances rendering at once agree. */
  keepReadme(name: string, version: string, readme: StoredReadme): Promise<void>;
  setDeprecated(name: string, version: string, message: string | null): Promise<void>;
  markUnpublished(name: string, version: string, at: string): Promise<void>;
  /**
   * Moves a version between states (staging, quarantine); its number stays taken in every state.
   * `publishedAt` moves its publish time too: an approved stage became installable at its approval.
   */
  setState(name: string, version: string, state: VersionState, publishedAt?: string): Promise<void>;
  distTags(name: string): Promise<Record<string, string>>;
  setDistTag(name: string, tag: string, version: string): Promise<void>;
  removeDistTag(name: string, tag: string): Promise<void>;
  /** Served versions of other packages that depend on `name`. */
  dependents(name: string): Promise<Dependent[]>;
  /** Who may read the package; see Visibility. */
  setVisibility(name: string, visibility: Visibility): Promise<void>;
  /** Live packages with a served version whose name, description or keywords contain every word. */
  searchCandidates(words: string[], limit: number): Promise<SearchRow[]>;
}
