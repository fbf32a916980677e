// Packuments as ready bytes. Each package's documents are built once per change (on first read
// after it), serialised once, and kept with their strong ETags, so a read parses, rewrites and
// hashes nothing. Misses are cached too, so a 404 costs no query either. Entries are dropped when
// this instance changes a package, or when the event follower sees another instance change it.
import { createHash } from 'node:crypto';
import type { Repositories, Store } from '../store.js';
import type { User } from '../accounts/store.js';
import type { Sha512Hex } from './blobs.js';
import { abbreviatedPackument, fullPackument, isHeld, publisherUserIds, type PackumentInput } from './packument.js';
import { isServed, type PackageRecord } from './store.js';
import { tarballFileName, type PackageName } from './names.js';
import type { Visibility } from './store.js';
import { readFacts } from '../orgs/readers.js';
import type { PackageReaders } from '../orgs/access.js';

export interface ReadyDocument {
  body: Buffer;
  etag: string;
}

export interface TarballEntry {
  blob: Sha512Hex;
  size: number;
  /** A held (quarantined) version's, served to its owners only: never cached by anyone (held.ts). */
  held?: true;
}

export type CachedPackage =
  | {
      kind: 'found';
      full: ReadyDocument;
      abbreviated: ReadyDocument;
      tarballs: Map<string, TarballEntry>;
      /** Who may read it is decided per request (canRead), on both read paths, from this. */
      visibility: Visibility;
      /** Who may read it when restricted (orgs/readers.ts); dropped with the entry on any access change. */
      readers?: PackageReaders;
      /** It has quarantined versions, which its owners and administrators are shown per request (held.ts). */
      held?: true;
      bytes: number;
    }
  | { kind: 'missing'; message: string; bytes: number; held?: true };

/** A package that does not exist; a read refused by canRead is answered with exactly this. */
export function missingPackage(name: string): Extract<CachedPackage, { kind: 'missing' }> {
  return { kind: 'missing', message: `Package "${name}" was not found.`, bytes: 64 + name.length };
}

export function readyDocument(doc: unknown): ReadyDocument {
  const text = JSON.stringify(doc);
  // Outside the shared Buffer pool: a kept document under 4 kB would otherwise pin an 8 kB slab.
  const body = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
  body.write(text);
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
  return { body, etag };
}

/** The largest share of the budget one package may take; above it, the package is not cached. */
export const MAX_ENTRY_SHARE = 1 / 8;

export class PackumentCache {
  private readonly entries = new Map<string, CachedPackage>();
  private readonly loading = new Map<string, Promise<CachedPackage>>();
  private generation = new Map<string, number>();
  private bytes = 0;

  constructor(
    private readonly store: Store,
    private readonly baseUrl: () => string,
    private readonly budgetBytes: number,
  ) {}

  /** The cached answer, if any; never touches the database (the hot path uses this first). */
  peek(name: string): CachedPackage | undefined {
    return this.entries.get(name);
  }

  async get(name: PackageName): Promise<CachedPackage> {
    const cached = this.entries.get(name);
    if (cached) return cached;
    const pending = this.loading.get(name);
    if (pending) return pending;
    const generation = this.generation.get(name) ?? 0;
    const load: Promise<CachedPackage> = this.build(name).finally(() => {
      if (this.loading.get(name) === load) this.loading.delete(name);
    });
    this.loading.set(name, load);
    const entry = await load;
    // A change that landed while we were reading makes this entry stale: serve it once, keep nothing.
    if ((this.generation.get(name) ?? 0) === generation) this.remember(name, entry);
    return entry;
  }

  invalidate(name: string): void {
    this.generation.set(name, (this.generation.get(name) ?? 0) + 1);
    // A build already under way read the rows before this change: later readers must not join it.
    this.loading.delete(name);
    const entry = this.entries.get(name);
    if (entry) {
      this.bytes -= entry.bytes;
      this.entries.delete(name);
    }
  }

  /**
   * Counts `extra` bytes kept beside a cached entry (its version documents, built on demand)
   * against the budget, as its own bytes are; an entry that grows past its share is dropped.
   */
  charge(name: string, entry: CachedPackage, extra: number): void {
    if (this.entries.get(name) !== entry) return;
    this.entries.delete(name);
    this.bytes -= entry.bytes;
    entry.bytes += extra;
    this.remember(name, entry);
  }

