// Who may read which audit log. A package's log is its maintainers', an org's its owners' and
// admins', an account's its own; registry administrators read every one. A package the asker may
// not read is missing, as on every read, and is said to be missing before any other refusal.
import { assertNever, type Decision, type Denial, type Principal } from '../access/principal.js';
import type { User } from '../accounts/store.js';
import { canActSignedIn } from '../accounts/authorize.js';
import { packageLimitDenial } from '../tokens/limits.js';
import { orgAllows } from '../orgs/access.js';
import type { OrgRole } from '../orgs/store.js';

/** The facts for one log: what it is about, and the asker's relation to it read from current rows. */
export type AuditFacts =
  | { kind: 'package'; name: string; readable: boolean; maintainer: boolean }
  | { kind: 'org'; org: string; role: OrgRole | undefined }
  /** `account` undefined: another account than the asker's, not looked up for a non-administrator. */
  | { kind: 'account'; account: User | undefined };

/** A signed-in person, through a token (the API) or a web session (the account page's download). */
export type AuditReader = Extract<ReturnType<typeof canActSignedIn>, { ok: true }>['principal'];

/** Who may ask for any audit log at all: checked before anything is looked up. */
export function auditReader(principal: Principal): Decision<AuditReader> {
  return canActSignedIn(principal, 'read an audit log');
}

/** A token limited to some packages reads those packages' logs and nothing wider. */
function tokenLimit(reader: AuditReader, name: string | undefined): Denial | undefined {
  return reader.kind === 'user' && reader.token.packages !== null ? packageLimitDenial(reader.token, name) : undefined;
}

export function canReadAuditLog(reader: AuditReader, facts: AuditFacts): Decision<AuditReader> {
  const { user } = reader;
  const allowed = { ok: true, principal: reader } as const;
  switch (facts.kind) {
    case 'package': {
      if (!facts.readable) return { ok: false, code: 'PackageNotFound', reason: `Package "${facts.name}" was not found.` };
      const limited = tokenLimit(reader, facts.name);
      if (limited) return limited;
      if (user.isAdmin || facts.maintainer) return allowed;
      return { ok: false, code: 'NotMaintainer', reason: `Only maintainers of "${facts.name}" may read its audit log.` };
    }
    case 'org':
      return tokenLimit(reader, undefined) ?? orgAllows(user, facts.org, facts.role, 'manage') ?? allowed;
    case 'account': {
      const limited = tokenLimit(reader, undefined);
      if (limited) return limited;
      if (user.isAdmin || user.id === facts.account?.id) return allowed;
      return {
        ok: false,
        code: 'AuditLogNotYours',
        reason: "Only the account itself or a registry administrator may read an account's audit log.",
      };
    }
    default:
      return assertNever(facts);
  }
}
