// Org, team and package-access operations behind `npm org`, `npm team` and `npm access`. Each
// change is one transaction writing the rows and their event; each asks access.ts first, with
// the caller's role read in the same transaction. Returns plain values shaped for npm's client.
import { enforce, type TokenPrincipal } from '../access/principal.js';
import type { RequestContext } from '../access/context.js';
import { canActAsUser } from '../accounts/authorize.js';
import { userActor } from '../access/actor.js';
import type { User } from '../accounts/store.js';
import type { Repositories, Store } from '../store.js';
import { fail } from '../errors.js';
import { canManage, canRead } from '../packages/authorize.js';
import { parsePackageName, scopeOf, type PackageName } from '../packages/names.js';
import { orgAllows, tokenManages, type OrgAction } from './access.js';
import { bypassDenial, orgLimitDenial } from '../tokens/limits.js';
import { readFacts } from './readers.js';
import { DEVELOPERS_TEAM, ORG_ROLES, TEAM_PERMISSIONS, type OrgRole, type TeamPermission } from './store.js';

// npm scope and team names: lowercase, URL-safe, as npm-package-arg and the public registry accept.
const NAME = /^[a-z0-9][a-z0-9._-]{0,213}$/;

/** npm's API names permissions as 'read' and 'write'; `npm access` prints them back as read-only/read-write. */
type ApiPermission = 'read' | 'write';
const API: Record<TeamPermission, ApiPermission> = { 'read-only': 'read', 'read-write': 'write' };

// attacker-controlled: names come from URLs and JSON bodies.
function orgName(raw: string): string {
  const name = raw.replace(/^@/, '');
  if (!NAME.test(name)) fail('OrgNotFound', `There is no org named "${raw.slice(0, 100)}".`);
  return name;
}

export function teamName(raw: unknown): string {
  if (typeof raw !== 'string' || !NAME.test(raw))
    fail('InvalidTeamName', 'A team name is lowercase letters, digits, ".", "_" and "-".');
  return raw;
}

function userName(raw: unknown): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 214) fail('BadRequest', 'Name the user: {"user": "<name>"}.');
  return raw.replace(/^@/, '');
}

function roleOf(raw: unknown): OrgRole {
  const role = raw ?? 'developer';
  if (!(ORG_ROLES as readonly unknown[]).includes(role)) fail('InvalidRole', 'The role must be owner, admin or developer.');
  return role as OrgRole;
}

function permissionOf(raw: unknown): TeamPermission {
  if (!(TEAM_PERMISSIONS as readonly unknown[]).includes(raw))
    fail('InvalidPermission', 'The permission must be read-only or read-write.');
  return raw as TeamPermission;
}

export class OrgService {
  constructor(
    private readonly store: Store,
    private readonly now: () => Date,
  ) {}

  private at(): string {
    return this.now().toISOString();
  }

  /** The caller (a user's token), the org, and the caller's right to `action` in it, or a refusal. */
  private async caller(repos: Repositories, context: RequestContext, rawOrg: string, action: OrgAction) {
    const { user, token } = this.asker(context, action !== 'view');
    const org = orgName(rawOrg);
    const limited = action === 'view' ? undefined : orgLimitDenial(token, org);
    if (limited) fail(limited.code, limited.reason);
    if (!(await repos.orgs.org(org))) fail('OrgNotFound', `There is no org named "${org}".`);
    const role = await repos.orgs.role(org, user.id);
    const denied = orgAllows(user, org, role, action);
    if (denied) fail(denied.code, denied.reason);
    return { user, org, role };
  }

  /**
   * The user behind the request's token; `writes`: refused unless the token may manage, and for a
   * token that skips the second factor (it never changes orgs, teams or access).
   */
  private asker(context: RequestContext, writes: boolean): TokenPrincipal {
    const principal = enforce(canActAsUser(context.principal, 'manage orgs'));
    const denied = writes
      ? (tokenManages(principal) ?? bypassDenial(principal.token, 'change orgs, teams or package access'))
      : undefined;
    if (denied) fail(denied.code, denied.reason);
    return principal;
  }

  private async user(repos: Repositories, raw: unknown): Promise<User> {
    const name = userName(raw);
    const user = await repos.users.byName(name);
    if (!user) fail('UserNotFound', `There is no user named "${name}".`);
    return user;
  }

  private async team(repos: Repositories, org: string, raw: string): Promise<string> {
    const team = teamName(raw);
    if (!(await repos.orgs.teamExists(org, team))) fail('TeamNotFound', `The org ${org} has no team "${team}".`);
    return team;
  }

