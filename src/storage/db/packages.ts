// Kysely implementation of the package repository: packages, owners, versions (with their
// tombstones), dependency edges and dist-tags. It knows nothing of permissions or policy.
import { sql, type Kysely, type Selectable } from 'kysely';
import type { DB, VersionsTable } from './schema.js';
import type { Engine } from './engine.js';
import {
  VERSION_STATES,
  type PackageStore,
  type ReadmeOutcome,
  type VersionRecord,
  type VersionState,
  type Visibility,
} from '../../domain/packages/store.js';
import { scopeOf, type PackageName } from '../../domain/packages/names.js';
import { toUser } from './users.js';
import { actorColumns, actorFrom } from './actors.js';
import type { RegistrySignature } from '../../domain/signatures/keys.js';

const VERSION_COLUMNS_BUT_README = [
  'package_name',
  'version',
  'manifest',
  'integrity',
  'shasum',
  'blob',
  'size',
  'file_count',
  'unpacked_size',
  'published_at',
  'publisher_kind',
  'publisher_id',
  'state',
  'deprecated',
  'unpublished_at',
  'signatures',
] as const satisfies readonly Exclude<keyof VersionsTable, 'readme' | 'readme_html' | 'readme_outcome'>[];

/** A version row without the rendered README, which only the web page reads (storedReadme). */
const VERSION_COLUMNS = [...VERSION_COLUMNS_BUT_README, 'readme'] as const;

type VersionRow = Omit<Selectable<VersionsTable>, 'readme_html' | 'readme_outcome'>;

function toVersion(row: VersionRow): VersionRecord {
  return {
    packageName: row.package_name,
    version: row.version,
    manifest: JSON.parse(row.manifest) as Record<string, unknown>,
    integrity: row.integrity,
    shasum: row.shasum,
    blob: row.blob,
    size: Number(row.size),
    fileCount: Number(row.file_count),
    unpackedSize: Number(row.unpacked_size),
    publishedAt: row.published_at,
    publisher: actorFrom(row.publisher_kind, row.publisher_id),
    state: stateOf(row.state),
    deprecated: row.deprecated,
    readme: row.readme,
    unpublishedAt: row.unpublished_at,
    signatures: JSON.parse(row.signatures) as RegistrySignature[],
  };
}

function stateOf(text: string): VersionState {
  if (!(VERSION_STATES as readonly string[]).includes(text)) throw new Error(`unknown version state ${JSON.stringify(text)}`);
  return text as VersionState;
}

