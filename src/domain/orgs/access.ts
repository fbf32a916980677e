// The org rules the package decisions (packages/authorize.ts) and the org operations call: who
// reads a private package, who may create packages in an org's scope, who manages an org. Pure:
// the facts come in, a yes or a reason comes out. Membership alone never grants a package.
import type { Denial, Principal, TokenPrincipal } from '../access/principal.js';
import { tokenAllows } from '../tokens/scopes.js';
import type { User } from '../accounts/store.js';
import type { OrgRole } from './store.js';

/**
 * Who may read a restricted package besides administrators: its maintainers and the members of
 * teams granted it (read-only or read-write). Built from current rows on every rebuild of the
 * cached package, so a removed member is gone from it the moment the removal commits.
 */
export type PackageReaders = ReadonlySet<number>;

/** A restricted package is read by an administrator or someone in its reader set; without a set, nobody else. */
export function readsRestricted(user: User, readers: PackageReaders | undefined): boolean {
  return user.isAdmin || readers?.has(user.id) === true;
}

/**
 * Creating a new package in a scope: any member of the org owning it (owner, admin, developer).
 * Undefined role means not a member.
 */
export function createsInOrg(user: User, org: string, role: OrgRole | undefined): Denial | undefined {
  if (role !== undefined) return undefined;
  return {
    ok: false,
    code: 'ScopeNotYours',
    reason: `The scope @${org} belongs to the org ${org}; ask one of its owners to add you (npm org set ${org} ${user.name}).`,
  };
}

/** What an org operation needs of its caller. */
export type OrgAction = 'manage' | 'manage-owners' | 'view';

/**
 * Owners and admins manage members, teams and grants; only owners make or unmake owners;
 * every member may look. Registry administrators may do anything, so an org left without an
 * owner can be given one.
 */
export function orgAllows(user: User, org: string, role: OrgRole | undefined, action: OrgAction): Denial | undefined {
  if (user.isAdmin) return undefined;
  if (role === undefined) return { ok: false, code: 'NotOrgMember', reason: `You are not a member of the org ${org}.` };
  if (action === 'view' || role === 'owner') return undefined;
  if (action === 'manage' && role === 'admin') return undefined;
  const who = action === 'manage-owners' ? 'an owner' : 'an owner or admin';
  return {
    ok: false,
    code: 'NotOrgAdmin',
    reason: `Only ${who} of the org ${org} may do this; you are ${role === 'admin' ? 'an admin' : 'a developer'}.`,
  };
}

/**
 * The registry-wide switch (anonymousReads): off, every read of a package, page or search needs a
 * signed-in reader. 401, so npm says to log in; a private package stays a 404 to a signed-in stranger.
 */
export function browses(principal: Principal, anonymousReads: boolean): Denial | undefined {
  if (anonymousReads || principal.kind !== 'anonymous') return undefined;
  return { ok: false, code: 'Unauthenticated', reason: 'This registry is private: log in to read packages (npm login).' };
}

/** A read-only token looks, and changes nothing: every org, team and grant change needs a token that can manage. */
export function tokenManages(principal: TokenPrincipal): Denial | undefined {
  if (tokenAllows(principal.token, 'manage')) return undefined;
  return {
    ok: false,
    code: 'TokenReadOnly',
    reason: 'This token is read-only; changing orgs, teams or access needs a token that can write.',
  };
}
