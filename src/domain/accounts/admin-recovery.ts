// Admin-assisted recovery (`gatehouse user recover`), for an owner who lost both the address and
// the second factor, or whose account was taken over. The administrator names the identity checks
// they made (recorded in `account.recovered`, never free of them); the account gets the new
// address (unverified: it is verified by its link, then the owner resets the password by email),
// every token is revoked, and the second factor is removed only when asked explicitly, with its
// own `mfa.disabled` event: recovery never disables MFA silently. The account may go read-only
// as after any risky recovery step (restrictions.ts). One transaction.
import type { Store } from '../store.js';
import type { User } from './store.js';
import type { AccountRestrictions } from './restrictions.js';
import { newAddress, setAddressIn } from './email-change.js';
import { revokeEveryToken } from './recovery.js';
import { userActor } from '../access/actor.js';
import { fail } from '../errors.js';
import { dateOf, type Clock } from '../clock.js';

export interface AdminRecoveryInput {
  email: unknown;
  /** The identity checks made, e.g. `id-document`, `signed-commit`; at least one. */
  checks: unknown;
  /** Remove the account's second factor (and its recovery codes). */
  resetMfa: boolean;
}

export interface AdminRecoveryResult {
  user: User;
  mfaRemoved: boolean;
  tokensRevoked: number;
  /** When the read-only lock lifts, if the policy put one. */
  restrictedUntil: string | undefined;
}

const CHECK = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export class AdminRecovery {
  constructor(private readonly deps: { store: Store; clock: Clock; restrictions: AccountRestrictions }) {}

  async recover(name: string, input: AdminRecoveryInput): Promise<AdminRecoveryResult> {
    const checks = parseChecks(input.checks);
    const email = newAddress(input.email);
    const { store } = this.deps;
    const user = await store.users.byName(name);
    if (!user) fail('UserNotFound', `There is no user named "${name}".`);
    const at = dateOf(this.deps.clock).toISOString();
    const actor = userActor(user);
    return store.transaction(async (tx) => {
      if (email.toLowerCase() !== user.email.toLowerCase()) await setAddressIn(tx, user, email, at);
      const enrolment = await tx.mfa.totp(user.id);
      const mfaRemoved = input.resetMfa && enrolment !== undefined;
      if (mfaRemoved) {
        await tx.mfa.removeTotp(user.id);
        // A pending set-up was never a second factor: nothing to announce for it.
        if (enrolment.confirmedAt !== null)
          await tx.events.append({ type: 'mfa.disabled', actor, data: { method: 'totp' }, createdAt: at });
      }
      const tokensRevoked = await revokeEveryToken(tx, user, at);
      // The actor is the recovered account (data.by says who did it): its mail goes to that account.
      await tx.events.append({ type: 'account.recovered', actor, data: { by: 'admin', checks }, createdAt: at });
      const restrictedUntil = await this.deps.restrictions.restrictIn(tx, user, 'admin-recovery', at);
      const now = (await tx.users.byId(user.id)) ?? user;
      return { user: now, mfaRemoved, tokensRevoked, restrictedUntil };
    });
  }
}

/** "id-document, signed-commit" or a list: each a short lower-case name; at least one. */
export function parseChecks(raw: unknown): string[] {
  const items = typeof raw === 'string' ? raw.split(',') : Array.isArray(raw) ? raw : [];
  const checks = [...new Set(items.map((c) => (typeof c === 'string' ? c.trim().toLowerCase() : '')).filter((c) => c !== ''))];
  if (checks.length === 0) {
    fail('RecoveryChecksMissing', 'Name the identity checks you made, e.g. --checks "id-document,signed-commit".');
  }
  const bad = checks.find((c) => !CHECK.test(c));
  if (bad !== undefined) fail('BadRequest', `"${bad}" is not a check name: use lower-case letters, digits, ".", "_" or "-".`);
  return checks;
}
