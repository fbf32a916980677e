// The packages domain wired in one place: every operation the HTTP layer may call.
import type { Store } from '../store.js';
import type { Decision, Principal } from '../access/principal.js';
import type { RequestContext } from '../access/context.js';
import { readBlob, type BlobStore, type OpenBlob } from './blobs.js';
import type { TarballLimits } from './tarball.js';
import type { ManifestLimits } from './manifest-rules.js';
import { PackumentCache, type TarballEntry } from './packument-cache.js';
import { publish } from './publish.js';
import { importPackage, type ImportSource } from './import.js';
import type { User } from '../accounts/store.js';
import { actorOf, applyDeprecations, removeDistTag, setDistTag, setOwners } from './changes.js';
import { unpublishMissingVersions, unpublishPackage, unpublishVersion } from './unpublish.js';
import { search, type SearchHit } from './search.js';
import { tarballFileName, versionOfTarball, type PackageName } from './names.js';
import type { Sha512Hex } from './blobs.js';
import { canManage } from './authorize.js';
import { latestVersions, packageView, recentlyUpdated, type PackageSummary, type PackageView } from './pages.js';
import type { StoredReadme } from './store.js';

/** A search hit with what a result shows besides its row: dist-tags (for the version) and owners. */
export interface SearchResult extends SearchHit {
  distTags: Record<string, string>;
  owners: User[];
}

export interface PackageServiceOptions {
  store: Store;
  blobs: BlobStore;
  limits: TarballLimits;
  manifestLimits: ManifestLimits;
  unpublishWindowHours: number;
  baseUrl: () => string;
  /** Bytes of ready packuments to keep. */
  packumentCacheBytes: number;
  now?: () => Date;
}

export class PackageService {
  readonly packuments: PackumentCache;
  private readonly deps;

  constructor(private readonly opts: PackageServiceOptions) {
    this.packuments = new PackumentCache(opts.store, opts.baseUrl, opts.packumentCacheBytes);
    const now = opts.now ?? (() => new Date());
    this.deps = {
      store: opts.store,
      blobs: opts.blobs,
      limits: opts.limits,
      manifestLimits: opts.manifestLimits,
      now,
      windowHours: opts.unpublishWindowHours,
      onChange: (name: string) => this.packuments.invalidate(name),
    };
  }

  // Publish and unpublish take the whole request context (who, from where, a one-time password);
  // the steps below still read only its principal.
  publish(context: RequestContext, name: PackageName, body: unknown) {
    return publish(this.deps, context.principal, name, body);
  }

  /** `gatehouse import`: an administrator's operation, so it takes no principal; `owner` owns what it creates. */
  importPackage(source: ImportSource, name: string, owner: User) {
    return importPackage(this.deps, source, name, owner);
  }

  setDistTag(principal: Principal, name: PackageName, tag: string, version: unknown) {
    return setDistTag(this.deps, principal, name, tag, version);
  }

  removeDistTag(principal: Principal, name: PackageName, tag: string) {
    return removeDistTag(this.deps, principal, name, tag);
  }

  /**
   * The blob behind a tarball file, for reads: from the packument cache when the package is there
   * (clients read the packument first), else one indexed lookup of the version. A tarball read
   * never builds a whole packument, which on a large store would evict others to make room.
   */
  async tarball(name: PackageName, file: string): Promise<TarballEntry | undefined> {
    const cached = this.packuments.peek(name);
    if (cached) return cached.kind === 'found' ? cached.tarballs.get(file) : undefined;
    const version = versionOfTarball(name, file);
    if (version === undefined) return undefined;
    const record = await this.opts.store.packages.version(name, version);
    if (!record || record.unpublishedAt || tarballFileName(name, record.version) !== file) return undefined;
    return { blob: record.blob as Sha512Hex, size: record.size };
  }

  async distTags(name: PackageName): Promise<Record<string, string>> {
    const pkg = await this.opts.store.packages.get(name);
    if (!pkg || pkg.unpublishedAt) return {};
    return this.opts.store.packages.distTags(name);
  }

