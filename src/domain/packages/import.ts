// `gatehouse import`: copies packages from another npm-protocol registry or a folder into this one,
// keeping each version's original publish time and exact bytes. An administrator's operation, so
// legacy names pass; but every version passes publish's own checks, and a tarball that does not
// match the digests its packument declares is never stored. Each version is one transaction with its event.
import semver from 'semver';
import type { User } from '../accounts/store.js';
import { isGatehouseError } from '../errors.js';
import { newPackageNameProblems, parsePackageName, printable, scopeOf, type PackageName } from './names.js';
import { isObject, versionRequest } from './publish-document.js';
import { checkVersion, dependencyEdges, searchFields, type PublishDeps } from './publish/index.js';
import { parseTagName } from './dist-tag-names.js';
import { SYSTEM_ACTOR, userActor } from '../access/actor.js';

/** Where packages come from: a registry over HTTP or a folder (see import-sources.ts). */
export interface ImportSource {
  /** Recorded in events and in each version's `_imported` mark; never holds a credential. */
  readonly label: string;
  /** The full packument; throws ImportFailed when there is none. attacker-controlled. */
  packument(name: PackageName): Promise<unknown>;
  /** The tarball bytes a version's `dist` points at. */
  tarball(name: PackageName, version: string, dist: unknown): Promise<Buffer>;
}

/** The same as a publish's: the same limits apply to what is imported. */
export type ImportDeps = PublishDeps;

export type VersionOutcome = { version: string } & (
  | { status: 'imported' }
  /** Already here with the same integrity: re-running an import changes nothing. */
  | { status: 'skipped' }
  | { status: 'conflict'; reason: string }
  | { status: 'refused'; reason: string }
);

export interface PackageImport {
  name: string;
  outcomes: VersionOutcome[];
  /** Set when nothing of the package could be imported (no packument, an invalid name). */
  error?: string;
}

export async function importPackage(
  deps: ImportDeps,
  source: ImportSource,
  rawName: string,
  owner: User,
): Promise<PackageImport> {
  let name: PackageName;
  let packument: Record<string, unknown>;
  try {
    name = parsePackageName(rawName);
    const doc = await source.packument(name);
    if (!isObject(doc) || !isObject(doc.versions)) throw new Error('it has no "versions" object');
    packument = doc;
    const existing = await deps.store.packages.get(name);
    if (existing?.unpublishedAt) throw new Error('it was unpublished here and its name stays reserved');
  } catch (err) {
    return { name: printable(rawName), outcomes: [], error: reasonOf(err) };
  }
  const outcomes: VersionOutcome[] = [];
  for (const version of inPublishOrder(packument)) {
    outcomes.push(await importVersion(deps, source, name, packument, version, owner));
  }
  return { name, outcomes };
}

/** Oldest first by the source's `time`, so this registry's publish order is the source's. */
function inPublishOrder(packument: Record<string, unknown>): string[] {
  const time = isObject(packument.time) ? packument.time : {};
  const at = (v: string) => (typeof time[v] === 'string' ? Date.parse(time[v]) : NaN);
  return Object.keys(packument.versions as object).sort((a, b) => {
    const byTime = (Number.isNaN(at(a)) ? Infinity : at(a)) - (Number.isNaN(at(b)) ? Infinity : at(b));
    if (byTime !== 0 && !Number.isNaN(byTime)) return byTime;
    return semver.valid(a) && semver.valid(b) ? semver.compare(a, b) : a.localeCompare(b);
  });
}

