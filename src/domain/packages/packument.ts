// Builds the two documents npm clients read for a package: the full packument and the
// abbreviated ("corgi") one. Pure: records in, JSON-ready objects out. Publish times come from
// the server's records only, so clients' release-age gates can trust them.
import type { User } from '../accounts/store.js';
import type { PackageRecord, VersionRecord } from './store.js';
import { tarballPath, type PackageName } from './names.js';

export interface PackumentInput {
  pkg: PackageRecord;
  versions: VersionRecord[];
  distTags: Record<string, string>;
  owners: User[];
  publishers: Map<number, User>;
  baseUrl: string;
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

export function versionDocument(input: PackumentInput, v: VersionRecord): Record<string, unknown> {
  const publisher = input.publishers.get(v.publisherId);
  // Set at publish from the tarball as well as the document, so a document cannot hide a hook.
  const hasInstallScript = v.manifest.hasInstallScript === true || hasInstallHooks(v.manifest.scripts);
  return {
    ...v.manifest,
    name: v.packageName,
    version: v.version,
    _id: `${v.packageName}@${v.version}`,
    ...(hasInstallScript && { hasInstallScript: true }),
    ...(v.deprecated && { deprecated: v.deprecated }),
    ...(publisher && { _npmUser: person(publisher) }),
    maintainers: input.owners.map(person),
    dist: {
      integrity: v.integrity,
      shasum: v.shasum,
      tarball: `${input.baseUrl}${tarballPath(v.packageName as PackageName, v.version)}`,
      fileCount: v.fileCount,
      unpackedSize: v.unpackedSize,
    },
  };
}

/** The `_rev` clients read and send back; it changes with every change to the package. */
export function revisionOf(pkg: PackageRecord): string {
  return `${pkg.rev}-${pkg.modifiedAt.replace(/\D/g, '')}`;
}

export function fullPackument(input: PackumentInput): Record<string, unknown> {
  const live = input.versions.filter((v) => !v.unpublishedAt);
  const versions: Record<string, unknown> = {};
  const time: Record<string, string> = { created: input.pkg.createdAt, modified: input.pkg.modifiedAt };
  // `time` keeps unpublished versions too, as npmjs does: it records that the number was used.
  for (const v of input.versions) time[v.version] = v.publishedAt;
  for (const v of live) versions[v.version] = versionDocument(input, v);
  const latest = live.find((v) => v.version === input.distTags.latest);
  return {
    _id: input.pkg.name,
    _rev: revisionOf(input.pkg),
    name: input.pkg.name,
    ...(input.pkg.description && { description: input.pkg.description }),
    'dist-tags': input.distTags,
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