  /**
   * A whole-document PUT (npm deprecate/undeprecate, owner, star, single-version unpublish).
   * Which change it is follows from what the document carries and whether it came with a rev
   * in the address (`PUT /<name>/-rev/<rev>`).
   */
  async updateFromDocument(context: RequestContext, name: PackageName, doc: Record<string, unknown>, rev: string | undefined) {
    const { principal } = context;
    // The revision the client read: in the URL (`/-rev/<rev>`) or, for a whole document, its `_rev`.
    const expectedRev = rev ?? (typeof doc._rev === 'string' ? doc._rev : undefined);
    if (doc.versions === undefined && doc.maintainers !== undefined) {
      return setOwners(this.deps, principal, name, doc.maintainers, expectedRev);
    }
    if (doc.versions === undefined) {
      // Stars and other fields we do not keep: nothing changes, but an anonymous write still gets 401, not "ok".
      actorOf(principal);
      return;
    }
    if (rev !== undefined) {
      // npm unpublish: the versions left out go. The revision is checked there; what remains of
      // the document describes the package as it was, so its deprecations are applied unchecked.
      await unpublishMissingVersions(this.deps, principal, name, doc, rev);
      return applyDeprecations(this.deps, principal, name, doc);
    }
    await applyDeprecations(this.deps, principal, name, doc, expectedRev);
  }

  unpublishVersion(context: RequestContext, name: PackageName, version: string) {
    return unpublishVersion(this.deps, context.principal, name, version);
  }

  /** `rev`: from `DELETE /<name>/-rev/<rev>`; a package changed since the client read it is left alone. */
  unpublishPackage(context: RequestContext, name: PackageName, rev?: string) {
    return unpublishPackage(this.deps, context.principal, name, rev);
  }

  search(text: string, size: number, from: number) {
    return search(this.opts.store, text, size, from);
  }

  /** `npm search` results: each hit with its dist-tags and owners (one hit at a time, as before). */
  async searchResults(text: string, size: number, from: number): Promise<{ results: SearchResult[]; total: number }> {
    const { hits, total } = await this.search(text, size, from);
    const results: SearchResult[] = [];
    for (const hit of hits) {
      const [distTags, owners] = await Promise.all([
        this.opts.store.packages.distTags(hit.row.name),
        this.opts.store.packages.owners(hit.row.name),
      ]);
      results.push({ ...hit, distTags, owners });
    }
    return { results, total };
  }

  /** Whether `principal` may change the package (owner or admin), judged on its current owners. */
  async canManage(principal: Principal, name: PackageName): Promise<Decision> {
    return canManage(principal, { name, owners: await this.opts.store.packages.owners(name) });
  }

  /**
   * A tarball's bytes, opened for streaming, or undefined when its blob is missing. Every read path
   * goes through the blob store's open(), so a store that is not on the local disk serves too.
   */
  openTarball(tarball: TarballEntry): Promise<OpenBlob | undefined> {
    return this.opts.blobs.open(tarball.blob);
  }

  /** A small tarball's bytes in memory (the fast path keeps them), or undefined when its blob is missing. */
  readTarball(tarball: TarballEntry): Promise<Buffer | undefined> {
    return readBlob(this.opts.blobs, tarball.blob);
  }

  /** The web package page's view of `name` (pages.ts), read in one snapshot. */
  view(name: PackageName): Promise<PackageView> {
    return packageView(this.opts.store, name);
  }

  /** The home page's list: the most recently changed live packages. */
  recentlyUpdated(limit: number): Promise<PackageSummary[]> {
    return recentlyUpdated(this.opts.store, limit);
  }

  /** `latest` of each named package, for web search results. */
  latestVersions(names: string[]): Promise<Map<string, string>> {
    return latestVersions(this.opts.store, names);
  }

  /** A version's README as rendered and kept by the web page (http/web/readme/renderer.ts). */
  storedReadme(name: string, version: string): Promise<StoredReadme | undefined> {
    return this.opts.store.packages.storedReadme(name, version);
  }

  keepReadme(name: string, version: string, readme: StoredReadme): Promise<void> {
    return this.opts.store.packages.keepReadme(name, version, readme);
  }
}
