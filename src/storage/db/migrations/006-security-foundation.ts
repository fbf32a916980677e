// The schema the security tracks build on, in one step, each part backfilled from what it replaces:
// - actors as kind + id, not a user foreign key: events.actor_kind/actor_id and
//   versions.publisher_kind/publisher_id (a trusted publisher or the system has no user row);
// - tokens.scopes, a JSON list of scopes, instead of the readonly flag;
// - scope_claims and scope_members instead of finding a scope's owners with LIKE '@scope/%';
// - versions.state (published, staged, quarantined); tombstones keep unpublished_at.
// SQLite cannot change a column's type or drop a column under a foreign key, so there the two
// tables are rebuilt and copied; PostgreSQL alters them in place. Both end with the same columns.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Engine } from '../engine.js';

export async function up(db: Kysely<unknown>, engine: Engine): Promise<void> {
  // PostgreSQL's migrator already runs each migration in a transaction; SQLite's does not, and a
  // half-rebuilt table must never be left behind.
  if (engine === 'postgres') await migrate(db, engine);
  else await db.transaction().execute((trx) => migrate(trx, engine));
}

async function migrate(db: Kysely<unknown>, engine: Engine): Promise<void> {
  await tokenScopes(db);
  if (engine === 'postgres') await actorsInPlace(db);
  else await actorsByRebuild(db);
  await scopeClaims(db, engine);
}

async function tokenScopes(db: Kysely<unknown>): Promise<void> {
  // A row written without scopes may do nothing, never everything.
  await db.schema
    .alterTable('tokens')
    .addColumn('scopes', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
  await sql`update tokens set scopes = case when readonly = 1 then '["read"]' else '["read","publish","manage"]' end`.execute(db);
  await db.schema.alterTable('tokens').dropColumn('readonly').execute();
}

async function actorsInPlace(db: Kysely<unknown>): Promise<void> {
  await sql`alter table events alter column actor_id type text using actor_id::text`.execute(db);
  await sql`alter table events add column actor_kind text not null default 'system'`.execute(db);
  await sql`update events set actor_kind = 'user' where actor_id is not null`.execute(db);
  await sql`alter table events alter column actor_kind drop default`.execute(db);

  // The name PostgreSQL gave the inline `references users.id` of migration 001.
  await sql`alter table versions drop constraint versions_publisher_id_fkey`.execute(db);
  await sql`alter table versions alter column publisher_id type text using publisher_id::text`.execute(db);
  await sql`alter table versions alter column publisher_id drop not null`.execute(db);
  await sql`alter table versions add column publisher_kind text not null default 'user'`.execute(db);
  await sql`alter table versions alter column publisher_kind drop default`.execute(db);
  await sql`alter table versions add column state text not null default 'published'`.execute(db);
}

async function actorsByRebuild(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('events_006')
    .addColumn('seq', sql`integer primary key autoincrement`)
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('actor_kind', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('package_name', 'text')
    .addColumn('version', 'text')
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  // Explicit seq values: every event keeps its number, and the sequence continues after the highest.
  await sql`insert into events_006 (seq, type, actor_kind, actor_id, package_name, version, data, created_at)
    select seq, type, case when actor_id is null then 'system' else 'user' end, cast(actor_id as text),
           package_name, version, data, created_at
    from events`.execute(db);
  await db.schema.dropTable('events').execute();
  await sql`alter table events_006 rename to events`.execute(db);
  await db.schema.createIndex('events_package').on('events').column('package_name').execute();

  await db.schema
    .createTable('versions_006')
    .addColumn('package_name', 'text', (c) => c.notNull().references('packages.name'))
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('manifest', 'text', (c) => c.notNull())
    .addColumn('integrity', 'text', (c) => c.notNull())
    .addColumn('shasum', 'text', (c) => c.notNull())
    .addColumn('blob', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('file_count', 'integer', (c) => c.notNull())
    .addColumn('unpacked_size', 'integer', (c) => c.notNull())
    .addColumn('published_at', 'text', (c) => c.notNull())
    .addColumn('publisher_id', 'text')
    .addColumn('deprecated', 'text')
    .addColumn('readme', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('unpublished_at', 'text')
    .addColumn('readme_html', 'text')
    .addColumn('readme_outcome', 'text')
    .addColumn('publisher_kind', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('published'))
    .addPrimaryKeyConstraint('versions_pk', ['package_name', 'version'])
    .execute();
  await sql`insert into versions_006 (package_name, version, manifest, integrity, shasum, blob, size, file_count,
      unpacked_size, published_at, publisher_id, deprecated, readme, unpublished_at, readme_html, readme_outcome,
      publisher_kind, state)
    select package_name, version, manifest, integrity, shasum, blob, size, file_count,
      unpacked_size, published_at, cast(publisher_id as text), deprecated, readme, unpublished_at, readme_html,
      readme_outcome, 'user', 'published'
    from versions`.execute(db);
  await db.schema.dropTable('versions').execute();
  await sql`alter table versions_006 rename to versions`.execute(db);
}

async function scopeClaims(db: Kysely<unknown>, engine: Engine): Promise<void> {
  await db.schema
    .createTable('scope_claims')
    // SQLite lets a text primary key hold null unless told otherwise.
    .addColumn('scope', 'text', (c) => c.primaryKey().notNull())
    .addColumn('claimed_at', 'text', (c) => c.notNull())
    .addColumn('claimed_by_kind', 'text', (c) => c.notNull())
    .addColumn('claimed_by_id', 'text')
    .execute();
  await db.schema
    .createTable('scope_members')
    .addColumn('scope', 'text', (c) => c.notNull().references('scope_claims.scope'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('packages', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('scope_members_pk', ['scope', 'user_id'])
    .execute();

  // Every owner of a scoped package, with the package's scope and creation time.
  const scope: RawBuilder<string> =
    engine === 'postgres' ? sql`split_part(p.name, '/', 1)` : sql`substr(p.name, 1, instr(p.name, '/') - 1)`;
  const owned = sql`owned as (
    select ${scope} as scope, p.created_at as created_at, o.user_id as user_id
    from packages p join package_owners o on o.package_name = p.name
    where p.name like '@%/%')`;
  // Who claimed a scope was never recorded: the first owner of its oldest package stands in.
  await sql`with ${owned}
    insert into scope_claims (scope, claimed_at, claimed_by_kind, claimed_by_id)
    select scope, created_at, 'user', cast(user_id as text)
    from (select scope, created_at, user_id,
                 row_number() over (partition by scope order by created_at, user_id) as n
          from owned) ranked
    where n = 1`.execute(db);
  await sql`with ${owned}
    insert into scope_members (scope, user_id, packages)
    select scope, user_id, count(*) from owned group by scope, user_id`.execute(db);
}
