// Versions held out of every read (quarantined: docs/quarantine.md) are still the owners' and the
// administrators' to inspect: they see them in the packument (marked `_quarantined`, with a notice
// npm prints as it does a deprecation), read their version documents and download their tarballs;
// nobody else learns they exist. A reader without a session or token costs no query here, so an
// anonymous answer stays free, and none of this is ever cached.
import type { Principal } from '../access/principal.js';
import { assertNever } from '../access/principal.js';
import type { User } from '../accounts/store.js';
import type { Store } from '../store.js';
import type { Sha512Hex } from './blobs.js';
import { tarballFileName, versionOfTarball, type PackageName } from './names.js';
import type { TarballEntry } from './packument-cache.js';
import { abbreviatedPackument, fullPackument, versionDocument } from './packument.js';
import { packumentInput } from './packument-cache.js';

/** Whether this reader sees a package's held versions: its owners and administrators. */
export function seesHeld(principal: Principal, owners: User[]): boolean {
  switch (principal.kind) {
    case 'user':
    case 'session':
      return principal.user.isAdmin || owners.some((o) => o.id === principal.user.id);
    case 'anonymous':
    case 'trusted-publisher':
      return false;
    default:
      return assertNever(principal);
  }
}

/** The tarball of a quarantined version, for a reader who may see it; undefined for everyone else. */
export async function heldTarball(
  store: Store,
  principal: Principal,
  name: PackageName,
  file: string,
): Promise<TarballEntry | undefined> {
  if (principal.kind !== 'user' && principal.kind !== 'session') return undefined;
  const version = versionOfTarball(name, file);
  if (version === undefined) return undefined;
  const record = await store.packages.version(name, version);
  if (!record || record.state !== 'quarantined' || record.unpublishedAt !== null) return undefined;
  if (tarballFileName(name, record.version) !== file) return undefined;
  if (!seesHeld(principal, await store.packages.owners(name))) return undefined;
  return { blob: record.blob as Sha512Hex, size: record.size, held: true };
}

/**
 * The version document of a quarantined version (`GET /<name>/<version>`, an exact version only),
 * for a reader who may see it, so its owners can `npm view` what they published; undefined for
 * everyone else. Built per request, never cached: it is rare, and private.
 */
export async function heldVersionDocument(
  store: Store,
  principal: Principal,
  name: PackageName,
  version: string,
  baseUrl: string,
): Promise<Record<string, unknown> | undefined> {
  if (principal.kind !== 'user' && principal.kind !== 'session') return undefined;
  const record = await store.packages.version(name, version);
  if (!record || record.state !== 'quarantined' || record.unpublishedAt !== null) return undefined;
  const [pkg, owners] = await Promise.all([store.packages.get(name), store.packages.owners(name)]);
  if (!pkg || !seesHeld(principal, owners)) return undefined;
  const publishers = new Map<number, User>();
  if (record.publisher.kind === 'user') {
    const user = await store.users.byId(record.publisher.userId);
    if (user) publishers.set(user.id, user);
  }
  return versionDocument({ pkg, versions: [record], distTags: {}, owners, publishers, baseUrl }, record);
}

/**
 * The packument with its quarantined versions (`accept` abbreviated or full), for its owners and
 * administrators; undefined for everyone else. Built per request from one snapshot, never cached.
 */
export async function heldPackument(
  store: Store,
  principal: Principal,
  name: PackageName,
  baseUrl: string,
  abbreviated: boolean,
): Promise<Record<string, unknown> | undefined> {
  if (principal.kind !== 'user' && principal.kind !== 'session') return undefined;
  return store.snapshot(async (repos) => {
    const pkg = await repos.packages.get(name);
    if (!pkg || pkg.unpublishedAt) return undefined;
    const { input } = await packumentInput(repos, pkg, baseUrl);
    if (!seesHeld(principal, input.owners)) return undefined;
    const full = fullPackument({ ...input, withHeld: true });
    return abbreviated ? abbreviatedPackument(full, pkg.modifiedAt) : full;
  });
}
