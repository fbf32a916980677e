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
} from '../access/principal.js';
import type { User } from '../accounts/store.js';
import type { PackageRecord, Visibility } from './store.js';
import { tokenAllows } from '../tokens/scopes.js';
import { packageLimitDenial } from '../tokens/limits.js';

export interface PackageFacts {
  name: string;
  pkg: PackageRecord | undefined;
  owners: User[];
  /** Owners of other packages in the same scope; empty when the scope is unclaimed or there is no scope. */
  scopeOwners: User[];
  scope: string | undefined;
}

/** What a read decision needs: a package record, a cache entry and a search row all carry it. */
export interface ReadFacts {
  visibility: Visibility;
  /**
   * Which package: a token limited to packages reads only the restricted ones it names, so without
   * the name such a token reads none (a cache entry carries no name: its callers add it).
   */
  name?: string;
}

function isOwner(user: User, owners: User[]): boolean {
  return owners.some((o) => o.id === user.id);
}

// A read path answers a refused read with its own "not found" answer, byte for byte the one a
// package that does not exist gets; even if this one were shown, it says no more than that.
const HIDDEN: Denial = { ok: false, code: 'PackageNotFound', reason: 'The package was not found.' };

/**
 * Reading a package (packument, version document, tarball, page, search hit, download counts).
 * Public packages are readable by every kind. Nothing grants access to a restricted package yet
 * (the authorization track adds `npm access` grants and private packages), so only an
 * administrator's token reads one. `version` is for per-version rules to come (quarantine).
 */
export function canRead(principal: Principal, facts: ReadFacts, _version?: string): Decision {
  const open = facts.visibility === 'public';
  switch (principal.kind) {
    case 'anonymous':
      return open ? { ok: true, principal } : HIDDEN;
    case 'user':
      // Public packages are anyone's to read, so a token's package limit narrows only restricted ones.
      if (open) return { ok: true, principal };
      return principal.user.isAdmin && !packageLimitDenial(principal.token, facts.name) ? { ok: true, principal } : HIDDEN;
    case 'session':
    case 'trusted-publisher':
      return open ? { ok: true, principal } : HIDDEN;
    default:
      return assertNever(principal);
  }
}

export function canPublish(principal: Principal, facts: PackageFacts): Decision<TokenPrincipal> {
  switch (principal.kind) {
    case 'anonymous':
      return { ok: false, code: 'Unauthenticated', reason: 'You must be logged in to publish. Run `npm login` first.' };
    case 'user': {
      if (!tokenAllows(principal.token, 'publish'))
        return { ok: false, code: 'TokenReadOnly', reason: 'This token is read-only; publishing needs a token that can write.' };
      if (!principal.user.emailVerified)
        return { ok: false, code: 'EmailUnverified', reason: 'Verify your email address before publishing.' };
      const limited = packageLimitDenial(principal.token, facts.name);
      if (limited) return limited;
      if (facts.pkg) {
        if (isOwner(principal.user, facts.owners)) return { ok: true, principal };
        const why = facts.pkg.unpublishedAt
          ? 'was unpublished and its name stays reserved for its owners'
          : 'is owned by someone else';
        return { ok: false, code: 'NotMaintainer', reason: `"${facts.pkg.name}" ${why}; you are not one of its maintainers.` };
      }
      if (facts.scope && facts.scopeOwners.length > 0 && !isOwner(principal.user, facts.scopeOwners)) {
        return {
          ok: false,
          code: 'ScopeNotYours',
          reason: `The scope ${facts.scope} belongs to other maintainers; ask one of them to add you.`,
        };
      }
      return { ok: true, principal };
    }
    case 'session':
    case 'trusted-publisher':
      return notSupported(principal, 'publish');
    default:
      return assertNever(principal);
  }
}

/** Dist-tags, deprecation and ownership: maintainers, or an administrator. */
export function canManage(principal: Principal, facts: { name: string; owners: User[] }): Decision<TokenPrincipal> {
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
      if (principal.user.isAdmin || isOwner(principal.user, facts.owners)) return { ok: true, principal };
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
