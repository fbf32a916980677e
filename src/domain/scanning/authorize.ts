// Who may see scan results and review quarantined versions. Administrators review and switch
// rules; a package's owners see its findings and download its held versions. A token is enough to
// read; reviewing changes what everyone installs, so it needs a token that may write.
import { assertNever, type Principal, type TokenPrincipal } from '../access/principal.js';
import { fail } from '../errors.js';
import { tokenAllows } from '../tokens/scopes.js';

/** The quarantine queue, its review and the rule switches: administrators with a writing token. */
export function assertAdministrator(principal: Principal, action: string): TokenPrincipal {
  switch (principal.kind) {
    case 'anonymous':
      return fail('Unauthenticated', `You must be logged in as an administrator to ${action}. Run \`npm login\` first.`);
    case 'user':
      if (!principal.user.isAdmin) return fail('NotAdministrator', `Only registry administrators may ${action}.`);
      if (!tokenAllows(principal.token, 'manage'))
        return fail('TokenReadOnly', `This token is read-only; to ${action} use a token that can write.`);
      return principal;
    case 'session':
    case 'trusted-publisher':
      return fail('PrincipalNotSupported', `Use an administrator's API token to ${action}.`);
    default:
      return assertNever(principal);
  }
}

export { seesHeld } from '../packages/held.js';
