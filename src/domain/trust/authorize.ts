// Who may set up and remove a package's trusted publishers: its maintainers (an administrator
// too); for a package that does not exist yet, whoever could publish it first (a pending
// publisher). Answers for every kind of principal; never throws (`enforce` does).
import { assertNever, notSupported, type Decision, type Principal, type TokenPrincipal } from '../access/principal.js';
import { canManage, canPublish, type PackageFacts } from '../packages/authorize.js';

export function canConfigureTrust(principal: Principal, facts: PackageFacts): Decision<TokenPrincipal> {
  switch (principal.kind) {
    case 'anonymous':
      return { ok: false, code: 'Unauthenticated', reason: 'You must be logged in to set up trusted publishing.' };
    case 'user': {
      if (facts.pkg) return canManage(principal, { name: facts.name, owners: facts.owners });
      const decision = canPublish(principal, facts);
      return decision.ok ? { ok: true, principal } : decision;
    }
    case 'session':
    case 'trusted-publisher':
      return notSupported(principal, 'set up trusted publishing');
    default:
      return assertNever(principal);
  }
}