  /** An administrator makes an org for a scope nobody has claimed, with `owner` as its owner. */
  async createOrg(context: RequestContext, rawName: unknown, rawOwner: unknown): Promise<{ name: string }> {
    const { user: admin } = this.asker(context, true);
    if (!admin.isAdmin) fail('Forbidden', 'Only an administrator creates orgs; the first publish under a scope also does.');
    const name = typeof rawName === 'string' && NAME.test(rawName.replace(/^@/, '')) ? rawName.replace(/^@/, '') : undefined;
    if (!name) fail('BadRequest', 'Name the org: {"name": "<scope without @>", "owner": "<user>"}.');
    return this.store.transaction(async (tx) => {
      const owner = await this.user(tx, rawOwner ?? admin.name);
      await tx.packages.lockClaim(`@${name}`);
      if ((await tx.packages.scopeClaim(`@${name}`)) || !(await tx.orgs.createOrg(name, owner.id, this.at())))
        fail('OrgExists', `The scope @${name} is already claimed.`);
      await tx.events.append({ type: 'org.created', actor: userActor(admin), data: { org: name }, createdAt: this.at() });
      return { name };
    });
  }

  /** `npm org set <org> <user> [role]`: PUT /-/org/:org/user. */
  async setMember(context: RequestContext, rawOrg: string, body: Record<string, unknown>) {
    const role = roleOf(body.role);
    return this.store.transaction(async (tx) => {
      const target = await this.user(tx, body.user);
      const { org } = await this.caller(tx, context, rawOrg, 'view');
      const current = await tx.orgs.role(org, target.id);
      const touchesOwner = role === 'owner' || current === 'owner';
      const { user } = await this.caller(tx, context, org, touchesOwner ? 'manage-owners' : 'manage');
      if (current === 'owner' && role !== 'owner') await this.keepAnOwner(tx, org, target.id);
      await tx.orgs.setMember(org, target.id, role);
      await tx.orgs.addTeamMember(org, DEVELOPERS_TEAM, target.id);
      await tx.events.append({
        type: 'org.member_set',
        actor: userActor(user),
        data: { org, user: target.name, role },
        createdAt: this.at(),
      });
      const size = (await tx.orgs.members(org)).length;
      return { org: { name: org, size }, user: target.name, role };
    });
  }

  /** `npm org rm <org> <user>`: DELETE /-/org/:org/user. Their tokens lose the org's grants at once. */
  async removeMember(context: RequestContext, rawOrg: string, body: Record<string, unknown>): Promise<void> {
    await this.store.transaction(async (tx) => {
      const target = await this.user(tx, body.user);
      const { org } = await this.caller(tx, context, rawOrg, 'view');
      const current = await tx.orgs.role(org, target.id);
      if (current === undefined) fail('UserNotFound', `${target.name} is not a member of the org ${org}.`);
      const { user } = await this.caller(tx, context, org, current === 'owner' ? 'manage-owners' : 'manage');
      if (current === 'owner') await this.keepAnOwner(tx, org, target.id);
      await tx.orgs.removeMember(org, target.id);
      await tx.events.append({
        type: 'org.member_removed',
        actor: userActor(user),
        data: { org, user: target.name },
        createdAt: this.at(),
      });
    });
  }

  private async keepAnOwner(tx: Repositories, org: string, leaving: number): Promise<void> {
    const owners = (await tx.orgs.members(org)).filter((m) => m.role === 'owner' && m.user.id !== leaving);
    if (owners.length === 0) fail('LastOrgOwner', `The org ${org} must keep an owner; make someone else owner first.`);
  }

  /** `npm org ls <org>`: { user: role }. */
  async members(context: RequestContext, rawOrg: string): Promise<Record<string, OrgRole>> {
    const { org } = await this.caller(this.store, context, rawOrg, 'view');
    return Object.fromEntries((await this.store.orgs.members(org)).map((m) => [m.user.name, m.role]));
  }

  /** An owner's switch for npm's default of granting each new package to the developers team. */
  async setDevelopersGetNewPackages(
    context: RequestContext,
    rawOrg: string,
    on: unknown,
  ): Promise<{ developersGetNewPackages: boolean }> {
    if (typeof on !== 'boolean') fail('BadRequest', 'Send {"developersGetNewPackages": true|false}.');
    return this.store.transaction(async (tx) => {
      const { org, user } = await this.caller(tx, context, rawOrg, 'manage-owners');
      await tx.orgs.setDevelopersGetNewPackages(org, on);
      await tx.events.append({
        type: 'org.settings_changed',
        actor: userActor(user),
        data: { org, developersGetNewPackages: on },
        createdAt: this.at(),
      });
      return { developersGetNewPackages: on };
    });
  }

