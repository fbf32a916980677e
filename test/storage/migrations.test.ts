// A data folder from an earlier release upgrades without loss. Each engine gets a database built
// as release 004 left it (migrations up to 004, rows written with that schema's SQL), then opens
// it at the latest schema and reads everything back through the store: migration 006's columns
// and tables are backfilled from the ones they replace, and the constraints survive the rebuild.
import { Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, freshDatabase, type TestDatabase } from '../support/engines.js';
import { dialectFor, migrate } from '../../src/storage/db/database.js';
import { createDbStore } from '../../src/storage/db/store.js';
import type { DB } from '../../src/storage/db/schema.js';
import type { Store } from '../../src/domain/store.js';
import type { Day } from '../../src/domain/downloads/days.js';

/** The last migration before the security foundation (006): what an earlier release left behind. */
const BEFORE = '004-downloads';

interface Old {
  alice: number;
  bob: number;
  carol: number;
}

/** Rows as the 004 schema held them, in its own SQL: integer user ids, readonly flags, no claims. */
async function writeOldRows(db: Kysely<DB>): Promise<Old> {
  const user = async (name: string, at: string) => {
    const { rows } = await sql<{
      id: number;
    }>`insert into users (name, email, email_verified, password_hash, is_admin, created_at)
      values (${name}, ${`${name}@example.com`}, 1, 'scrypt$stand-in', 0, ${at}) returning id`.execute(db);
    return Number(rows[0]!.id);
  };
  const alice = await user('alice', '2024-01-01T00:00:00.000Z');
  const bob = await user('bob', '2024-01-02T00:00:00.000Z');
  const carol = await user('carol', '2024-01-03T00:00:00.000Z');
  await sql`insert into tokens (user_id, token_hash, display, readonly, created_at) values
    (${alice}, 'hash-read-only', 'gh_ro', 1, '2024-01-05T00:00:00.000Z'),
    (${alice}, 'hash-read-write', 'gh_rw', 0, '2024-01-05T00:00:00.000Z')`.execute(db);
  const pkg = async (name: string, createdAt: string, owners: number[], unpublishedAt: string | null = null) => {
    await sql`insert into packages (name, created_at, modified_at, rev, description, keywords, unpublished_at)
      values (${name}, ${createdAt}, ${createdAt}, 1, ${`about ${name}`}, 'old', ${unpublishedAt})`.execute(db);
    for (const owner of owners)
      await sql`insert into package_owners (package_name, user_id) values (${name}, ${owner})`.execute(db);
  };
  await pkg('@acme/old', '2024-02-01T00:00:00.000Z', [bob, alice]);
  await pkg('@acme/new', '2024-03-01T00:00:00.000Z', [carol]);
  await pkg('plain', '2024-01-15T00:00:00.000Z', [bob]);
  await pkg('@gone/x', '2024-04-01T00:00:00.000Z', [bob], '2024-04-02T00:00:00.000Z');
  const version = async (
    name: string,
    v: string,
    publisher: number,
    extra: { deprecated?: string; unpublishedAt?: string; readmeHtml?: string } = {},
  ) => {
    await sql`insert into versions (package_name, version, manifest, integrity, shasum, blob, size, file_count,
        unpacked_size, published_at, publisher_id, deprecated, readme, unpublished_at, readme_html, readme_outcome)
      values (${name}, ${v}, ${JSON.stringify({ name, version: v, license: 'MIT' })}, ${`sha512-${v}`}, ${`sha1-${v}`},
        ${`blob-${name}-${v}`}, 123, 2, 456, ${`2024-05-01T00:00:0${v[0]}.000Z`}, ${publisher},
        ${extra.deprecated ?? null}, ${`# ${name}`}, ${extra.unpublishedAt ?? null}, ${extra.readmeHtml ?? null},
        ${extra.readmeHtml === undefined ? null : 'rendered'})`.execute(db);
  };
  await version('@acme/old', '0.9.0', bob, { unpublishedAt: '2024-05-02T00:00:00.000Z' });
  await version('@acme/old', '1.0.0', alice, { deprecated: 'use @acme/new', readmeHtml: '<h1>old</h1>' });
  await version('@acme/new', '1.0.0', carol);
  await version('plain', '1.0.0', bob);
  await version('@gone/x', '1.0.0', bob, { unpublishedAt: '2024-04-02T00:00:00.000Z' });
  await sql`insert into version_dependencies (package_name, version, dependency, range)
    values ('plain', '1.0.0', '@acme/old', '^1.0.0')`.execute(db);
  await sql`insert into dist_tags (package_name, tag, version) values ('@acme/old', 'latest', '1.0.0')`.execute(db);
  await sql`insert into events (type, actor_id, package_name, version, data, created_at) values
    ('user.created', null, null, null, '{"admin":false,"user":"alice","via":"admin"}', '2024-01-01T00:00:00.000Z'),
    ('package.published', ${alice}, '@acme/old', '1.0.0', '{"integrity":"sha512-1.0.0","size":123,"tag":"latest"}',
      '2024-05-01T00:00:01.000Z')`.execute(db);
  await sql`insert into download_counts (package_name, version, day, count) values
    ('@acme/old', '1.0.0', '2024-06-01', 7), ('@acme/old', '0.9.0', '2024-06-01', 3)`.execute(db);
  return { alice, bob, carol };
}

/** Column name → (type, nullable), types spelled alike on both engines. */
async function columnsOf(db: Kysely<DB>, table: string): Promise<Record<string, string>> {
  const tables = await db.introspection.getTables();
  const found = tables.find((t) => t.name === table);
  if (!found) throw new Error(`no table ${table}`);
  const spelled = (type: string) => ({ int4: 'integer', int8: 'integer' })[type.toLowerCase()] ?? type.toLowerCase();
  return Object.fromEntries(
    found.columns
      // SQLite's `integer primary key` reads as nullable; both engines call it auto-incrementing.
      .map(
        (c) =>
          [c.name, c.isAutoIncrementing ? 'serial' : `${spelled(c.dataType)}${c.isNullable ? ' null' : ' not null'}`] as const,
      )
      .sort(),
  );
}

for (const engine of ENGINES) {
  describe(`upgrading a data folder from before migration 006 (${engine})`, () => {
    let database: TestDatabase;
    let db: Kysely<DB>;
    let store: Store;
    let old: Old;

    beforeAll(async () => {
      database = await freshDatabase(engine);
      db = new Kysely<DB>({ dialect: dialectFor(database.config) });
      await migrate(db, engine, BEFORE);
      old = await writeOldRows(db);
      await migrate(db, engine);
      store = createDbStore(db, engine);
    });
    afterAll(async () => {
      await db.destroy();
      await database.dispose();
    });

    it('turns the readonly flag into scopes, keeping each token and its user', async () => {
      const readOnly = await store.tokens.byHash('hash-read-only');
      const readWrite = await store.tokens.byHash('hash-read-write');
      expect(readOnly?.token).toMatchObject({ userId: old.alice, display: 'gh_ro', scopes: ['read'], revokedAt: null });
      expect(readWrite?.token).toMatchObject({ display: 'gh_rw', scopes: ['read', 'publish', 'manage'] });
      expect(readOnly?.user.name).toBe('alice');
    });

    it('records each event actor as kind + id, keeps every event number, and numbers on after them', async () => {
      const events = await store.events.since(0, 10);
      expect(events.map((e) => [e.seq, e.type, e.actor])).toEqual([
        [1, 'user.created', { kind: 'system' }],
        [2, 'package.published', { kind: 'user', userId: old.alice }],
      ]);
      expect(events[1]).toMatchObject({ packageName: '@acme/old', version: '1.0.0', data: { tag: 'latest', size: 123 } });
      const next = await store.events.append({
        type: 'dist_tag.set',
        actor: { kind: 'trusted-publisher', id: 'github:acme/release.yml' },
        packageName: '@acme/old',
        data: { tag: 'latest' },
        createdAt: '2024-07-01T00:00:00.000Z',
      });
      expect(next).toBe(3);
      expect((await store.events.since(2, 10))[0]?.actor).toEqual({ kind: 'trusted-publisher', id: 'github:acme/release.yml' });
    });

    it('keeps every version, tombstones included, with its publisher as an actor and the published state', async () => {
      const versions = await store.packages.versions('@acme/old');
      expect(versions.map((v) => [v.version, v.publisher, v.state, v.unpublishedAt, v.deprecated])).toEqual([
        ['0.9.0', { kind: 'user', userId: old.bob }, 'published', '2024-05-02T00:00:00.000Z', null],
        ['1.0.0', { kind: 'user', userId: old.alice }, 'published', null, 'use @acme/new'],
      ]);
      expect(versions[1]).toMatchObject({
        manifest: { name: '@acme/old', version: '1.0.0', license: 'MIT' },
        integrity: 'sha512-1.0.0',
        blob: 'blob-@acme/old-1.0.0',
        size: 123,
        fileCount: 2,
        unpackedSize: 456,
        readme: '# @acme/old',
      });
      expect(await store.packages.storedReadme('@acme/old', '1.0.0')).toEqual({ html: '<h1>old</h1>', outcome: 'rendered' });
      expect(await store.packages.distTags('@acme/old')).toEqual({ latest: '1.0.0' });
      expect(await store.packages.dependents('@acme/old')).toEqual([{ packageName: 'plain', version: '1.0.0', range: '^1.0.0' }]);
      expect((await store.downloads.daily('@acme/old', '2024-06-01' as Day, '2024-06-01' as Day)).get('2024-06-01' as Day)).toBe(
        10,
      );
    });

    it('keeps the rebuilt tables constrained: a used number stays used, a version needs its package', async () => {
      const [record] = await store.packages.versions('@acme/old');
      expect(await store.packages.insertVersion({ ...record!, unpublishedAt: null }, {})).toBe(false);
      await expect(store.packages.insertVersion({ ...record!, packageName: 'never-created' }, {})).rejects.toThrow();
      const fresh = { ...record!, version: '2.0.0', unpublishedAt: null, publisher: { kind: 'system' as const } };
      expect(await store.packages.insertVersion(fresh, {})).toBe(true);
      expect((await store.packages.version('@acme/old', '2.0.0'))?.publisher).toEqual({ kind: 'system' });
    });

    it('claims each scope from its owners: oldest package first, every owner a member', async () => {
      const acme = await store.packages.scopeClaim('@acme');
      expect(acme).toMatchObject({ claimedAt: '2024-02-01T00:00:00.000Z', claimedBy: { kind: 'user', userId: old.alice } });
      expect(acme!.members.map((u) => u.name)).toEqual(['alice', 'bob', 'carol']);
      // An unpublished package's owners keep its name, so they keep its scope too.
      expect((await store.packages.scopeOwners('@gone')).map((u) => u.name)).toEqual(['bob']);
      expect(await store.packages.scopeClaim('@nobody')).toBeUndefined();
      expect(await store.packages.scopeClaim('plain')).toBeUndefined();
    });

    it('makes each claimed scope an org (015): its claimer the owner, its other owners developers, none granted anything', async () => {
      const roles = async (org: string) => (await store.orgs.members(org)).map((m) => `${m.user.name}:${m.role}`);
      expect(await roles('acme')).toEqual(['alice:owner', 'bob:developer', 'carol:developer']);
      expect(await roles('gone')).toEqual(['bob:owner']);
      expect(await store.orgs.org('acme')).toEqual({
        name: 'acme',
        createdAt: '2024-02-01T00:00:00.000Z',
        developersGetNewPackages: false,
      });
      expect(await store.orgs.org('plain')).toBeUndefined();
      expect(await store.orgs.teams('acme')).toEqual(['developers']);
      expect((await store.orgs.teamMembers('acme', 'developers')).map((u) => u.name)).toEqual(['alice', 'bob', 'carol']);
      expect(await store.orgs.teamGrants('acme', 'developers')).toEqual([]);
    });

    it('counts backfilled memberships per package, so owner changes after the upgrade keep the members right', async () => {
      const members = async () => (await store.packages.scopeOwners('@acme')).map((u) => u.name);
      await store.transaction((tx) => tx.packages.addOwner('@acme/new', old.bob));
      await store.transaction((tx) => tx.packages.removeOwner('@acme/old', old.bob));
      expect(await members()).toEqual(['alice', 'bob', 'carol']);
      await store.transaction((tx) => tx.packages.removeOwner('@acme/new', old.bob));
      expect(await members()).toEqual(['alice', 'carol']);
    });
  });
}

for (const engine of ENGINES) {
  describe(`a migration 006 that fails part way (${engine})`, () => {
    it('changes nothing, and runs once what stopped it is gone', async () => {
      const database = await freshDatabase(engine);
      const db = new Kysely<DB>({ dialect: dialectFor(database.config) });
      try {
        await migrate(db, engine, BEFORE);
        const old = await writeOldRows(db);
        // A table in the way of its last step: everything before it must be undone.
        await sql`create table scope_members (blocker text)`.execute(db);
        await expect(migrate(db, engine)).rejects.toThrow();
        const { rows } = await sql<{ readonly: number; actor_id: number | null }>`
          select t.readonly, e.actor_id from tokens t, events e
          where t.token_hash = 'hash-read-only' and e.type = 'package.published'`.execute(db);
        expect(rows.map((row) => [Number(row.readonly), Number(row.actor_id)])).toEqual([[1, old.alice]]);
        expect((await db.introspection.getTables()).map((t) => t.name)).not.toContain('scope_claims');

        await sql`drop table scope_members`.execute(db);
        await migrate(db, engine);
        const store = createDbStore(db, engine);
        expect((await store.tokens.byHash('hash-read-only'))?.token.scopes).toEqual(['read']);
        expect((await store.events.since(1, 1))[0]?.actor).toEqual({ kind: 'user', userId: old.alice });
      } finally {
        await db.destroy();
        await database.dispose();
      }
    });
  });
}

describe('the schema after migration 006', () => {
  it.runIf(ENGINES.length === 2)('has the same columns, types and nullability on both engines', async () => {
    const opened = await Promise.all(
      ENGINES.map(async (engine) => {
        const database = await freshDatabase(engine);
        const db = new Kysely<DB>({ dialect: dialectFor(database.config) });
        await migrate(db, engine);
        return { database, db };
      }),
    );
    try {
      const [sqlite, postgres] = opened.map((o) => o.db);
      for (const table of ['tokens', 'events', 'versions', 'scope_claims', 'scope_members']) {
        expect(await columnsOf(sqlite!, table), table).toEqual(await columnsOf(postgres!, table));
      }
    } finally {
      for (const { database, db } of opened) {
        await db.destroy();
        await database.dispose();
      }
    }
  });
});
