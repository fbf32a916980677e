// Builds the two documents npm clients read for a package: the full packument and the
// abbreviated ("corgi") one. Pure: records in, JSON-ready objects out. Publish times come from
// the server's records only, so clients' release-age gates can trust them.
import type { User } from '../accounts/store.js';
import type { Actor } from '../access/actor.js';
import { isServed, type PackageRecord, type VersionRecord } from './store.js';
import { tarballPath, type PackageName } from './names.js';

export interface PackumentInput {
  pkg: PackageRecord;
  versions: VersionRecord[];
  distTags: Record<string, string>;
  owners: User[];
  /** The users among the versions' publishers, by id (publisherUserIds says which to load). */
  publishers: Map<number, User>;
  baseUrl: string;
  /** Versions with stored attestations → their predicate types (domain/provenance), for `dist.attestations`. */
  attestations?: Map<string, string[]>;
  /** The owners' and administrators' view: quarantined versions listed too, each marked (held.ts). Never cached. */
  withHeld?: boolean;
}

/** What npm prints for a quarantined version (as for a deprecated one) to the owners who still see it. */
export const QUARANTINE_NOTICE =
  'Quarantined: held for review by the registry administrators. Only its owners and the administrators can see or install it.';

/** A quarantined version that still counts (not a tombstone): hidden from all but its owners and administrators. */
export function isHeld(v: Pick<VersionRecord, 'state' | 'unpublishedAt'>): boolean {
  return v.state === 'quarantined' && v.unpublishedAt === null;
}

/** Fields kept in the abbreviated document (npm's install-v1 list, plus what pickers read). */
const ABBREVIATED_FIELDS = [
  'name',
  'version',
  'dependencies',
  'optionalDependencies',
  'devDependencies',
  'bundleDependencies',
  'bundledDependencies',
  'peerDependencies',
  'peerDependenciesMeta',
  'bin',
  'directories',
  'engines',
  'os',
  'cpu',
  'libc',
  'funding',
  'license',
  '_hasShrinkwrap',
  'hasInstallScript',
  'deprecated',
  'dist',
] as const;

const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall'];

/**
 * True when installing runs code: a package.json script, or, given what the tarball holds, the
 * `node-gyp rebuild` npm runs for a top-level binding.gyp when there is no install or preinstall
 * script and package.json does not say `"gypfile": false` (@npmcli/run-script `run-script-pkg.js`).
 */
export function hasInstallHooks(
  scripts: unknown,
  tarball?: { hasBindingGyp: boolean; packageJson: Record<string, unknown> },
): boolean {
  if (typeof scripts === 'object' && scripts !== null && INSTALL_SCRIPTS.some((s) => s in scripts)) return true;
  return tarball !== undefined && tarball.hasBindingGyp && tarball.packageJson.gypfile !== false;
}

function person(user: User): { name: string; email: string } {
  return { name: user.name, email: user.email };
}

/** The user ids among these versions' publishers: the users a packument or page must load. */
export function publisherUserIds(versions: VersionRecord[]): number[] {
  return [...new Set(versions.flatMap((v) => (v.publisher.kind === 'user' ? [v.publisher.userId] : [])))];
}

/** `_npmUser` as npm's registry shows it; a trusted publisher's also names the identity it trusted. */
export type NpmUser = { name: string; email: string; trustedPublisher?: { id: string } };

/**
 * The one mapping from a version's publisher to what clients see as `_npmUser`:
 * - a user: `{name, email}`, as always (nothing shown if the user row is gone);
 * - a trusted publisher: its id as the name, an empty email (npm view prints no `<>` then) and
 *   `trustedPublisher: {id}`, as npm's registry marks an OIDC publish by the identity, not a person;
 * - the system: nothing, as npm shows no publisher for a version no one published.
 */
export function npmUserOf(publisher: Actor, users: Map<number, User>): NpmUser | undefined {
  switch (publisher.kind) {
    case 'user': {
      const user = users.get(publisher.userId);
      return user && person(user);
    }
    case 'trusted-publisher':
      return { name: publisher.id, email: '', trustedPublisher: { id: publisher.id } };
    case 'system':
      return undefined;
  }
}

