// Changes to a published package that npm makes through its own endpoints or by writing back
// the whole document: dist-tags, deprecation and maintainers. Each is one transaction with its
// event; none of them can alter a version's contents.
import semver from 'semver';
import type { Repositories, Store } from '../store.js';
import { enforce, type Principal } from '../access/principal.js';
import type { RequestContext } from '../access/context.js';
import type { User } from '../accounts/store.js';
import { fail } from '../errors.js';
import { canManage, canRead } from './authorize.js';
import { parseTagName } from './dist-tag-names.js';
import { printable, type PackageName } from './names.js';
import { isObject } from './publish-document.js';
import { isServed, type VersionRecord } from './store.js';
import { revisionOf } from './packument.js';
import type { EventPayloads, EventType } from '../events/store.js';
import { userActor } from '../access/actor.js';
import { readFacts } from '../orgs/readers.js';

export interface ChangeDeps {
  store: Store;
  now: () => Date;
}

/**
 * Loads a live package and checks the principal may manage it. With `expectedRev` (the `_rev` a
 * client read before writing back), a package that has changed since is refused, so two owners
 * editing at once cannot silently undo each other's change.
 */
export async function managedPackage(
  repos: Repositories,
  principal: Principal,
  name: PackageName,
  expectedRev?: string,
  /** Dist-tags and deprecation: read-write teams may, as they may publish. */
  writersMay = false,
) {
  const pkg = await repos.packages.get(name, { lock: expectedRev !== undefined });
  // One the principal may not read is missing to them, for changes as for reads: no 403 confirms it exists.
  if (!pkg || pkg.unpublishedAt || !canRead(principal, await readFacts(repos, name, pkg.visibility)).ok)
    fail('PackageNotFound', `Package "${name}" was not found.`);
  if (expectedRev !== undefined && expectedRev !== revisionOf(pkg)) {
    fail('Conflict', `${name} changed since your client read it (revision ${printable(expectedRev)}); run the command again.`);
  }
  const owners = await repos.packages.owners(name);
  const writers = writersMay ? await writersOf(repos, name) : undefined;
  const manager = enforce(canManage(principal, { name, owners, writers }));
  return { pkg, owners, actor: manager.user };
}

/** Users a team grants read-write on the package. */
export async function writersOf(repos: Repositories, name: PackageName): Promise<ReadonlySet<number>> {
  const grantees = await repos.orgs.grantees(name);
  return new Set(grantees.filter((g) => g.permission === 'read-write').map((g) => g.user.id));
}

export async function setDistTag(
  deps: ChangeDeps,
  context: RequestContext,
  name: PackageName,
  rawTag: string,
  rawVersion: unknown,
) {
  const tag = parseTagName(rawTag);
  if (typeof rawVersion !== 'string') fail('BadRequest', 'Send the version as a JSON string, e.g. "1.2.3".');
  await deps.store.transaction(async (tx) => {
    const { actor } = await managedPackage(tx, context.principal, name, undefined, true);
    const version = await tx.packages.version(name, rawVersion);
    if (!version || !isServed(version)) fail('VersionNotFound', `${name}@${printable(rawVersion)} does not exist.`);
    await tx.packages.setDistTag(name, tag, version.version);
    await touchWithEvent(tx, deps, { type: 'dist_tag.set', actor, name, version: version.version, data: { tag } });
  });
}

export async function removeDistTag(deps: ChangeDeps, context: RequestContext, name: PackageName, rawTag: string) {
  const tag = parseTagName(rawTag);
  if (tag === 'latest') fail('TagInvalid', 'The "latest" tag cannot be removed; point it at another version instead.');
  await deps.store.transaction(async (tx) => {
    const { actor } = await managedPackage(tx, context.principal, name, undefined, true);
    const tags = await tx.packages.distTags(name);
    // hasOwn, not `in`: "toString" or "constructor" are in every object and would "remove" a tag that was never set.
    if (!Object.hasOwn(tags, tag)) fail('TagNotFound', `${name} has no dist-tag "${tag}".`);
    await tx.packages.removeDistTag(name, tag);
    await touchWithEvent(tx, deps, { type: 'dist_tag.removed', actor, name, data: { tag, was: tags[tag]! } });
  });
}

