// Who may read which audit log. One function, answering for every kind of principal: a package's
// log is its maintainers', an org's its owners' and admins', an account's its own; registry
// administrators read every one. A package the asker may not read is missing, as on every read.
import {
  assertNever,
  notSupported,
  type Decision,
  type Principal,
  type SessionPrincipal,
  type TokenPrincipal,
} from '../access/principal.js';
import type { User } from '../accounts/store.js';
import { packageLimitDenial } from '../tokens/limits.js';
import { orgAllows } from '../orgs/access.js';
import type { OrgRole } from '../orgs/store.js';

/** The facts for one log: what it is about, and the asker's relation to it read from current rows. */
export type AuditFacts =
  | { kind: 'package'; name: string; readable: boolean; maintainer: boolean }
  | { kind: 'org'; org: string; role: OrgRole | undefined }
  /** `account` undefined: another account than the asker's, not looked up for a non-administrator. */
  | { kind: 'account'; account: User | undefined };

type Reader = TokenPrincipal | SessionPrincipal;

export function canReadAuditLog(principal: Principal, facts: AuditFacts): Decision<Reader> {
  switch (principal.kind) {
    case 'anonymous':
      return { ok: false, code: 'Unauthenticated', reason: 'Log in to read an audit log (npm login).' };
    case 'trusted-publisher':
      return notSupported(principal, 'read an audit log');
    case 'user':
    case 'session':
      return readerAllowed(principal, facts);
    default:
      return assertNever(principal);
  }
}

function readerAllowed(principal: Reader, facts: AuditFacts): Decision<Reader> {
  const { user } = principal;
  // A token limited to some packages reads those packages' logs and nothing wider.
  if (principal.kind === 'user' && principal.token.packages !== null) {
    const limited = packageLimitDenial(principal.token, facts.kind === 'package' ? facts.name : undefined);
    if (limited) return limited;
  }
  switch (facts.kind) {
    case 'package':
      if (!facts.readable) return { ok: false, code: 'PackageNotFound', reason: `Package "${facts.name}" was not found.` };
      if (user.isAdmin || facts.maintainer) return { ok: true, principal };
      return { ok: false, code: 'NotMaintainer', reason: `Only maintainers of "${facts.name}" may read its audit log.` };
    case 'org': {
      const denied = orgAllows(user, facts.org, facts.role, 'manage');
      return denied ?? { ok: true, principal };
    }
    case 'account':
      if (user.isAdmin || user.id === facts.account?.id) return { ok: true, principal };
      return {
        ok: false,
        code: 'AuditLogNotYours',
        reason: "Only the account itself or a registry administrator may read an account's audit log.",
      };
    default:
      return assertNever(facts);
  }
}
