// Kysely implementation of the org store: orgs, members, teams, team members and grants. It knows
// nothing of roles' rights; callers run the writes that belong together in one transaction.
import { sql, type Kysely } from 'kysely';
import { visibilityOf } from './packages.js';
import type { DB } from './schema.js';
import { toUser } from './users.js';
import {
  DEVELOPERS_TEAM,
  ORG_ROLES,
  TEAM_PERMISSIONS,
  type OrgRole,
  type OrgStore,
  type TeamPermission,
} from '../../domain/orgs/store.js';

/** A value a later version wrote reads as the weakest role or permission: fail closed. */
function roleOf(stored: string): OrgRole {
  return (ORG_ROLES as readonly string[]).includes(stored) ? (stored as OrgRole) : 'developer';
}

function permissionOf(stored: string): TeamPermission {
  return (TEAM_PERMISSIONS as readonly string[]).includes(stored) ? (stored as TeamPermission) : 'read-only';
}

export function orgStore(db: Kysely<DB>): OrgStore {
  return {
    async org(name) {
      const row = await db.selectFrom('orgs').selectAll().where('name', '=', name).executeTakeFirst();
      if (!row) return undefined;
      return {
        name: row.name,
        createdAt: row.created_at,
        developersGetNewPackages: Number(row.developers_get_new_packages) === 1,
      };
    },
    async createOrg(name, owner, at) {
      const result = await db
        .insertInto('orgs')
        .values({ name, created_at: at })
        .onConflict((oc) => oc.column('name').doNothing())
        .executeTakeFirst();
      if (Number(result.numInsertedOrUpdatedRows ?? 0) !== 1) return false;
      await db.insertInto('teams').values({ org: name, name: DEVELOPERS_TEAM, created_at: at }).execute();
      await db.insertInto('org_members').values({ org: name, user_id: owner, role: 'owner' }).execute();
      await db.insertInto('team_members').values({ org: name, team: DEVELOPERS_TEAM, user_id: owner }).execute();
      return true;
    },
    async setDevelopersGetNewPackages(org, on) {
      await db
        .updateTable('orgs')
        .set({ developers_get_new_packages: on ? 1 : 0 })
        .where('name', '=', org)
        .execute();
    },
    async members(org) {
      const rows = await db
        .selectFrom('org_members')
        .innerJoin('users', 'users.id', 'org_members.user_id')
        .selectAll('users')
        .select('org_members.role')
        .where('org_members.org', '=', org)
        .orderBy('users.name')
        .execute();
      return rows.map((row) => ({ user: toUser(row), role: roleOf(row.role) }));
    },
    async role(org, userId) {
      const row = await db
        .selectFrom('org_members')
        .select('role')
        .where('org', '=', org)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return row && roleOf(row.role);
    },
    async setMember(org, userId, role) {
      await db
        .insertInto('org_members')
        .values({ org, user_id: userId, role })
        .onConflict((oc) => oc.columns(['org', 'user_id']).doUpdateSet({ role }))
        .execute();
    },
    async removeMember(org, userId) {
      await db.deleteFrom('team_members').where('org', '=', org).where('user_id', '=', userId).execute();
      await db.deleteFrom('org_members').where('org', '=', org).where('user_id', '=', userId).execute();
    },
    async teams(org) {
      const rows = await db.selectFrom('teams').select('name').where('org', '=', org).orderBy('name').execute();
      return rows.map((r) => r.name);
    },
    async teamExists(org, team) {
      const row = await db.selectFrom('teams').select('name').where('org', '=', org).where('name', '=', team).executeTakeFirst();
      return row !== undefined;
    },
    async createTeam(org, team, description, at) {
      const result = await db
        .insertInto('teams')
        .values({ org, name: team, description, created_at: at })
        .onConflict((oc) => oc.columns(['org', 'name']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
    },
    async destroyTeam(org, team) {
      await db.deleteFrom('team_packages').where('org', '=', org).where('team', '=', team).execute();
      await db.deleteFrom('team_members').where('org', '=', org).where('team', '=', team).execute();
      await db.deleteFrom('teams').where('org', '=', org).where('name', '=', team).execute();
    },
    async teamMembers(org, team) {
      const rows = await db
        .selectFrom('team_members')
        .innerJoin('users', 'users.id', 'team_members.user_id')
        .selectAll('users')
        .where('team_members.org', '=', org)
        .where('team_members.team', '=', team)
        .orderBy('users.name')
        .execute();
      return rows.map(toUser);
    },
    async addTeamMember(org, team, userId) {
      await db
        .insertInto('team_members')
        .values({ org, team, user_id: userId })
        .onConflict((oc) => oc.columns(['org', 'team', 'user_id']).doNothing())
        .execute();
    },
    async removeTeamMember(org, team, userId) {
      const result = await db
        .deleteFrom('team_members')
        .where('org', '=', org)
        .where('team', '=', team)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },
    async teamGrants(org, team) {
      const rows = await db
        .selectFrom('team_packages')
        .select(['package_name', 'permission'])
        .where('org', '=', org)
        .where('team', '=', team)
        .orderBy('package_name')
        .execute();
      return rows.map((r) => ({ packageName: r.package_name, permission: permissionOf(r.permission) }));
    },
    async grant(org, team, packageName, permission) {
      await db
        .insertInto('team_packages')
        .values({ org, team, package_name: packageName, permission })
        .onConflict((oc) => oc.columns(['org', 'team', 'package_name']).doUpdateSet({ permission }))
        .execute();
    },
    async revoke(org, team, packageName) {
      const result = await db
        .deleteFrom('team_packages')
        .where('org', '=', org)
        .where('team', '=', team)
        .where('package_name', '=', packageName)
        .executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },
    async scopePackages(org) {
      const rows = await db
        .selectFrom('packages')
        .select(['name', 'visibility'])
        // Org names are npm scope names, which hold no LIKE wildcard but '_'.
        .where(sql<boolean>`name like ${`@${org.replace(/_/g, '\\_')}/%`} escape '\\'`)
        .where('unpublished_at', 'is', null)
        .orderBy('name')
        .execute();
      return rows.map((r) => ({ name: r.name, visibility: visibilityOf(r.visibility) }));
    },
    async ownedPackages(userId) {
      const rows = await db
        .selectFrom('package_owners')
        .innerJoin('packages', 'packages.name', 'package_owners.package_name')
        .select(['packages.name', 'packages.visibility'])
        .where('package_owners.user_id', '=', userId)
        .where('packages.unpublished_at', 'is', null)
        .orderBy('packages.name')
        .execute();
      return rows.map((r) => ({ name: r.name, visibility: visibilityOf(r.visibility) }));
    },
    async grantees(packageName) {
      // A team member counts only while still a member of the org: removal from the org is enough.
      const rows = await db
        .selectFrom('team_packages as g')
        .innerJoin('team_members as t', (j) => j.onRef('t.org', '=', 'g.org').onRef('t.team', '=', 'g.team'))
        .innerJoin('org_members as m', (j) => j.onRef('m.org', '=', 't.org').onRef('m.user_id', '=', 't.user_id'))
        .innerJoin('users', 'users.id', 't.user_id')
        .selectAll('users')
        .select('g.permission')
        .where('g.package_name', '=', packageName)
        .execute();
      const best = new Map<number, { user: ReturnType<typeof toUser>; permission: TeamPermission }>();
      for (const row of rows) {
        const user = toUser(row);
        const permission = permissionOf(row.permission);
        if (best.get(user.id)?.permission !== 'read-write') best.set(user.id, { user, permission });
      }
      return [...best.values()];
    },
  };
}
