// Who may act on an account: their own (whoami, their tokens, writes that need a signed-in
// user) and looking up others, and who may approve a CLI's web login. One function per decision,
// answering for every kind of principal; never throws (`enforce` does).
import { assertNever, notSupported, type Decision, type Principal, type TokenPrincipal } from '../access/principal.js';

/** Anything done as a signed-in user through a token; read-only tokens included (they read, and revoke themselves). */
export function canActAsUser(principal: Principal, action: string): Decision<TokenPrincipal> {
  switch (principal.kind) {
    case 'anonymous':
      return { ok: false, code: 'Unauthenticated', reason: `You must be logged in to ${action}. Run \`npm login\` first.` };
    case 'user':
      return { ok: true, principal };
    case 'session':
    case 'trusted-publisher':
      return notSupported(principal, action);
    default:
      return assertNever(principal);
  }
}

/**
 * Approving a CLI's web login on its sign-in page. The password typed there proves who signs in,
 * so the page's own caller may be anyone; a web session (which would approve without a password)
 * and a CI identity (which is no person) are not supported yet.
 */
export function canApproveWebLogin(principal: Principal): Decision {
  switch (principal.kind) {
    case 'anonymous':
    case 'user':
      return { ok: true, principal };
    case 'session':
    case 'trusted-publisher':
      return notSupported(principal, 'approve a login');
    default:
      return assertNever(principal);
  }
}
