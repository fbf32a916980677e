// Staged publishing (docs/staged-publishing.md): what `npm stage list|view|download|approve|reject`
// and the package page ask. A staged version is stored like a published one but with state
// `staged`, so no read serves it; only its maintainers reach it, here. Approval (with a second
// factor, always) publishes it under the tag fixed at stage time; rejection withholds it for good,
// keeping its number taken. Each decision is one transaction with its event.
import type { RequestContext } from '../access/context.js';
import type { Store, Repositories } from '../store.js';
import type { Clock } from '../clock.js';
import type { BlobStore, Sha512Hex } from '../packages/blobs.js';
import { readBlob } from '../packages/blobs.js';
import type { PackageWrite } from '../packages/service.js';
import type { PackageFacts } from '../packages/authorize.js';
import { canManage, canRead } from '../packages/authorize.js';
import { readFacts } from '../orgs/readers.js';
import { packageFacts } from '../packages/publish/authorize.js';
import { searchFields } from '../packages/publish/stored-fields.js';
import type { PackageName } from '../packages/names.js';
import { enforce } from '../access/principal.js';
import { userActor } from '../access/actor.js';
import { fail } from '../errors.js';
import { canReviewStage, type StageAction } from './authorize.js';
import type { StageRecord } from './store.js';

export interface StagingDeps {
  store: Store;
  blobs: BlobStore;
  clock: Clock;
  /** The write checks (domain/mfa/writes.ts): 'stage-approve' always asks a second factor. */
  writeCheck: (context: RequestContext, write: PackageWrite) => Promise<unknown>;
}

/** One stage as npm's `stage list` and `stage view` print it (npm/lib/utils/key-values.js logStageItem). */
export interface StageItem {
  id: string;
  packageName: string;
  version: string;
  tag: string;
  createdAt: string;
  actor: string;
  actorType: string;
  shasum: string;
  integrity: string;
}

export const MAX_PER_PAGE = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const GONE = 'No staged version has that id here (it may have been approved or rejected already).';

export class StagingService {
  constructor(private readonly deps: StagingDeps) {}

  /** The stages the caller maintains, oldest first, a page at a time (npm pages by 100 until `total`). */
  async list(
    context: RequestContext,
    query: { packageName?: PackageName; page: number; perPage: number },
  ): Promise<{ items: StageItem[]; total: number }> {
    if (context.principal.kind === 'anonymous') enforce(canReviewStage(context.principal, { name: '', owners: [] }, 'view'));
    const stages = await this.deps.store.stages.list(query.packageName);
    const seen = new Map<string, boolean>();
    const visible: StageRecord[] = [];
    for (const stage of stages) {
      let ok = seen.get(stage.packageName);
      if (ok === undefined) {
        const facts = await packageFacts(this.deps.store, stage.packageName as PackageName, context);
        ok = canReviewStage(context.principal, facts, 'view').ok;
        seen.set(stage.packageName, ok);
      }
      if (ok) visible.push(stage);
    }
    const perPage = Math.min(Math.max(1, query.perPage), MAX_PER_PAGE);
    const page = visible.slice(query.page * perPage, (query.page + 1) * perPage);
    return { items: await Promise.all(page.map((s) => this.item(s))), total: visible.length };
  }

  async view(context: RequestContext, id: string): Promise<StageItem> {
    const { stage } = await this.reviewed(context, id, 'view');
    return this.item(stage);
  }

  /** The staged tarball, for a maintainer to inspect before deciding. */
  async tarball(context: RequestContext, id: string): Promise<{ stage: StageRecord; bytes: Buffer }> {
    const { stage } = await this.reviewed(context, id, 'view');
    const version = await this.deps.store.packages.version(stage.packageName, stage.version);
    const bytes = version && (await readBlob(this.deps.blobs, version.blob as Sha512Hex));
    if (!bytes) fail('StageNotFound', GONE);
    return { stage, bytes };
  }

  /** Publishes the staged version under its fixed tag; refused without a second factor. */
  async approve(context: RequestContext, id: string): Promise<StageRecord> {
    const { stage, reviewer } = await this.reviewed(context, id, 'decide');
    await this.deps.writeCheck(context, 'stage-approve');
    const at = new Date(this.deps.clock.now()).toISOString();
    await this.deps.store.transaction(async (tx) => {
      await this.claim(tx, stage, context);
      const version = await tx.packages.version(stage.packageName, stage.version);
      if (!version || version.state !== 'staged' || version.unpublishedAt) fail('StageNotFound', GONE);
      // npm's `time[version]` is when it became installable: the approval, not the stage.
      await tx.packages.setState(stage.packageName, stage.version, 'published', at);
      await tx.packages.setDistTag(stage.packageName, stage.tag, stage.version);
      const searchable = stage.tag === 'latest' ? searchFields(version.manifest) : {};
      await tx.packages.touch(stage.packageName, { modifiedAt: at, unpublishedAt: null, ...searchable });
      await tx.events.append({
        type: 'version.stage_approved',
        actor: userActor(reviewer.user),
        packageName: stage.packageName,
        version: stage.version,
        data: { stageId: stage.id, tag: stage.tag, integrity: version.integrity },
        createdAt: at,
      });
    });
    return stage;
  }

