// Organisations and teams (issue 8): an org owns the scope of its name, its members have npm's
// roles, teams hold members and per-package grants. Every claimed scope becomes an org: whoever
// claimed it is its owner, and the others who own packages in it are developers, so nobody loses
// the right to create packages there and nobody gains the right to manage it.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('orgs')
    // The scope without its '@', as npm's /-/org/<name> addresses it.
    .addColumn('name', 'text', (c) => c.primaryKey().notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    // Off by default: new packages are granted to the "developers" team only once an owner says so.
    .addColumn('developers_get_new_packages', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createTable('org_members')
    .addColumn('org', 'text', (c) => c.notNull().references('orgs.name'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('org_members_pk', ['org', 'user_id'])
    .execute();
  await db.schema
    .createTable('teams')
    .addColumn('org', 'text', (c) => c.notNull().references('orgs.name'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('teams_pk', ['org', 'name'])
    .execute();
  await db.schema
    .createTable('team_members')
    .addColumn('org', 'text', (c) => c.notNull())
    .addColumn('team', 'text', (c) => c.notNull())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addPrimaryKeyConstraint('team_members_pk', ['org', 'team', 'user_id'])
    .addForeignKeyConstraint('team_members_team', ['org', 'team'], 'teams', ['org', 'name'])
    .execute();
  await db.schema.createIndex('team_members_user').on('team_members').column('user_id').execute();
  await db.schema
    .createTable('team_packages')
    .addColumn('org', 'text', (c) => c.notNull())
    .addColumn('team', 'text', (c) => c.notNull())
    .addColumn('package_name', 'text', (c) => c.notNull().references('packages.name'))
    // 'read-only' or 'read-write', as `npm access grant` names them.
    .addColumn('permission', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('team_packages_pk', ['org', 'team', 'package_name'])
    .addForeignKeyConstraint('team_packages_team', ['org', 'team'], 'teams', ['org', 'name'])
    .execute();
  await db.schema.createIndex('team_packages_package').on('team_packages').column('package_name').execute();
  await backfill(db);
}

// A claim whose claimer owns nothing in the scope any more leaves an org without an owner; a
// registry administrator may name one (`npm org set` as an admin).
async function backfill(db: Kysely<unknown>): Promise<void> {
  await sql`insert into orgs (name, created_at, developers_get_new_packages)
    select substr(c.scope, 2), c.claimed_at, 0 from scope_claims c`.execute(db);
  await sql`insert into org_members (org, user_id, role)
    select substr(c.scope, 2), m.user_id,
           case when c.claimed_by_kind = 'user' and c.claimed_by_id = cast(m.user_id as text) then 'owner' else 'developer' end
    from scope_members m join scope_claims c on c.scope = m.scope`.execute(db);
  // npm gives every org a "developers" team holding its members; so does this.
  await sql`insert into teams (org, name, description, created_at)
    select name, 'developers', '', created_at from orgs`.execute(db);
  await sql`insert into team_members (org, team, user_id) select org, 'developers', user_id from org_members`.execute(db);
}
