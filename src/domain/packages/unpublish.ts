// The unpublish policy (docs/unpublish-policy.md): a maintainer may remove a version within the
// window after its publish, and only while no other package depends on it; administrators may
// always. What is removed leaves a tombstone, so name@version can never be published again,
// and a package with no versions left keeps its name reserved for its owners.
import semver from 'semver';
import type { Repositories } from '../store.js';
import { enforce, type Principal } from '../access/principal.js';
import type { RequestContext } from '../access/context.js';
import { fail } from '../errors.js';
import { canUnpublish } from './authorize.js';
import { highestVersion, managedPackage, touchWithEvent, type ChangeDeps } from './changes.js';
import { isObject } from './publish-document.js';
import type { PackageName } from './names.js';
import { isServed, type VersionRecord } from './store.js';
import { userActor } from '../access/actor.js';

export interface UnpublishDeps extends ChangeDeps {
  windowHours: number;
}

/**
 * `PUT /<name>/-rev/<rev>` from npm unpublish: the versions missing from the document go. The
 * document must be the current revision, or a version published since npm read it would go too.
 */
export async function unpublishMissingVersions(
  deps: UnpublishDeps,
  context: RequestContext,
  name: PackageName,
  doc: Record<string, unknown>,
  rev: string,
) {
  if (!isObject(doc.versions)) fail('BadRequest', 'The document has no "versions" object.');
  const kept = doc.versions;
  // Only what the client was shown can be missing from what it sent back: never a staged version.
  await unpublish(deps, context.principal, name, (v) => isServed(v) && !(v.version in kept), rev);
}

export async function unpublishVersion(deps: UnpublishDeps, context: RequestContext, name: PackageName, version: string) {
  await unpublish(deps, context.principal, name, (v) => v.version === version);
}

export async function unpublishPackage(deps: UnpublishDeps, context: RequestContext, name: PackageName, rev?: string) {
  await unpublish(deps, context.principal, name, () => true, rev);
}

async function unpublish(
  deps: UnpublishDeps,
  principal: Principal,
  name: PackageName,
  selects: (v: VersionRecord) => boolean,
  expectedRev?: string,
) {
  await deps.store.transaction(async (tx) => {
    const { owners, actor } = await managedPackage(tx, principal, name, expectedRev);
    const decision = canUnpublish(principal, { name, owners });
    enforce(decision);
    // Said by the decision that allowed: an administrator is not held to the policy window.
    const byAdmin = decision.ok && decision.admin;
    const versions = await tx.packages.versions(name);
    const live = versions.filter((v) => !v.unpublishedAt);
    const doomed = live.filter(selects);
    if (doomed.length === 0) return;
    const wholePackage = doomed.length === live.length;
    if (!byAdmin) await assertPolicyAllows(tx, deps, name, doomed, wholePackage);
    const at = deps.now().toISOString();
    for (const v of doomed) {
      await tx.packages.markUnpublished(name, v.version, at);
      v.unpublishedAt = at;
    }
    await retarget(tx, name, versions, new Set(doomed.map((v) => v.version)));
    if (wholePackage) {
      await tx.packages.touch(name, { modifiedAt: at, unpublishedAt: at });
      await tx.events.append({
        type: 'package.unpublished',
        actor: userActor(actor),
        packageName: name,
        data: { versions: doomed.map((v) => v.version), byAdmin },
        createdAt: at,
      });
      return;
    }
    for (const v of doomed) {
      await touchWithEvent(tx, deps, {
        type: 'version.unpublished',
        actor,
        name,
        version: v.version,
        data: { byAdmin },
      });
    }
  });
}

async function assertPolicyAllows(
  tx: Repositories,
  deps: UnpublishDeps,
  name: string,
  doomed: VersionRecord[],
  wholePackage: boolean,
) {
  const windowMs = deps.windowHours * 3600_000;
  const now = deps.now().getTime();
  for (const v of doomed) {
    if (now - Date.parse(v.publishedAt) > windowMs) {
      fail(
        'UnpublishRefused',
        `${name}@${v.version} was published more than ${deps.windowHours} hours ago, so it can no longer be unpublished. ` +
          'Deprecate it instead (npm deprecate), or ask an administrator.',
      );
    }
  }
  const dependents = await tx.packages.dependents(name);
  for (const d of dependents) {
    const hit = wholePackage ? doomed[0] : doomed.find((v) => satisfiedBy(v.version, d.range));
    if (hit) {
      fail(
        'UnpublishRefused',
        `${d.packageName}@${d.version} depends on ${name} (${d.range}), so ${name}@${hit.version} cannot be unpublished. ` +
          'Deprecate it instead (npm deprecate), or ask an administrator.',
      );
    }
  }
}

/**
 * Longer dependency ranges are not evaluated. attacker-controlled: a publisher writes them, and
 * semver's cost grows with a range's comparators (an 800 kB range takes seconds), once per
 * dependent on every unpublish of the package they name. Real ranges are a few dozen characters.
 */
export const MAX_EVALUATED_RANGE_CHARS = 1024;

/** A range we cannot evaluate (a tag, a URL, one too long) might point at the version: count it as depending. */
export function satisfiedBy(version: string, range: string): boolean {
  if (range.length > MAX_EVALUATED_RANGE_CHARS) return true;
  return semver.validRange(range) === null || semver.satisfies(version, range, { includePrerelease: true });
}

/** Tags pointing at removed versions go; `latest` moves to the highest remaining version. */
async function retarget(tx: Repositories, name: string, versions: VersionRecord[], removed: Set<string>) {
  const tags = await tx.packages.distTags(name);
  for (const [tag, version] of Object.entries(tags)) {
    if (!removed.has(version)) continue;
    const next = tag === 'latest' ? highestVersion(versions) : undefined;
    if (next) await tx.packages.setDistTag(name, tag, next);
    else await tx.packages.removeDistTag(name, tag);
  }
}
