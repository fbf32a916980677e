// The packages domain wired in one place: every operation the HTTP layer may call.
import type { Store } from '../store.js';
import { enforce, type Decision, type TokenPrincipal } from '../access/principal.js';
import type { RequestContext } from '../access/context.js';
import { canActAsUser } from '../accounts/authorize.js';
import { readBlob, type BlobStore, type OpenBlob } from './blobs.js';
import { DEFAULT_INSPECT_BUDGET_MS, type TarballLimits } from './tarball.js';
import type { ManifestLimits } from './manifest-rules.js';
import { missingPackage, PackumentCache, type CachedPackage, type TarballEntry } from './packument-cache.js';
import { PublishPipeline, type PublishStep, type StepPosition } from './publish/index.js';
import type { PublishMode, VersionSigner } from './publish/context.js';
import type { InspectorFactory } from './tarball-inspectors.js';
import { isGatehouseError } from '../errors.js';
import { importPackage, type ImportSource } from './import.js';
import type { User } from '../accounts/store.js';
import { applyDeprecations, removeDistTag, setDistTag, setOwners } from './changes.js';
import { unpublishMissingVersions, unpublishPackage, unpublishVersion } from './unpublish.js';
import { search, type SearchHit } from './search.js';
import { tarballFileName, versionOfTarball, type PackageName } from './names.js';
import type { Sha512Hex } from './blobs.js';
import { canManage, canRead } from './authorize.js';
import { latestVersions, packageView, recentlyUpdated, type PackageSummary, type PackageView } from './pages.js';
import { isServed, type StoredReadme } from './store.js';
import { dateOf, systemClock, type Clock } from '../clock.js';
import { readFacts } from '../orgs/readers.js';
import { browses } from '../orgs/access.js';
import { fail } from '../errors.js';
import { heldPackument, heldTarball, heldVersionDocument } from './held.js';

/** A search hit with what a result shows besides its row: dist-tags (for the version) and owners. */
export interface SearchResult extends SearchHit {
  distTags: Record<string, string>;
  owners: User[];
}

/** A change a second factor or the MFA policy may guard (the mfa domain answers; nothing by default). */
export type PackageWrite =
  | 'publish'
  | 'owners'
  | 'dist-tags'
  | 'deprecate'
  | 'unpublish'
  // staged publishing (domain/staging): staging defers the second factor; approving gives it.
  | 'stage'
  | 'stage-approve'
  | 'stage-reject';
export type WriteCheck = (context: RequestContext, write: PackageWrite) => Promise<unknown>;

export interface PackageServiceOptions {
  store: Store;
  blobs: BlobStore;
  limits: TarballLimits;
  manifestLimits: ManifestLimits;
  unpublishWindowHours: number;
  baseUrl: () => string;
  /** Bytes of ready packuments to keep. */
  packumentCacheBytes: number;
  /** Publish times and the unpublish window read it. */
  clock?: Clock;
  /** Time budget for inspecting one tarball, in ms. */
  inspectBudgetMs?: number;
  /** Whether readers without a token may read public packages; true unless set (config anonymousReads). */
  anonymousReads?: boolean;
  sign: VersionSigner;
}

export class PackageService {
  readonly packuments: PackumentCache;
  private readonly deps;
  private readonly pipeline: PublishPipeline;
  /** Inspectors every tarball is offered, beyond the built-in ones (addInspector). */
  private readonly inspectors: InspectorFactory[] = [];
  /** Asked before every change but a publish (whose check is a publish step): setWriteCheck. */
  private writeCheck: WriteCheck = async () => undefined;

  constructor(private readonly opts: PackageServiceOptions) {
    this.packuments = new PackumentCache(opts.store, opts.baseUrl, opts.packumentCacheBytes);
    const clock = opts.clock ?? systemClock;
    const now = () => dateOf(clock);
    this.deps = {
      store: opts.store,
      blobs: opts.blobs,
      limits: opts.limits,
      manifestLimits: opts.manifestLimits,
      now,
      windowHours: opts.unpublishWindowHours,
      inspectors: this.inspectors,
      inspectBudgetMs: opts.inspectBudgetMs ?? DEFAULT_INSPECT_BUDGET_MS,
      sign: opts.sign,
    };
    this.pipeline = new PublishPipeline(this.deps);
  }