/**
 * npm deprecate/undeprecate send back the whole packument with `deprecated` edited. Only that
 * field is taken from the document; a version's contents never change through this path.
 */
export async function applyDeprecations(
  deps: ChangeDeps,
  context: RequestContext,
  name: PackageName,
  doc: Record<string, unknown>,
  expectedRev?: string,
) {
  if (!isObject(doc.versions)) fail('BadRequest', 'The document has no "versions" object.');
  const sent = doc.versions;
  await deps.store.transaction(async (tx) => {
    const { actor } = await managedPackage(tx, context.principal, name, expectedRev, true);
    for (const v of await tx.packages.versions(name)) {
      if (!isServed(v) || !(v.version in sent)) continue;
      const next = deprecationOf(sent[v.version]);
      if (next === (v.deprecated ?? null)) continue;
      await tx.packages.setDeprecated(name, v.version, next);
      const subject = { actor, name, version: v.version };
      await touchWithEvent(
        tx,
        deps,
        next === null
          ? { ...subject, type: 'version.undeprecated', data: {} }
          : { ...subject, type: 'version.deprecated', data: { message: next } },
      );
    }
  });
}

function deprecationOf(versionDoc: unknown): string | null {
  if (!isObject(versionDoc)) return null;
  const message = versionDoc.deprecated;
  if (message === undefined || message === '' || message === false || message === null) return null;
  if (typeof message !== 'string') fail('BadRequest', '"deprecated" must be a string message.');
  return message.slice(0, 1024);
}

/** npm owner add/rm: `{_id, _rev, maintainers: [{name, email}]}` becomes the new set of owners. */
export async function setOwners(
  deps: ChangeDeps,
  context: RequestContext,
  name: PackageName,
  maintainers: unknown,
  expectedRev?: string,
) {
  if (!Array.isArray(maintainers)) fail('BadRequest', '"maintainers" must be a list of {name, email}.');
  const names = new Set<string>();
  for (const m of maintainers) {
    if (!isObject(m) || typeof m.name !== 'string') fail('BadRequest', 'Each maintainer needs a "name".');
    names.add(m.name);
  }
  if (names.size === 0) fail('BadRequest', 'A package must keep at least one maintainer.');
  await deps.store.transaction(async (tx) => {
    const { owners, actor } = await managedPackage(tx, context.principal, name, expectedRev);
    const wanted: User[] = [];
    for (const n of names) {
      const user = await tx.users.byName(n);
      if (!user) fail('UserNotFound', `There is no user named "${printable(n)}".`);
      wanted.push(user);
    }
    for (const user of wanted.filter((u) => !owners.some((o) => o.id === u.id))) {
      await tx.packages.addOwner(name, user.id);
      await touchWithEvent(tx, deps, { type: 'owner.added', actor, name, data: { user: user.name } });
    }
    for (const user of owners.filter((o) => !wanted.some((u) => u.id === o.id))) {
      await tx.packages.removeOwner(name, user.id);
      await touchWithEvent(tx, deps, { type: 'owner.removed', actor, name, data: { user: user.name } });
    }
  });
}

/** The package-scoped event types `touchWithEvent` records, each with its own payload. */
type PackageChange = {
  [T in EventType]: { type: T; actor: User; name: string; version?: string; data: EventPayloads[T] };
}[EventType];

export async function touchWithEvent(tx: Repositories, deps: Pick<ChangeDeps, 'now'>, e: PackageChange): Promise<void> {
  const at = deps.now().toISOString();
  await tx.packages.touch(e.name, { modifiedAt: at });
  const { actor, name, version, ...typed } = e;
  await tx.events.append({
    ...typed,
    actor: userActor(actor),
    packageName: name,
    ...(version !== undefined && { version }),
    createdAt: at,
  });
}

/** The highest live stable version (else the highest live prerelease): where `latest` goes next. */
export function highestVersion(versions: VersionRecord[]): string | undefined {
  const live = versions.filter(isServed).map((v) => v.version);
  const stable = live.filter((v) => semver.prerelease(v) === null);
  return semver.rsort(stable.length > 0 ? stable : live)[0];
}