  /**
   * Drops every restricted entry and every build under way: a membership, team or grant change
   * may change who reads any private package, and a build that read the rows before it must not
   * be kept. Public entries do not depend on grants and stay.
   */
  invalidateRestricted(): void {
    for (const [name, entry] of [...this.entries])
      if (entry.kind === 'found' && entry.visibility !== 'public') this.invalidate(name);
    for (const name of [...this.loading.keys()]) this.invalidate(name);
  }

  clear(): void {
    for (const name of [...this.entries.keys()]) this.invalidate(name);
  }

  private remember(name: string, entry: CachedPackage): void {
    // One huge package must not empty the cache for everyone else: it is served, rebuilt per read.
    if (entry.bytes > this.budgetBytes * MAX_ENTRY_SHARE) return;
    this.entries.set(name, entry);
    this.bytes += entry.bytes;
    // Evict the oldest entries (Map keeps insertion order) until we are back under budget.
    for (const [oldest, old] of this.entries) {
      if (this.bytes <= this.budgetBytes) break;
      this.entries.delete(oldest);
      this.bytes -= old.bytes;
    }
  }

  private build(name: PackageName): Promise<CachedPackage> {
    // One snapshot: a publish committing between two reads would otherwise leave `latest`
    // naming a version the document does not list.
    return this.store.snapshot((repos) => this.buildFrom(repos, name));
  }

  private async buildFrom(repos: Repositories, name: PackageName): Promise<CachedPackage> {
    const pkg = await repos.packages.get(name);
    if (!pkg) return missingPackage(name);
    if (pkg.unpublishedAt) {
      return {
        kind: 'missing',
        message: `Package "${name}" was unpublished on ${pkg.unpublishedAt}. Its name stays reserved for its owners.`,
        bytes: 128 + name.length,
      };
    }
    const { input, access } = await packumentInput(repos, pkg, this.baseUrl());
    const { versions } = input;
    const held = versions.some(isHeld) ? { held: true as const } : {};
    // Nothing to install yet (every version staged or quarantined): as missing as a name never used.
    if (!versions.some(isServed))
      return { kind: 'missing', message: `Package "${name}" was not found.`, bytes: 64 + name.length, ...held };
    const doc = fullPackument(input);
    const full = readyDocument(doc);
    const abbreviated = readyDocument(abbreviatedPackument(doc, pkg.modifiedAt));
    const tarballs = new Map<string, TarballEntry>();
    for (const v of versions) {
      if (isServed(v)) tarballs.set(tarballFileName(name, v.version), { blob: v.blob as Sha512Hex, size: v.size });
    }
    return {
      kind: 'found',
      full,
      abbreviated,
      tarballs,
      visibility: pkg.visibility,
      ...(access.readers && { readers: access.readers }),
      ...held,
      bytes: full.body.length + abbreviated.body.length + tarballs.size * 200,
    };
  }
}

/** Everything a packument is built from, read in `repos` (one snapshot): the cached one and the owners' view (held.ts). */
export async function packumentInput(
  repos: Repositories,
  pkg: PackageRecord,
  baseUrl: string,
): Promise<{ input: PackumentInput; access: Awaited<ReturnType<typeof readFacts>> }> {
  const name = pkg.name;
  const [versions, distTags, owners, access, attestations] = await Promise.all([
    repos.packages.versions(name, { readmes: false }),
    repos.packages.distTags(name),
    repos.packages.owners(name),
    readFacts(repos, name, pkg.visibility),
    repos.attestations.predicateTypes(name),
  ]);
  // The document carries only the latest version's README.
  const latest = versions.find((v) => v.version === distTags.latest && isServed(v));
  if (latest) latest.readme = (await repos.packages.version(name, latest.version))?.readme ?? '';
  const publishers = new Map<number, User>();
  for (const id of publisherUserIds(versions)) {
    const user = await repos.users.byId(id);
    if (user) publishers.set(id, user);
  }
  return { input: { pkg, versions, distTags, owners, publishers, baseUrl, attestations }, access };
}
