// Who may act on an account: their own (whoami, their tokens, writes that need a signed-in
// user) and looking up others, and who may approve a CLI's web login. One function per decision,
// answering for every kind of principal; never throws (`enforce` does).
import {
  assertNever,
  notSupported,
  type Decision,
  type Denial,
  type Principal,
  type SessionPrincipal,
  type TokenPrincipal,
} from '../access/principal.js';

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

/** Anything a signed-in person does through a token (the API) or a web session (a page's download, an audit log). */
export function canActSignedIn(principal: Principal, action: string): Decision<TokenPrincipal | SessionPrincipal> {
  switch (principal.kind) {
    case 'anonymous':
      return { ok: false, code: 'Unauthenticated', reason: `You must be logged in to ${action}. Run \`npm login\` first.` };
    case 'user':
    case 'session':
      return { ok: true, principal };
    case 'trusted-publisher':
      return notSupported(principal, action);
    default:
      return assertNever(principal);
  }
}

/**
 * The web UI's own account pages and forms (the account page, revoking sessions and tokens,
 * signing out): only a signed-in browser. An API token never drives them, so a leaked read-only
 * token cannot end sessions or revoke other tokens.
 */
export function canUseWebAccount(principal: Principal, action: string): Decision<SessionPrincipal> {
  switch (principal.kind) {
    case 'anonymous':
      return { ok: false, code: 'Unauthenticated', reason: `Sign in at /login to ${action}.` };
    case 'session':
      return { ok: true, principal };
    case 'user':
      return tokenOnWebPage(action);
    case 'trusted-publisher':
      return notSupported(principal, action);
    default:
      return assertNever(principal);
  }
}

/**
 * Approving a CLI's web login on its sign-in page: a person signed in on the web (with a password
 * just now, or a session they already had), who then presses Approve. A token cannot approve: it
 * would let any token, even a read-only one, mint a full one.
 */
export function canApproveWebLogin(principal: Principal): Decision<SessionPrincipal> {
  switch (principal.kind) {
    case 'anonymous':
      return { ok: false, code: 'Unauthenticated', reason: 'Sign in on this page first, then approve the login.' };
    case 'session':
      return { ok: true, principal };
    case 'user':
      return tokenOnWebPage('approve a login');
    case 'trusted-publisher':
      return notSupported(principal, 'approve a login');
    default:
      return assertNever(principal);
  }
}

function tokenOnWebPage(action: string): Denial {
  return { ok: false, code: 'PrincipalNotSupported', reason: `An API token cannot ${action}; sign in on the web instead.` };
}