/** LIKE patterns treat % and _ as wildcards; names and search words must match literally. */
/** Anything but 'public' in the column (a value a later version wrote) reads as restricted: fail closed. */
export function visibilityOf(stored: string): Visibility {
  return stored === 'public' ? 'public' : 'restricted';
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export function packageStore(db: Kysely<DB>, engine: Engine): PackageStore {
  async function scopeOwners(scope: string) {
    const rows = await db
      .selectFrom('scope_members')
      .innerJoin('users', 'users.id', 'scope_members.user_id')
      .selectAll('users')
      .where('scope_members.scope', '=', scope)
      .orderBy('users.name')
      .execute();
    return rows.map(toUser);
  }

  return {
    async lockClaim(claim) {
      // SQLite runs one write transaction at a time, which already serialises claims.
      if (engine === 'postgres') await sql`select pg_advisory_xact_lock(hashtext(${claim}))`.execute(db);
    },
    async get(name, opts = {}) {
      let query = db.selectFrom('packages').selectAll().where('name', '=', name);
      // SQLite has no row locks; its single writer already serialises write transactions.
      if (opts.lock && engine === 'postgres') query = query.forUpdate();
      const row = await query.executeTakeFirst();
      if (!row) return undefined;
      return {
        name: row.name,
        createdAt: row.created_at,
        modifiedAt: row.modified_at,
        rev: Number(row.rev),
        description: row.description,
        keywords: row.keywords,
        unpublishedAt: row.unpublished_at,
        visibility: visibilityOf(row.visibility),
      };
    },
    async setVisibility(name, visibility) {
      await db.updateTable('packages').set({ visibility }).where('name', '=', name).execute();
    },
    async create(pkg) {
      const result = await db
        .insertInto('packages')
        .values({ name: pkg.name, created_at: pkg.createdAt, modified_at: pkg.createdAt, rev: 0, description: '', keywords: '' })
        .onConflict((oc) => oc.column('name').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
    },
    async touch(name, change) {
      await db
        .updateTable('packages')
        .set((eb) => ({
          rev: eb('rev', '+', 1),
          modified_at: change.modifiedAt,
          ...(change.description !== undefined && { description: change.description }),
          ...(change.keywords !== undefined && { keywords: change.keywords }),
          ...(change.unpublishedAt !== undefined && { unpublished_at: change.unpublishedAt }),
        }))
        .where('name', '=', name)
        .execute();
    },
    async owners(name) {
      const rows = await db
        .selectFrom('package_owners')
        .innerJoin('users', 'users.id', 'package_owners.user_id')
        .selectAll('users')
        .where('package_owners.package_name', '=', name)
        .orderBy('users.name')
        .execute();
      return rows.map(toUser);
    },
    scopeOwners,
    async scopeClaim(scope) {
      const claim = await db.selectFrom('scope_claims').selectAll().where('scope', '=', scope).executeTakeFirst();
      if (!claim) return undefined;
      return {
        scope: claim.scope,
        claimedAt: claim.claimed_at,
        claimedBy: actorFrom(claim.claimed_by_kind, claim.claimed_by_id),
        members: await scopeOwners(scope),
      };
    },
    async addOwner(name, userId) {
      const result = await db
        .insertInto('package_owners')
        .values({ package_name: name, user_id: userId })
        .onConflict((oc) => oc.columns(['package_name', 'user_id']).doNothing())
        .executeTakeFirst();
      const scope = scopeOf(name as PackageName);
      if (!scope || Number(result.numInsertedOrUpdatedRows ?? 0) !== 1) return;
      // The first owner in a scope claims it, dated by the package's creation: the first publish.
      const claimedBy = actorColumns({ kind: 'user', userId });
      await db
        .insertInto('scope_claims')
        .columns(['scope', 'claimed_at', 'claimed_by_kind', 'claimed_by_id'])
        .expression((eb) =>
          eb
            .selectFrom('packages')
            .select([
              eb.val(scope).as('scope'),
              'created_at',
              eb.val(claimedBy.kind).as('claimed_by_kind'),
              eb.val(claimedBy.id).as('claimed_by_id'),
            ])
            .where('name', '=', name),
        )
        .onConflict((oc) => oc.column('scope').doNothing())
        .execute();
      await db
        .insertInto('scope_members')
        .values({ scope, user_id: userId, packages: 1 })
        .onConflict((oc) => oc.columns(['scope', 'user_id']).doUpdateSet({ packages: sql<number>`scope_members.packages + 1` }))
        .execute();
    },
    async removeOwner(name, userId) {
      const result = await db
        .deleteFrom('package_owners')
        .where('package_name', '=', name)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      const scope = scopeOf(name as PackageName);
      if (!scope || Number(result.numDeletedRows) !== 1) return;
      // The claim stays with no members, as a scope whose packages all lost their owners would read before.
      await db
        .updateTable('scope_members')
        .set((eb) => ({ packages: eb('packages', '-', 1) }))
        .where('scope', '=', scope)
        .where('user_id', '=', userId)
        .execute();
      await db
        .deleteFrom('scope_members')
        .where('scope', '=', scope)
        .where('user_id', '=', userId)
        .where('packages', '<=', 0)
        .execute();
    },
    async versions(name, opts = {}) {
      const query = db.selectFrom('versions').where('package_name', '=', name).orderBy('published_at');
      if (opts.readmes !== false) return (await query.select(VERSION_COLUMNS).execute()).map(toVersion);
      // READMEs are most of a version row's bytes; a packument needs only the latest one's.
      const rows = await query.select(VERSION_COLUMNS_BUT_README).execute();
      return rows.map((row) => toVersion({ ...row, readme: '' }));
    },
    async version(name, version) {
      const row = await db
        .selectFrom('versions')
        .select(VERSION_COLUMNS)
        .where('package_name', '=', name)
        .where('version', '=', version)
        .executeTakeFirst();
      return row && toVersion(row);
    },
    async storedReadme(name, version) {
      const row = await db
        .selectFrom('versions')
        .select(['readme_html', 'readme_outcome'])
        .where('package_name', '=', name)
        .where('version', '=', version)
        .executeTakeFirst();
      if (!row || row.readme_html === null) return undefined;
      return { html: row.readme_html, outcome: row.readme_outcome as ReadmeOutcome };
    },
    async keepReadme(name, version, readme) {
      await db
        .updateTable('versions')
        .set({ readme_html: readme.html, readme_outcome: readme.outcome })
        .where('package_name', '=', name)
        .where('version', '=', version)
        .where('readme_html', 'is', null)
        .execute();
    },
    async insertVersion(v, dependencies) {
      const publisher = actorColumns(v.publisher);
      const result = await db
        .insertInto('versions')
        .values({
          package_name: v.packageName,
          version: v.version,
          manifest: JSON.stringify(v.manifest),
          integrity: v.integrity,
          shasum: v.shasum,
          blob: v.blob,
          size: v.size,
          file_count: v.fileCount,
          unpacked_size: v.unpackedSize,
          published_at: v.publishedAt,
          publisher_kind: publisher.kind,
          publisher_id: publisher.id,
          state: v.state,
          deprecated: v.deprecated,
          readme: v.readme,
          unpublished_at: null,
          signatures: JSON.stringify(v.signatures),
        })
        .onConflict((oc) => oc.columns(['package_name', 'version']).doNothing())
        .executeTakeFirst();
      if (Number(result.numInsertedOrUpdatedRows ?? 0) !== 1) return false;
      const edges = Object.entries(dependencies).map(([dependency, range]) => ({
        package_name: v.packageName,
        version: v.version,
        dependency,
        range,
      }));
      if (edges.length > 0) await db.insertInto('version_dependencies').values(edges).execute();
      return true;
    },
    async unsignedVersions(limit) {
      const rows = await db
        .selectFrom('versions')
        .select(['package_name', 'version', 'integrity'])
        .where('signatures', '=', '[]')
        .orderBy('package_name')
        .orderBy('version')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ packageName: r.package_name, version: r.version, integrity: r.integrity }));
    },
    async setSignatures(name, version, signatures) {
      const result = await db
        .updateTable('versions')
        .set({ signatures: JSON.stringify(signatures) })
        .where('package_name', '=', name)
        .where('version', '=', version)
        .where('signatures', '=', '[]')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async setDeprecated(name, version, message) {
      await db
        .updateTable('versions')
        .set({ deprecated: message })
        .where('package_name', '=', name)
        .where('version', '=', version)
        .execute();
    },
    async markUnpublished(name, version, at) {
      await db
        .updateTable('versions')
        .set({ unpublished_at: at })
        .where('package_name', '=', name)
        .where('version', '=', version)
        .execute();
      await db.deleteFrom('version_dependencies').where('package_name', '=', name).where('version', '=', version).execute();
    },
    async setState(name, version, state, publishedAt) {
      await db
        .updateTable('versions')
        .set({ state, ...(publishedAt !== undefined && { published_at: publishedAt }) })
        .where('package_name', '=', name)
        .where('version', '=', version)
        .execute();
    },
    async distTags(name) {
      const rows = await db.selectFrom('dist_tags').select(['tag', 'version']).where('package_name', '=', name).execute();
      return Object.fromEntries(rows.map((r) => [r.tag, r.version]));
    },
    async setDistTag(name, tag, version) {
      await db
        .insertInto('dist_tags')
        .values({ package_name: name, tag, version })
        .onConflict((oc) => oc.columns(['package_name', 'tag']).doUpdateSet({ version }))
        .execute();
    },
    async removeDistTag(name, tag) {
      await db.deleteFrom('dist_tags').where('package_name', '=', name).where('tag', '=', tag).execute();
    },
    async dependents(name) {
      // Tombstones lose their edges at unpublish; a version in another state keeps them but is not served.
      const rows = await db
        .selectFrom('version_dependencies as d')
        .innerJoin('versions as v', (join) =>
          join.onRef('v.package_name', '=', 'd.package_name').onRef('v.version', '=', 'd.version'),
        )
        .select(['d.package_name', 'd.version', 'd.range'])
        .where('d.dependency', '=', name)
        .where('d.package_name', '!=', name)
        .where('v.state', '=', 'published')
        .execute();
      return rows.map((r) => ({ packageName: r.package_name, version: r.version, range: r.range }));
    },
    async searchCandidates(words, limit) {
      let query = db
        .selectFrom('packages')
        .select(['name', 'description', 'keywords', 'modified_at', 'visibility'])
        .where('unpublished_at', 'is', null)
        // A package whose only versions are staged or quarantined is not found yet.
        .where(({ exists, selectFrom }) =>
          exists(
            selectFrom('versions')
              .select('versions.version')
              .whereRef('versions.package_name', '=', 'packages.name')
              .where('versions.state', '=', 'published')
              .where('versions.unpublished_at', 'is', null),
          ),
        );
      for (const word of words) {
        const pattern = `%${escapeLike(word.toLowerCase())}%`;
        query = query.where((eb) =>
          eb.or([
            eb(sql`lower(name)`, 'like', sql`${pattern} escape '\\'`),
            eb(sql`lower(description)`, 'like', sql`${pattern} escape '\\'`),
            eb(sql`lower(keywords)`, 'like', sql`${pattern} escape '\\'`),
          ]),
        );
      }
      const rows = await query.orderBy('modified_at', 'desc').limit(limit).execute();
      return rows.map((r) => ({
        name: r.name,
        description: r.description,
        keywords: r.keywords,
        modifiedAt: r.modified_at,
        visibility: visibilityOf(r.visibility),
      }));
    },
  };
}