async function importVersion(
  deps: ImportDeps,
  source: ImportSource,
  name: PackageName,
  packument: Record<string, unknown>,
  version: string,
  owner: User,
): Promise<VersionOutcome> {
  const doc = (packument.versions as Record<string, unknown>)[version];
  const dist = isObject(doc) ? doc.dist : undefined;
  const here = await deps.store.packages.version(name, version);
  if (here) return alreadyHere(version, here, dist);
  try {
    const bytes = await source.tarball(name, version, dist);
    const readme = readmeOf(packument, doc, version);
    const request = versionRequest(name, version, doc, bytes, readme);
    const checked = await checkVersion(deps, request);
    const now = deps.now();
    const time = isObject(packument.time) ? packument.time : {};
    const publishedAt = originalTime(time[version], now);
    const manifest = { ...checked.manifest, _imported: { from: source.label, at: now.toISOString() } };
    const tags = tagsFor(packument['dist-tags'], version);
    const blob = await deps.blobs.put(bytes);
    const inserted = await deps.store.transaction(async (tx) => {
      await tx.packages.lockClaim(scopeOf(name) ?? name);
      if (!(await tx.packages.get(name))) {
        const createdAt = originalTime(time.created, now);
        if (await tx.packages.create({ name, createdAt: createdAt <= publishedAt ? createdAt : publishedAt })) {
          await tx.packages.addOwner(name, owner.id);
        }
      }
      const ok = await tx.packages.insertVersion(
        {
          packageName: name,
          version,
          manifest,
          integrity: request.integrity,
          shasum: request.shasum,
          blob,
          size: bytes.length,
          fileCount: checked.summary.fileCount,
          unpackedSize: checked.summary.unpackedSize,
          publishedAt,
          publisher: userActor(owner),
          state: 'published',
          deprecated: deprecationOf(doc),
          readme: checked.readme,
          unpublishedAt: null,
          signatures: await deps.sign(tx, name, version, request.integrity),
        },
        dependencyEdges(manifest),
      );
      if (!ok) return false;
      for (const tag of tags) await tx.packages.setDistTag(name, tag, version);
      const searchable = tags.includes('latest') ? searchFields(manifest) : {};
      await tx.packages.touch(name, { modifiedAt: now.toISOString(), ...searchable });
      const legacyName = newPackageNameProblems(name);
      await tx.events.append({
        type: 'version.imported',
        actor: SYSTEM_ACTOR,
        packageName: name,
        version,
        data: {
          from: source.label,
          owner: owner.name,
          integrity: request.integrity,
          size: bytes.length,
          publishedAt,
          tags,
          ...(legacyName.length > 0 && { legacyName }),
        },
        createdAt: now.toISOString(),
      });
      return true;
    });
    // Lost a race with a concurrent import or publish of the same version.
    if (!inserted) return { version, status: 'conflict', reason: 'it was added here while this import ran' };
    return { version, status: 'imported' };
  } catch (err) {
    return { version, status: 'refused', reason: reasonOf(err) };
  }
}

/** Same integrity: nothing to do. Anything else is a different tarball under the same number. */
function alreadyHere(
  version: string,
  here: { integrity: string; shasum: string; unpublishedAt: string | null },
  dist: unknown,
): VersionOutcome {
  if (here.unpublishedAt) return { version, status: 'conflict', reason: 'it was unpublished here; the number cannot be reused' };
  const declared = isObject(dist) ? dist : {};
  const sameSri = typeof declared.integrity === 'string' && declared.integrity.split(/\s+/).includes(here.integrity);
  const sameSha1 = declared.integrity === undefined && declared.shasum === here.shasum;
  if (sameSri || sameSha1) return { version, status: 'skipped' };
  return { version, status: 'conflict', reason: `it is already here with other contents (${here.integrity.slice(0, 20)}…)` };
}

/**
 * The source's publish time, as an ISO string, never later than now: a future time would keep a
 * version out of every release-age gate forever. Now, when the source has none.
 */
function originalTime(raw: unknown, now: Date): string {
  const parsed = typeof raw === 'string' ? Date.parse(raw) : NaN;
  if (Number.isNaN(parsed) || parsed > now.getTime()) return now.toISOString();
  return new Date(parsed).toISOString();
}

function tagsFor(distTags: unknown, version: string): string[] {
  if (!isObject(distTags)) return [];
  const tags: string[] = [];
  for (const [tag, target] of Object.entries(distTags)) {
    if (target !== version) continue;
    try {
      tags.push(parseTagName(tag));
    } catch {
      // A tag this registry cannot hold (e.g. a semver range) is left behind, not fatal.
    }
  }
  return tags;
}

function readmeOf(packument: Record<string, unknown>, doc: unknown, version: string): string {
  const own = isObject(doc) ? doc.readme : undefined;
  if (typeof own === 'string') return own;
  const latest = isObject(packument['dist-tags']) ? packument['dist-tags'].latest : undefined;
  return latest === version && typeof packument.readme === 'string' ? packument.readme : '';
}

function deprecationOf(doc: unknown): string | null {
  const message = isObject(doc) ? doc.deprecated : undefined;
  return typeof message === 'string' && message !== '' ? message.slice(0, 1024) : null;
}

function reasonOf(err: unknown): string {
  if (isGatehouseError(err)) return `${err.message} [${err.code}]`;
  return printable(err instanceof Error ? err.message : String(err));
}