  /** `mode.stage`: `npm stage publish`, held for a maintainer's approval (domain/staging). */
  publish(context: RequestContext, name: PackageName, body: unknown, mode: PublishMode = {}) {
    return this.pipeline.publish(context, name, body, mode);
  }

  /** Before a stage publish's body is read: the pipeline's early steps, as a stage. */
  checkBeforeStage(context: RequestContext, name: PackageName): Promise<void> {
    return this.pipeline.mayPublish(context, name, { stage: true });
  }

  /**
   * Where a track registers a publish step (OTP, MFA policy, staging, scan verdict…): next to a named
   * one. A step that must write or decide inside the version's transaction pushes onto ctx.inCommit.
   */
  addPublishStep(step: PublishStep, position: StepPosition): void {
    this.pipeline.add(step, position);
  }

  /** The publish steps in the order they run. */
  publishSteps(): string[] {
    return this.pipeline.names();
  }

  /** Where the mfa domain asks for a one-time password (and applies its policy) before a change. */
  setWriteCheck(check: WriteCheck): void {
    this.writeCheck = check;
  }

  /** Where a scanner registers: offered every entry of every tarball published or imported. */
  addInspector(inspector: InspectorFactory): void {
    this.inspectors.push(inspector);
  }

  /**
   * For the HTTP edge, before a PUT /<name> body too large to be a star is read: refuses unless
   * it could succeed, as a publish (the pipeline's steps before the body) or as a document
   * write-back by a maintainer or an administrator (npm deprecate sends the whole packument).
   */
  async checkBeforeBody(context: RequestContext, name: PackageName): Promise<void> {
    try {
      await this.pipeline.mayPublish(context, name);
    } catch (err) {
      if (isGatehouseError(err) && (await this.canManage(context, name)).ok) return;
      throw err;
    }
  }

  /** `gatehouse import`: an administrator's operation, so it takes no principal; `owner` owns what it creates. */
  importPackage(source: ImportSource, name: string, owner: User) {
    return importPackage(this.deps, source, name, owner);
  }

  async setDistTag(context: RequestContext, name: PackageName, tag: string, version: unknown) {
    await this.writeCheck(context, 'dist-tags');
    return setDistTag(this.deps, context, name, tag, version);
  }

  async removeDistTag(context: RequestContext, name: PackageName, tag: string) {
    await this.writeCheck(context, 'dist-tags');
    return removeDistTag(this.deps, context, name, tag);
  }

  /**
   * The packument cache's entry for `name` as this reader may see it: a package they may not
   * read is the very entry a package that does not exist gets, so its 404 leaks nothing.
   * `fresh` rebuilds it first (npm's `?write=true`).
   */
  async packument(context: RequestContext, name: PackageName, fresh = false): Promise<CachedPackage> {
    this.browse(context);
    if (fresh) this.packuments.invalidate(name);
    const entry = await this.packuments.get(name);
    if (entry.kind === 'found' && !canRead(context.principal, { visibility: entry.visibility, readers: entry.readers, name }).ok)
      return missingPackage(name);
    return entry;
  }

  /**
   * The blob behind a tarball file, for reads: from the packument cache when the package is there
   * (clients read the packument first), else one indexed lookup of the version and one of its
   * package. A tarball read never builds a whole packument, which on a large store would evict
   * others to make room. Undefined, as for a missing file, when this reader may not read it.
   */
  async tarball(context: RequestContext, name: PackageName, file: string): Promise<TarballEntry | undefined> {
    this.browse(context);
    const cached = this.packuments.peek(name);
    if (cached) {
      if (
        cached.kind === 'found' &&
        !canRead(context.principal, { visibility: cached.visibility, readers: cached.readers, name }).ok
      )
        return undefined;
      return (cached.kind === 'found' ? cached.tarballs.get(file) : undefined) ?? this.held(context, name, file);
    }
    const version = versionOfTarball(name, file);
    if (version === undefined) return undefined;
    const [pkg, record] = await Promise.all([
      this.opts.store.packages.get(name),
      this.opts.store.packages.version(name, version),
    ]);
    if (!pkg || !canRead(context.principal, await readFacts(this.opts.store, name, pkg.visibility), version).ok) return undefined;
    if (!record || !isServed(record) || tarballFileName(name, record.version) !== file) return this.held(context, name, file);
    return { blob: record.blob as Sha512Hex, size: record.size };
  }

