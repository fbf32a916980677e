// Step 7: one transaction writes the version, its dist-tag and the package.published event, or
// nothing. Who may publish is asked again inside it, under the claim's lock: a concurrent first
// publish may have claimed the name or its scope since the authorize step read the facts.
import type { Repositories } from '../../store.js';
import { userActor, type Actor } from '../../access/actor.js';
import type { TokenPrincipal, TrustedPublisherPrincipal } from '../../access/principal.js';
import { pendingPublisherUsed } from '../../trust/pending.js';
import { scopeOf } from '../names.js';
import { need, type PublishContext, type VersionSigner } from './context.js';
import { packageFacts, publisherOf } from './authorize.js';
import { versionTaken } from './policy.js';
import { dependencyEdges, searchFields } from './stored-fields.js';
import type { PublishStep } from './pipeline.js';
import { requestedAccess, settleNewPackage } from '../../orgs/new-package.js';
import { recordStage } from '../../staging/record.js';

export const commit: PublishStep = {
  name: 'commit',
  async run(ctx, deps) {
    const publishedAt = deps.now().toISOString();
    await deps.store.transaction((tx) => commitVersion(tx, ctx, publishedAt, deps.sign));
    ctx.publishedAt = publishedAt;
  },
};

async function commitVersion(tx: Repositories, ctx: PublishContext, publishedAt: string, sign: VersionSigner): Promise<void> {
  const { name } = ctx;
  const request = need(ctx.document, 'the document', 'commit');
  const checked = need(ctx.checked, 'the inspection', 'commit');
  const blob = need(ctx.blob, 'the blob', 'commit');
  await tx.packages.lockClaim(scopeOf(name) ?? name);
  const current = await packageFacts(tx, name, ctx.request);
  const publisher = publisherOf(ctx.request, current, ctx.stage);
  const actor = actorOf(publisher);
  const owner = publisher.kind === 'user' ? publisher.user.id : publisher.ownerOnCreate;
  if (!current.pkg && owner !== undefined && (await tx.packages.create({ name, createdAt: publishedAt }))) {
    await tx.packages.addOwner(name, owner);
    if (publisher.kind === 'trusted-publisher') await pendingPublisherUsed(tx, publisher, name, publishedAt);
    // A package a pending trusted publisher creates stays public and claims no org: no user published it.
    else await settleNewPackage(tx, { name, publisher: publisher.user, at: publishedAt, access: requestedAccess(ctx.body) });
  }
  const inserted = await tx.packages.insertVersion(
    {
      packageName: name,
      version: request.version,
      manifest: checked.manifest,
      integrity: request.integrity,
      shasum: request.shasum,
      blob,
      size: request.tarball.length,
      fileCount: checked.summary.fileCount,
      unpackedSize: checked.summary.unpackedSize,
      publishedAt,
      publisher: actor,
      state: ctx.heldAs ?? (ctx.stage ? 'staged' : 'published'),
      deprecated: null,
      readme: checked.readme,
      unpublishedAt: null,
      signatures: await sign(tx, name, request.version, request.integrity),
    },
    dependencyEdges(checked.manifest),
  );
  if (!inserted) versionTaken(name, request.version, await tx.packages.version(name, request.version));
  // Other steps' checks and rows for this version (scan record, provenance) commit with it, whatever its state.
  for (const work of ctx.inCommit) await work(tx, publishedAt);
  // A held version moves no tag and is not announced as published: its review does both.
  const held = ctx.heldAs !== undefined;
  // A stage moves no dist-tag and changes nothing installers see; approval does (domain/staging).
  if (ctx.stage && !held) {
    ctx.stageId = await recordStage(tx, { name, request, publisher, actor, at: publishedAt });
    return;
  }
  if (!held) await tx.packages.setDistTag(name, request.tag, request.version);
  const searchable = request.tag === 'latest' && !held ? searchFields(checked.manifest) : {};
  await tx.packages.touch(name, { modifiedAt: publishedAt, unpublishedAt: null, ...searchable });
  if (held) return;
  await tx.events.append({
    type: 'package.published',
    actor,
    packageName: name,
    version: request.version,
    data: {
      tag: request.tag,
      integrity: request.integrity,
      size: request.tarball.length,
      ...(ctx.legacyName.length > 0 && { legacyName: ctx.legacyName }),
    },
    createdAt: publishedAt,
  });
}

/** Who the version and its event remember: the user, or the trust configuration (actors are kind + id). */
function actorOf(publisher: TokenPrincipal | TrustedPublisherPrincipal): Actor {
  return publisher.kind === 'user' ? userActor(publisher.user) : { kind: 'trusted-publisher', id: publisher.publisherId };
}