export function versionDocument(input: PackumentInput, v: VersionRecord): Record<string, unknown> {
  const publisher = npmUserOf(v.publisher, input.publishers);
  // Set at publish from the tarball as well as the document, so a document cannot hide a hook.
  const hasInstallScript = v.manifest.hasInstallScript === true || hasInstallHooks(v.manifest.scripts);
  return {
    ...v.manifest,
    name: v.packageName,
    version: v.version,
    _id: `${v.packageName}@${v.version}`,
    ...(hasInstallScript && { hasInstallScript: true }),
    ...(v.deprecated && { deprecated: v.deprecated }),
    // Shown only to its owners and administrators; npm prints `deprecated` on view and install.
    ...(v.state === 'quarantined' && { _quarantined: true, deprecated: QUARANTINE_NOTICE }),
    ...(publisher && { _npmUser: publisher }),
    maintainers: input.owners.map(person),
    dist: {
      integrity: v.integrity,
      shasum: v.shasum,
      tarball: `${input.baseUrl}${tarballPath(v.packageName as PackageName, v.version)}`,
      fileCount: v.fileCount,
      unpackedSize: v.unpackedSize,
      // Made at publish and stored with the version, so a read computes nothing (docs/signatures.md).
      ...(v.signatures.length > 0 && { signatures: v.signatures }),
      ...attestationsField(input, v),
    },
  };
}

const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1';

/** `dist.attestations` as npm's registry shows it: pacote fetches `url`'s path and verifies every bundle there. */
function attestationsField(input: PackumentInput, v: VersionRecord): { attestations?: Record<string, unknown> } {
  const types = input.attestations?.get(v.version);
  if (!types || types.length === 0) return {};
  return {
    attestations: {
      url: `${input.baseUrl}/-/npm/v1/attestations/${v.packageName.replace('/', '%2f')}@${v.version}`,
      ...(types.includes(SLSA_PROVENANCE_V1) && { provenance: { predicateType: SLSA_PROVENANCE_V1 } }),
    },
  };
}

/** The `_rev` clients read and send back; it changes with every change to the package. */
export function revisionOf(pkg: PackageRecord): string {
  return `${pkg.rev}-${pkg.modifiedAt.replace(/\D/g, '')}`;
}

export function fullPackument(input: PackumentInput): Record<string, unknown> {
  const live = input.versions.filter((v) => isServed(v) || (input.withHeld === true && isHeld(v)));
  const versions: Record<string, unknown> = {};
  const time: Record<string, string> = { created: input.pkg.createdAt, modified: input.pkg.modifiedAt };
  // `time` keeps unpublished versions too, as npmjs does: it records that the number was used.
  // A staged or quarantined version is not shown at all until it is published.
  for (const v of input.versions) if (v.state === 'published' || (input.withHeld && isHeld(v))) time[v.version] = v.publishedAt;
  for (const v of live) versions[v.version] = versionDocument(input, v);
  // Unpublish re-points tags, but a tag may still name a version put on hold since.
  const distTags = Object.fromEntries(Object.entries(input.distTags).filter(([, version]) => Object.hasOwn(versions, version)));
  const latest = live.find((v) => v.version === distTags.latest);
  return {
    _id: input.pkg.name,
    _rev: revisionOf(input.pkg),
    name: input.pkg.name,
    ...(input.pkg.description && { description: input.pkg.description }),
    'dist-tags': distTags,
    versions,
    time,
    maintainers: input.owners.map(person),
    ...(latest && { readme: latest.readme, readmeFilename: latest.manifest.readmeFilename ?? 'README.md' }),
    users: {},
  };
}

export function abbreviatedPackument(full: Record<string, unknown>, modified: string): Record<string, unknown> {
  const versions: Record<string, unknown> = {};
  for (const [key, doc] of Object.entries(full.versions as Record<string, Record<string, unknown>>)) {
    const slim: Record<string, unknown> = {};
    for (const field of ABBREVIATED_FIELDS) if (doc[field] !== undefined) slim[field] = doc[field];
    versions[key] = slim;
  }
  return { name: full.name, modified, 'dist-tags': full['dist-tags'], versions };
}