  /**
   * Withholds the staged version for good. npm's CLI warns that a rejection deletes the stage and
   * its tarball: the stage goes and the tarball is never served again, but the number stays taken
   * (a tombstone), so one name@version can never stand for two different tarballs.
   */
  async reject(context: RequestContext, id: string): Promise<StageRecord> {
    const { stage, reviewer } = await this.reviewed(context, id, 'decide');
    await this.deps.writeCheck(context, 'stage-reject');
    const at = new Date(this.deps.clock.now()).toISOString();
    await this.deps.store.transaction(async (tx) => {
      await this.claim(tx, stage, context);
      await tx.packages.markUnpublished(stage.packageName, stage.version, at);
      await tx.events.append({
        type: 'version.stage_rejected',
        actor: userActor(reviewer.user),
        packageName: stage.packageName,
        version: stage.version,
        data: { stageId: stage.id, tag: stage.tag },
        createdAt: at,
      });
    });
    return stage;
  }

  /** Whether the package takes versions only through a stage; a package the caller may not read is missing. */
  async requiresStaging(context: RequestContext, name: PackageName): Promise<boolean> {
    const pkg = await this.deps.store.packages.get(name);
    if (!pkg || pkg.unpublishedAt || !canRead(context.principal, await readFacts(this.deps.store, name, pkg.visibility)).ok)
      fail('PackageNotFound', `Package "${name}" was not found.`);
    return this.deps.store.stages.requiresStaging(name);
  }

  /** Owners only, with the checks of an owner change (a token that skips the second factor cannot lift it). */
  async setRequiresStaging(context: RequestContext, name: PackageName, required: boolean): Promise<void> {
    const pkg = await this.deps.store.packages.get(name);
    if (!pkg || pkg.unpublishedAt) fail('PackageNotFound', `There is no package "${name}" here.`);
    const owners = await this.deps.store.packages.owners(name);
    const principal = enforce(canManage(context.principal, { name, owners }));
    await this.deps.writeCheck(context, 'owners');
    const at = new Date(this.deps.clock.now()).toISOString();
    await this.deps.store.transaction(async (tx) => {
      await tx.stages.setRequiresStaging(name, required, at);
      await tx.events.append({
        type: 'package.staging_required_set',
        actor: userActor(principal.user),
        packageName: name,
        data: { required },
        createdAt: at,
      });
    });
  }

  /** The stage, if the caller may `action` it; a stranger gets the same 404 as a missing id. */
  private async reviewed(context: RequestContext, id: string, action: StageAction) {
    if (!UUID.test(id)) fail('StageNotFound', GONE);
    if (context.principal.kind === 'anonymous') enforce(canReviewStage(context.principal, { name: '', owners: [] }, action));
    const stage = await this.deps.store.stages.get(id.toLowerCase());
    if (!stage) fail('StageNotFound', GONE);
    const facts = await packageFacts(this.deps.store, stage.packageName as PackageName, context);
    const decision = canReviewStage(context.principal, facts, action);
    // Whoever cannot see a package's stages must not learn that a stage exists.
    if (!decision.ok && !canReviewStage(context.principal, facts, 'view').ok) fail('StageNotFound', GONE);
    return { stage, reviewer: enforce(decision) };
  }

  /** Inside the decision's transaction: removes the stage, so a concurrent second decision finds it gone. */
  private async claim(tx: Repositories, stage: StageRecord, context: RequestContext): Promise<void> {
    const facts: PackageFacts = await packageFacts(tx, stage.packageName as PackageName, context);
    enforce(canReviewStage(context.principal, facts, 'decide'));
    if (!(await tx.stages.remove(stage.id))) fail('StageNotFound', GONE);
  }

  private async item(stage: StageRecord): Promise<StageItem> {
    const version = await this.deps.store.packages.version(stage.packageName, stage.version);
    return {
      id: stage.id,
      packageName: stage.packageName,
      version: stage.version,
      tag: stage.tag,
      createdAt: stage.createdAt,
      actor: stage.actorName,
      actorType: stage.actorType,
      shasum: version?.shasum ?? '',
      integrity: version?.integrity ?? '',
    };
  }
}
