// Who may set up and remove a package's trusted publishers: its maintainers (an administrator
// too), through a token (`npm trust`) or signed in on the web page; for a package that does not
// exist yet, whoever could publish it first (a pending publisher). Answers for every kind of
// principal; never throws (`enforce` does).
import {
  assertNever,
  notSupported,
  type Decision,
  type Principal,
  type SessionPrincipal,
  type TokenPrincipal,
} from '../access/principal.js';
import { canManage, canPublish, type PackageFacts } from '../packages/authorize.js';

export function canConfigureTrust(principal: Principal, facts: PackageFacts): Decision<TokenPrincipal | SessionPrincipal> {
  switch (principal.kind) {
    case 'anonymous':
      return { ok: false, code: 'Unauthenticated', reason: 'You must be logged in to set up trusted publishing.' };
    case 'user': {
      if (facts.pkg) return canManage(principal, { name: facts.name, owners: facts.owners });
      const decision = canPublish(principal, facts);
      return decision.ok ? { ok: true, principal } : decision;
    }
    case 'session': {
      // The same rule as a full token of the same account: the web form is CSRF-checked.
      const user = principal.user;
      const maintainer = user.isAdmin || facts.owners.some((o) => o.id === user.id);
      if (facts.pkg && !maintainer)
        return { ok: false, code: 'NotMaintainer', reason: `You are not a maintainer of "${facts.name}".` };
      if (!facts.pkg && !user.emailVerified)
        return { ok: false, code: 'EmailUnverified', reason: 'Verify your email address first.' };
      if (!facts.pkg && facts.scope && facts.scopeOwners.length > 0 && !facts.scopeOwners.some((o) => o.id === user.id)) {
        return { ok: false, code: 'ScopeNotYours', reason: `The scope ${facts.scope} belongs to other maintainers.` };
      }
      return { ok: true, principal };
    }
    case 'trusted-publisher':
      return notSupported(principal, 'set up trusted publishing');
    default:
      return assertNever(principal);
  }
}
