// Who may read and change a package. One function per decision; each answers for every kind of
// principal, returns the principal narrowed to what it allows, and, when it refuses, says why
// with a catalog code. Never throws: `enforce` does.
import {
  assertNever,
  notSupported,
  type Decision,
  type Denial,
  type Principal,
  type TokenPrincipal,
  type TrustedPublisherPrincipal,
} from '../access/principal.js';
import type { User } from '../accounts/store.js';
import type { PackageRecord, Visibility } from './store.js';
import { tokenAllows } from '../tokens/scopes.js';
import { packageLimitDenial } from '../tokens/limits.js';
import { createsInOrg, readsRestricted, type PackageReaders } from '../orgs/access.js';
import type { OrgRole } from '../orgs/store.js';

export interface PackageFacts {
  /** The name asked for, whether or not a package has it yet. */
  name: string;
  pkg: PackageRecord | undefined;
  owners: User[];
  /** Owners of other packages in the same scope; empty when the scope is unclaimed or there is no scope. */
  scopeOwners: User[];
  scope: string | undefined;
  /** The org owning the scope, and the publisher's role in it (undefined: not a member). Its members
   * create packages in the scope, as do the maintainers of its packages (scopeOwners), as before orgs. */
  org?: { name: string; role: OrgRole | undefined };
  /** Users a team grants read-write on the existing package: they publish as maintainers do. */
  writers?: ReadonlySet<number>;
  /** The package is private and the principal may not read it: refused as if it were missing. */
  hidden?: boolean;
}

/** What a read decision needs: a package record, a cache entry and a search row all carry it. */
export interface ReadFacts {
  visibility: Visibility;
  /**
   * Which package: a token limited to packages reads only the restricted ones it names, so without
   * the name such a token reads none (a cache entry carries no name: its callers add it).
   */
  name?: string;
  /** For a restricted package: who besides administrators may read it (orgs/readers.ts). */
  readers?: PackageReaders;
}

function isOwner(user: User, owners: User[]): boolean {
  return owners.some((o) => o.id === user.id);
}

// A read path answers a refused read with its own "not found" answer, byte for byte the one a
// package that does not exist gets; even if this one were shown, it says no more than that.
const HIDDEN: Denial = { ok: false, code: 'PackageNotFound', reason: 'The package was not found.' };

/**
 * Reading a package (packument, version document, tarball, page, search hit, download counts).
 * Public packages are readable by every kind. A restricted one only by administrators, its
 * maintainers and members of teams granted it (orgs/access.ts); to anyone else it is missing.
 * `version` is for per-version rules to come (quarantine).
 */
export function canRead(principal: Principal, facts: ReadFacts, _version?: string): Decision {
  const open = facts.visibility === 'public';
  switch (principal.kind) {
    case 'anonymous':
      return open ? { ok: true, principal } : HIDDEN;
    case 'user':
      // Public packages are anyone's to read, so a token's package limit narrows only restricted ones.
      if (open) return { ok: true, principal };
      return readsRestricted(principal.user, facts.readers) && !packageLimitDenial(principal.token, facts.name)
        ? { ok: true, principal }
        : HIDDEN;
    case 'session':
      return open || readsRestricted(principal.user, facts.readers) ? { ok: true, principal } : HIDDEN;
    case 'trusted-publisher':
      return open ? { ok: true, principal } : HIDDEN;
    default:
      return assertNever(principal);
  }
}

export function canPublish(
  principal: Principal,
  facts: PackageFacts,
  action: 'publish' | 'stage' = 'publish',
): Decision<TokenPrincipal | TrustedPublisherPrincipal> {
  switch (principal.kind) {
    case 'anonymous':
      return { ok: false, code: 'Unauthenticated', reason: 'You must be logged in to publish. Run `npm login` first.' };
    case 'user': {
      const scoped = tokenScopeDenial(principal.token, action);
      if (scoped) return scoped;
      if (!principal.user.emailVerified)
        return { ok: false, code: 'EmailUnverified', reason: 'Verify your email address before publishing.' };
      const limited = packageLimitDenial(principal.token, facts.name);
      if (limited) return limited;
      if (facts.pkg) {
        if (isOwner(principal.user, facts.owners) || facts.writers?.has(principal.user.id)) return { ok: true, principal };
        // A private package one may not read: the answer a missing name in this scope would get,
        // so a publish cannot probe for it (a member of its org, who may create names there, still learns it exists).
        if (facts.hidden) {
          const missing = canPublish(principal, { ...facts, pkg: undefined, owners: [], writers: undefined, hidden: false });
          if (!missing.ok) return missing;
        }
        const why = facts.pkg.unpublishedAt
          ? 'was unpublished and its name stays reserved for its owners'
          : 'is owned by someone else';
        return { ok: false, code: 'NotMaintainer', reason: `"${facts.pkg.name}" ${why}; you are not one of its maintainers.` };
      }
      if (facts.org && !isOwner(principal.user, facts.scopeOwners))
        return createsInOrg(principal.user, facts.org.name, facts.org.role) ?? { ok: true, principal };
      if (facts.scope && facts.scopeOwners.length > 0 && !isOwner(principal.user, facts.scopeOwners)) {
        return {
          ok: false,
          code: 'ScopeNotYours',
          reason: `The scope ${facts.scope} belongs to other maintainers; ask one of them to add you.`,
        };
      }
      return { ok: true, principal };
    }
    case 'trusted-publisher':
      return trustedPublish(principal, facts, action);
    case 'session':
      return notSupported(principal, 'publish');
    default:
      return assertNever(principal);
  }
}

