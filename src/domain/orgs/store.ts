// What the orgs domain reads and writes: organisations (one per scope), their members with
// npm's roles, teams, and teams' grants on packages. storage/db/orgs.ts implements it; it knows
// nothing of who may do what (access.ts decides that).
import type { User } from '../accounts/store.js';
import type { Visibility } from '../packages/store.js';

/** npm's roles, the only ones its CLI sends (lib/commands/org.js). */
export type OrgRole = 'owner' | 'admin' | 'developer';
export const ORG_ROLES: readonly OrgRole[] = ['owner', 'admin', 'developer'];

/** What `npm access grant` sends; npm's API lists them back as 'read' and 'write'. */
export type TeamPermission = 'read-only' | 'read-write';
export const TEAM_PERMISSIONS: readonly TeamPermission[] = ['read-only', 'read-write'];

/** Every org has this team; `npm org set` puts each member in it, as npm's registry does. */
export const DEVELOPERS_TEAM = 'developers';

export interface Org {
  /** The scope without its '@'. */
  name: string;
  createdAt: string;
  /** When on, each new package in the scope is granted read-write to the developers team. */
  developersGetNewPackages: boolean;
}

export interface OrgMember {
  user: User;
  role: OrgRole;
}

export interface Grant {
  packageName: string;
  permission: TeamPermission;
}

export interface OrgStore {
  org(name: string): Promise<Org | undefined>;
  /** Creates the org and its developers team with `owner` as owner; false when it exists. */
  createOrg(name: string, owner: number, at: string): Promise<boolean>;
  setDevelopersGetNewPackages(org: string, on: boolean): Promise<void>;
  members(org: string): Promise<OrgMember[]>;
  role(org: string, userId: number): Promise<OrgRole | undefined>;
  /** Adds the member or changes their role. */
  setMember(org: string, userId: number, role: OrgRole): Promise<void>;
  /** Removes the member from the org and from every team of it. */
  removeMember(org: string, userId: number): Promise<void>;
  teams(org: string): Promise<string[]>;
  teamExists(org: string, team: string): Promise<boolean>;
  /** False when a team of that name exists. */
  createTeam(org: string, team: string, description: string, at: string): Promise<boolean>;
  /** Removes the team, its members and its grants. */
  destroyTeam(org: string, team: string): Promise<void>;
  teamMembers(org: string, team: string): Promise<User[]>;
  addTeamMember(org: string, team: string, userId: number): Promise<void>;
  removeTeamMember(org: string, team: string, userId: number): Promise<boolean>;
  teamGrants(org: string, team: string): Promise<Grant[]>;
  grant(org: string, team: string, packageName: string, permission: TeamPermission): Promise<void>;
  revoke(org: string, team: string, packageName: string): Promise<boolean>;
  /** Live packages under `@org/`, with their visibility, by name. */
  scopePackages(org: string): Promise<{ name: string; visibility: Visibility }[]>;
  /** Live packages the user maintains, with their visibility, by name. */
  ownedPackages(userId: number): Promise<{ name: string; visibility: Visibility }[]>;
  /** Every user a team grant lets read the package, with the strongest permission they hold. */
  grantees(packageName: string): Promise<{ user: User; permission: TeamPermission }[]>;
}
