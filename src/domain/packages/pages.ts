// What the web pages show about packages, read through the Store interfaces only. Nothing here
// writes, decides policy or builds npm documents; it gathers records into view-ready values.
import type { Repositories, Store } from '../store.js';
import type { Principal } from '../access/principal.js';
import { canRead } from './authorize.js';
import type { User } from '../accounts/store.js';
import type { PackageName } from './names.js';
import { isServed, type PackageRecord, type VersionRecord } from './store.js';
import { publisherUserIds } from './packument.js';
import { readFacts } from '../orgs/readers.js';

export interface PackageSummary {
  name: string;
  description: string;
  latest: string | undefined;
  modifiedAt: string;
  /** Downloads in the last 7 complete UTC days, where shown (search results). */
  weeklyDownloads?: number;
}

export type PackageView =
  | { kind: 'missing' }
  /** The whole package was unpublished; the name stays reserved for `owners`. */
  | { kind: 'unpublished'; pkg: PackageRecord; owners: User[] }
  | {
      kind: 'found';
      pkg: PackageRecord;
      /** Live versions, newest publish first. */
      versions: VersionRecord[];
      /** Unpublished version numbers: never served, never reusable. */
      tombstones: VersionRecord[];
      distTags: Record<string, string>;
      owners: User[];
      publishers: Map<number, User>;
    };

/** The most recently changed live packages `principal` may read, with their `latest` version. */
export async function recentlyUpdated(store: Store, principal: Principal, limit: number): Promise<PackageSummary[]> {
  // No search words: every live package is a candidate, newest change first.
  const rows = await store.packages.searchCandidates([], limit);
  const readable = await Promise.all(
    rows.map(async (row) => canRead(principal, await readFacts(store, row.name, row.visibility)).ok),
  );
  return Promise.all(
    rows
      .filter((_row, i) => readable[i])
      .map(async (row) => ({
        name: row.name,
        description: row.description,
        latest: (await store.packages.distTags(row.name)).latest,
        modifiedAt: row.modifiedAt,
      })),
  );
}

/** `latest` of each named package, for search results (which carry no versions). */
export async function latestVersions(store: Store, names: string[]): Promise<Map<string, string>> {
  const pairs = await Promise.all(names.map(async (name) => [name, (await store.packages.distTags(name)).latest] as const));
  return new Map(pairs.filter((p): p is readonly [string, string] => p[1] !== undefined));
}

/**
 * One snapshot, as for packuments: a publish committing meanwhile cannot split the page. A
 * package `principal` may not read is missing, unpublished or not, so its page leaks nothing.
 */
export function packageView(store: Store, principal: Principal, name: PackageName): Promise<PackageView> {
  return store.snapshot((repos) => viewFrom(repos, principal, name));
}

async function viewFrom(store: Repositories, principal: Principal, name: PackageName): Promise<PackageView> {
  const pkg = await store.packages.get(name);
  if (!pkg || !canRead(principal, await readFacts(store, name, pkg.visibility)).ok) return { kind: 'missing' };
  const owners = await store.packages.owners(name);
  if (pkg.unpublishedAt) return { kind: 'unpublished', pkg, owners };
  const [all, distTags] = await Promise.all([store.packages.versions(name), store.packages.distTags(name)]);
  // As for packuments: a package with nothing served yet has no page.
  if (!all.some(isServed)) return { kind: 'missing' };
  const newestFirst = [...all].reverse();
  const publishers = new Map<number, User>();
  for (const id of publisherUserIds(all)) {
    const user = await store.users.byId(id);
    if (user) publishers.set(id, user);
  }
  return {
    kind: 'found',
    pkg,
    versions: newestFirst.filter(isServed),
    // Tombstones of published versions only: a staged or quarantined number is not shown at all.
    tombstones: newestFirst.filter((v) => v.unpublishedAt && v.state === 'published'),
    // attacker-controlled lookups (a URL's tag): no prototype, so `constructor` is no tag.
    distTags: Object.assign(Object.create(null) as Record<string, string>, distTags),
    owners,
    publishers,
  };
}