  /** A quarantined version's document, for its owners and administrators only (held.ts). */
  heldVersion(context: RequestContext, name: PackageName, version: string): Promise<Record<string, unknown> | undefined> {
    return heldVersionDocument(this.opts.store, context.principal, name, version, this.opts.baseUrl());
  }

  /**
   * The packument with its quarantined versions, for its owners and administrators only (held.ts);
   * undefined for everyone else, and without a query when `entry` (this reader's) has none held.
   */
  heldPackument(context: RequestContext, name: PackageName, entry: CachedPackage, abbreviated: boolean) {
    if (entry.held !== true) return Promise.resolve(undefined);
    return heldPackument(this.opts.store, context.principal, name, this.opts.baseUrl(), abbreviated);
  }

  /** A quarantined version's tarball, for its owners and administrators only (held.ts). */
  private held(context: RequestContext, name: PackageName, file: string): Promise<TarballEntry | undefined> {
    return heldTarball(this.opts.store, context.principal, name, file);
  }

  async distTags(context: RequestContext, name: PackageName): Promise<Record<string, string>> {
    this.browse(context);
    const pkg = await this.opts.store.packages.get(name);
    if (!pkg || pkg.unpublishedAt || !canRead(context.principal, await readFacts(this.opts.store, name, pkg.visibility)).ok)
      return {};
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
      await this.writeCheck(context, 'owners');
      return setOwners(this.deps, context, name, doc.maintainers, expectedRev);
    }
    if (doc.versions === undefined) {
      // Stars and other fields we do not keep: nothing changes, but an anonymous write still gets 401, not "ok".
      enforce(canActAsUser(principal, 'change a package'));
      return;
    }
    await this.writeCheck(context, rev !== undefined ? 'unpublish' : 'deprecate');
    if (rev !== undefined) {
      // npm unpublish: the versions left out go. The revision is checked there; what remains of
      // the document describes the package as it was, so its deprecations are applied unchecked.
      await unpublishMissingVersions(this.deps, context, name, doc, rev);
      return applyDeprecations(this.deps, context, name, doc);
    }
    await applyDeprecations(this.deps, context, name, doc, expectedRev);
  }

  async unpublishVersion(context: RequestContext, name: PackageName, version: string) {
    // npm's tarball DELETE follows the PUT that already removed the version, with the same code:
    // a version already gone changes nothing, so it is not asked for (and does not spend) a code.
    const found = await this.opts.store.packages.version(name, version);
    if (found && !found.unpublishedAt) await this.writeCheck(context, 'unpublish');
    return unpublishVersion(this.deps, context, name, version);
  }

  /** `rev`: from `DELETE /<name>/-rev/<rev>`; a package changed since the client read it is left alone. */
  async unpublishPackage(context: RequestContext, name: PackageName, rev?: string) {
    await this.writeCheck(context, 'unpublish');
    return unpublishPackage(this.deps, context, name, rev);
  }

  /** Only packages this reader may read are found (and counted). */
  search(context: RequestContext, text: string, size: number, from: number) {
    this.browse(context);
    return search(this.opts.store, context.principal, text, size, from);
  }

  /** `npm search` results: each hit with its dist-tags and owners (one hit at a time, as before). */
  async searchResults(
    context: RequestContext,
    text: string,
    size: number,
    from: number,
  ): Promise<{ results: SearchResult[]; total: number }> {
    const { hits, total } = await this.search(context, text, size, from);
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

  /** Refuses an anonymous read when the registry allows none (anonymousReads off). */
  private browse(context: RequestContext): void {
    const denied = browses(context.principal, this.opts.anonymousReads ?? true);
    if (denied) fail(denied.code, denied.reason);
  }

  /** Whether this reader may change the package (owner or admin), judged on its current owners. */
  async canManage(context: RequestContext, name: PackageName): Promise<Decision<TokenPrincipal>> {
    return canManage(context.principal, { name, owners: await this.opts.store.packages.owners(name) });
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

  /** The web package page's view of `name` (pages.ts), read in one snapshot; missing if this reader may not read it. */
  view(context: RequestContext, name: PackageName): Promise<PackageView> {
    this.browse(context);
    return packageView(this.opts.store, context.principal, name);
  }

  /** The home page's list: the most recently changed live packages this reader may read. */
  recentlyUpdated(context: RequestContext, limit: number): Promise<PackageSummary[]> {
    this.browse(context);
    return recentlyUpdated(this.opts.store, context.principal, limit);
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