  /** `npm team create <org:team>`: PUT /-/org/:org/team. */
  async createTeam(context: RequestContext, rawOrg: string, body: Record<string, unknown>) {
    const team = teamName(body.name);
    const description = typeof body.description === 'string' ? body.description.slice(0, 1000) : '';
    return this.store.transaction(async (tx) => {
      const { org, user } = await this.caller(tx, context, rawOrg, 'manage');
      if (!(await tx.orgs.createTeam(org, team, description, this.at())))
        fail('TeamExists', `The org ${org} already has a team "${team}".`);
      await tx.events.append({ type: 'team.created', actor: userActor(user), data: { org, team }, createdAt: this.at() });
      return { name: team, description };
    });
  }

  /** `npm team destroy <org:team>`: DELETE /-/team/:org/:team. */
  async destroyTeam(context: RequestContext, rawOrg: string, rawTeam: string): Promise<void> {
    await this.store.transaction(async (tx) => {
      const { org, user } = await this.caller(tx, context, rawOrg, 'manage');
      const team = await this.team(tx, org, rawTeam);
      if (team === DEVELOPERS_TEAM) fail('Forbidden', 'The developers team belongs to every org and cannot be removed.');
      await tx.orgs.destroyTeam(org, team);
      await tx.events.append({ type: 'team.destroyed', actor: userActor(user), data: { org, team }, createdAt: this.at() });
    });
  }

  /** `npm team add|rm <user> <org:team>`: PUT|DELETE /-/team/:org/:team/user. Only org members join teams. */
  async setTeamMember(context: RequestContext, rawOrg: string, rawTeam: string, body: Record<string, unknown>, add: boolean) {
    await this.store.transaction(async (tx) => {
      const target = await this.user(tx, body.user);
      const { org, user } = await this.caller(tx, context, rawOrg, 'manage');
      const team = await this.team(tx, org, rawTeam);
      if (add) {
        if (!(await tx.orgs.role(org, target.id)))
          fail('NotOrgMember', `${target.name} is not a member of the org ${org}; add them with npm org set first.`);
        await tx.orgs.addTeamMember(org, team, target.id);
      } else if (!(await tx.orgs.removeTeamMember(org, team, target.id))) {
        fail('UserNotFound', `${target.name} is not in the team ${org}:${team}.`);
      }
      const type = add ? 'team.member_added' : 'team.member_removed';
      await tx.events.append({ type, actor: userActor(user), data: { org, team, user: target.name }, createdAt: this.at() });
    });
    return {};
  }

  /** `npm team ls <org>`: ["org:team", …]. */
  async teams(context: RequestContext, rawOrg: string): Promise<string[]> {
    const { org } = await this.caller(this.store, context, rawOrg, 'view');
    return (await this.store.orgs.teams(org)).map((t) => `${org}:${t}`);
  }

  /** `npm team ls <org:team>`: [user, …]. */
  async teamMembers(context: RequestContext, rawOrg: string, rawTeam: string): Promise<string[]> {
    const { org } = await this.caller(this.store, context, rawOrg, 'view');
    const team = await this.team(this.store, org, rawTeam);
    return (await this.store.orgs.teamMembers(org, team)).map((u) => u.name);
  }

  /** `npm access list packages <org:team>`: what the team is granted. */
  async teamPackages(context: RequestContext, rawOrg: string, rawTeam: string): Promise<Record<string, ApiPermission>> {
    const { org } = await this.caller(this.store, context, rawOrg, 'view');
    const team = await this.team(this.store, org, rawTeam);
    return Object.fromEntries((await this.store.orgs.teamGrants(org, team)).map((g) => [g.packageName, API[g.permission]]));
  }

  /**
   * `npm access list packages <org>`: the org's packages the caller may read, each with what the
   * caller may do to it. A private package the caller may not read is left out, as everywhere.
   */
  async orgPackages(context: RequestContext, rawOrg: string): Promise<Record<string, ApiPermission>> {
    const { org } = await this.caller(this.store, context, rawOrg, 'view');
    return this.readablePackages(context, await this.store.orgs.scopePackages(org));
  }

  /** `npm access list packages` for a user (npm's fallback to /-/user/:name/package): what they maintain. */
  async userPackages(context: RequestContext, rawUser: string): Promise<Record<string, ApiPermission>> {
    enforce(canActAsUser(context.principal, 'list packages'));
    const user = await this.user(this.store, rawUser);
    return this.readablePackages(context, await this.store.orgs.ownedPackages(user.id));
  }

  private async readablePackages(context: RequestContext, pkgs: { name: string; visibility: 'public' | 'restricted' }[]) {
    const out: Record<string, ApiPermission> = {};
    for (const pkg of pkgs) {
      if (!canRead(context.principal, await readFacts(this.store, pkg.name, pkg.visibility)).ok) continue;
      out[pkg.name] = (await this.canManage(context, pkg.name)) ? 'write' : 'read';
    }
    return out;
  }

