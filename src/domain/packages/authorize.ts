// Who may change a package. One function per decision; each answers for every kind of
// principal and, when it refuses, says why with a catalog code. Never throws: `enforce` does.
import { assertNever, notSupported, type Decision, type Principal } from '../access/principal.js';
import type { User } from '../accounts/store.js';
import type { PackageRecord } from './store.js';
import { tokenAllows } from '../tokens/scopes.js';

export interface PackageFacts {
  pkg: PackageRecord | undefined;
  owners: User[];
  /** Owners of other packages in the same scope; empty when the scope is unclaimed or there is no scope. */
  scopeOwners: User[];
  scope: string | undefined;
}

function isOwner(user: User, owners: User[]): boolean {
  return owners.some((o) => o.id === user.id);
}

export function canPublish(principal: Principal, facts: PackageFacts): Decision {
  switch (principal.kind) {
    case 'anonymous':
      return { ok: false, code: 'Unauthenticated', reason: 'You must be logged in to publish. Run `npm login` first.' };
    case 'user': {
      if (!tokenAllows(principal.token, 'publish'))
        return { ok: false, code: 'TokenReadOnly', reason: 'This token is read-only; publishing needs a token that can write.' };
      if (!principal.user.emailVerified)
        return { ok: false, code: 'EmailUnverified', reason: 'Verify your email address before publishing.' };
      if (facts.pkg) {
        if (isOwner(principal.user, facts.owners)) return { ok: true };
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
      return { ok: true };
    }
    case 'session':
    case 'trusted-publisher':
      return notSupported(principal, 'publish');
    default:
      return assertNever(principal);
  }
}

/** Dist-tags, deprecation and ownership: maintainers, or an administrator. */
export function canManage(principal: Principal, facts: { name: string; owners: User[] }): Decision {
  switch (principal.kind) {
    case 'anonymous':
      return { ok: false, code: 'Unauthenticated', reason: 'You must be logged in to change a package. Run `npm login` first.' };
    case 'user':
      if (!tokenAllows(principal.token, 'manage'))
        return {
          ok: false,
          code: 'TokenReadOnly',
          reason: 'This token is read-only; changing a package needs a token that can write.',
        };
      if (principal.user.isAdmin || isOwner(principal.user, facts.owners)) return { ok: true };
      return { ok: false, code: 'NotMaintainer', reason: `You are not a maintainer of "${facts.name}".` };
    case 'session':
    case 'trusted-publisher':
      return notSupported(principal, 'change a package');
    default:
      return assertNever(principal);
  }
}

/** Unpublish: maintainers within the policy window, administrators always (see docs/unpublish-policy.md). */
export function canUnpublish(principal: Principal, facts: { name: string; owners: User[] }): Decision & { admin?: boolean } {
  const managed = canManage(principal, facts);
  if (!managed.ok) return managed;
  return { ok: true, admin: principal.kind === 'user' && principal.user.isAdmin };
}