/**
 * A trusted publisher's token names its packages and its configuration's actions; no user MFA
 * policy applies (there is no person). A package that does not exist yet it may create only
 * through a pending configuration, whose creator becomes the owner and must hold the scope.
 */
function trustedPublish(
  principal: TrustedPublisherPrincipal,
  facts: PackageFacts,
  action: 'publish' | 'stage',
): Decision<TrustedPublisherPrincipal> {
  const refuse = (reason: string): Denial => ({ ok: false, code: 'TrustedPublisherNotAllowed', reason });
  if (!principal.packages.includes(facts.name))
    return refuse(`This trusted-publishing token can publish only ${principal.packages.join(', ')}.`);
  // A configuration allowing publishes may stage too: staging puts nothing in front of installers.
  if (action === 'stage' && !principal.actions.includes('stage-publish') && !principal.actions.includes('publish'))
    return refuse('This trusted publisher may not stage publishes.');
  if (action === 'publish' && !principal.actions.includes('publish'))
    return refuse('This trusted publisher may only stage publishes (its configuration lacks --allow-publish).');
  if (!facts.pkg) {
    if (principal.ownerOnCreate === undefined)
      return refuse(`"${facts.name}" does not exist; a trusted publisher cannot create it.`);
    if (facts.scope && facts.scopeOwners.length > 0 && !facts.scopeOwners.some((o) => o.id === principal.ownerOnCreate)) {
      return { ok: false, code: 'ScopeNotYours', reason: `The scope ${facts.scope} belongs to other maintainers.` };
    }
  }
  return { ok: true, principal };
}

/** A token may stage with the `stage` or `publish` scope, and publish only with `publish` (docs/staged-publishing.md). */
function tokenScopeDenial(token: TokenPrincipal['token'], action: 'publish' | 'stage'): Denial | undefined {
  if (tokenAllows(token, action)) return undefined;
  if (tokenAllows(token, 'stage'))
    return {
      ok: false,
      code: 'TokenStageOnly',
      reason:
        'This token may only stage versions: run `npm stage publish`, then approve it with `npm stage approve <id> --otp=<code>`.',
    };
  return { ok: false, code: 'TokenReadOnly', reason: 'This token is read-only; publishing needs a token that can write.' };
}

/**
 * Dist-tags, deprecation, ownership and unpublish: maintainers, or an administrator. Members of a
 * team granted read-write publish (canPublish), so they may also move dist-tags and deprecate
 * (`writers`, given only for those changes); owners and unpublish stay with the maintainers.
 */
export function canManage(
  principal: Principal,
  facts: { name: string; owners: User[]; writers?: ReadonlySet<number> },
): Decision<TokenPrincipal> {
  switch (principal.kind) {
    case 'anonymous':
      return { ok: false, code: 'Unauthenticated', reason: 'You must be logged in to change a package. Run `npm login` first.' };
    case 'user': {
      if (!tokenAllows(principal.token, 'manage'))
        return {
          ok: false,
          code: 'TokenReadOnly',
          reason: 'This token is read-only; changing a package needs a token that can write.',
        };
      const limited = packageLimitDenial(principal.token, facts.name);
      if (limited) return limited;
      if (principal.user.isAdmin || isOwner(principal.user, facts.owners) || facts.writers?.has(principal.user.id))
        return { ok: true, principal };
      return { ok: false, code: 'NotMaintainer', reason: `You are not a maintainer of "${facts.name}".` };
    }
    case 'session':
    case 'trusted-publisher':
      return notSupported(principal, 'change a package');
    default:
      return assertNever(principal);
  }
}

/** Unpublish: maintainers within the policy window, administrators always (see docs/unpublish-policy.md). */
export function canUnpublish(
  principal: Principal,
  facts: { name: string; owners: User[] },
): { ok: true; principal: TokenPrincipal; admin: boolean } | Denial {
  const managed = canManage(principal, facts);
  if (!managed.ok) return managed;
  return { ...managed, admin: managed.principal.user.isAdmin };
}