  private async canManage(context: RequestContext, name: string): Promise<boolean> {
    return canManage(context.principal, { name, owners: await this.store.packages.owners(name) }).ok;
  }

  /** `npm access grant|revoke`: PUT|DELETE /-/team/:org/:team/package. Org owners and admins; the package must be the org's. */
  async setGrant(context: RequestContext, rawOrg: string, rawTeam: string, body: Record<string, unknown>, grant: boolean) {
    const permission = grant ? permissionOf(body.permissions) : undefined;
    const name = this.packageName(body.package);
    await this.store.transaction(async (tx) => {
      const { org, user } = await this.caller(tx, context, rawOrg, 'manage');
      const team = await this.team(tx, org, rawTeam);
      if (scopeOf(name) !== `@${org}`)
        fail('PackageNotInOrg', `${name} is not in the scope @${org}; a team is granted only its org's packages.`);
      await this.visiblePackage(tx, context, name);
      if (permission) {
        await tx.orgs.grant(org, team, name, permission);
        await tx.events.append({
          type: 'package.access_granted',
          actor: userActor(user),
          packageName: name,
          data: { org, team, permission },
          createdAt: this.at(),
        });
      } else {
        if (!(await tx.orgs.revoke(org, team, name))) fail('NotFound', `The team ${org}:${team} has no access to ${name}.`);
        await tx.events.append({
          type: 'package.access_revoked',
          actor: userActor(user),
          packageName: name,
          data: { org, team },
          createdAt: this.at(),
        });
      }
    });
  }

  private packageName(raw: unknown): PackageName {
    if (typeof raw !== 'string') fail('BadRequest', 'Name the package: {"package": "<name>"}.');
    return parsePackageName(raw);
  }

  /** A live package the caller may read; any other is missing to them, as on every read path. */
  private async visiblePackage(repos: Repositories, context: RequestContext, name: PackageName) {
    const pkg = await repos.packages.get(name);
    if (!pkg || pkg.unpublishedAt || !canRead(context.principal, await readFacts(repos, name, pkg.visibility)).ok)
      fail('PackageNotFound', `Package "${name}" was not found.`);
    return pkg;
  }

  /** `npm access list collaborators`: maintainers 'write'; granted teams' members as granted. */
  async collaborators(context: RequestContext, name: PackageName): Promise<Record<string, ApiPermission>> {
    await this.visiblePackage(this.store, context, name);
    const [owners, grantees] = await Promise.all([this.store.packages.owners(name), this.store.orgs.grantees(name)]);
    const out: Record<string, ApiPermission> = {};
    for (const g of grantees) out[g.user.name] = API[g.permission];
    for (const o of owners) out[o.name] = 'write';
    return out;
  }

  /** `npm access get status`: { public }. */
  async visibility(context: RequestContext, name: PackageName): Promise<{ public: boolean }> {
    const pkg = await this.visiblePackage(this.store, context, name);
    return { public: pkg.visibility === 'public' };
  }

  /** `npm access set status=public|private`: POST /-/package/:name/access {access}. Maintainers, org owners/admins, administrators. */
  async setVisibility(context: RequestContext, name: PackageName, access: unknown): Promise<void> {
    if (access !== 'public' && access !== 'restricted') fail('BadRequest', 'access must be "public" or "restricted".');
    const scope = scopeOf(name);
    if (!scope) fail('BadRequest', 'Only scoped packages can be made private.');
    await this.store.transaction(async (tx) => {
      await this.visiblePackage(tx, context, name);
      const user = await this.packageManager(tx, context, name, scope.slice(1));
      await tx.packages.setVisibility(name, access);
      await tx.events.append({
        type: 'package.visibility_set',
        actor: userActor(user),
        packageName: name,
        data: { visibility: access },
        createdAt: this.at(),
      });
    });
  }

  /** A package's access is changed by its maintainers and by its org's owners and admins, with a token that may. */
  private async packageManager(tx: Repositories, context: RequestContext, name: PackageName, org: string): Promise<User> {
    const { user } = this.asker(context, true);
    const decision = canManage(context.principal, { name, owners: await tx.packages.owners(name) });
    if (decision.ok) return user;
    // Only not being a maintainer is made up for by the org role; a token's own limits never are.
    if (decision.code === 'NotMaintainer') {
      const role = await tx.orgs.role(org, user.id);
      if (role === 'owner' || role === 'admin') return user;
    }
    fail(decision.code, decision.reason);
  }
}
