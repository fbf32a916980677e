// Read-only after a risky recovery step. An address change, the use of a recovery code or an
// administrator's recovery is what a takeover looks like too, so for a while afterwards the
// account cannot publish, create tokens, change owners, dist-tags, deprecations or second
// factors: the real owner, alerted at the address the account had, has time to react before
// anything is shipped in their name. Applies to maintainers of critical packages, or to everyone
// when configured. Reads stay open; the lock is lifted by time only.
import type { Repositories, Store } from '../store.js';
import type { User } from './store.js';
import type { Clock } from '../clock.js';
import { userActor } from '../access/actor.js';
import { fail } from '../errors.js';
import type { AccountRestriction, RestrictionReason } from './recovery-store.js';

/** What a restricted account is refused. */
export type RestrictedAction = 'publish' | 'tokens' | 'owners' | 'dist-tags' | 'deprecate' | 'unpublish' | 'mfa';

export interface RestrictionPolicy {
  /** How long the lock lasts (restrictedHours). */
  hours: number;
  /** `critical-maintainers` (default) or `everyone` (restrictedAccounts). */
  scope: 'critical-maintainers' | 'everyone';
}

const HOUR_MS = 60 * 60 * 1000;

const WHAT: Record<RestrictedAction, string> = {
  publish: 'publish',
  tokens: 'create tokens',
  owners: 'change owners',
  'dist-tags': 'change dist-tags',
  deprecate: 'deprecate versions',
  unpublish: 'unpublish',
  mfa: 'change two-factor authentication',
};

const WHY: Record<RestrictionReason, string> = {
  'email-change': 'its email address was changed',
  'recovery-code': 'a recovery code was used',
  'admin-recovery': 'the administrators recovered it',
};

export class AccountRestrictions {
  constructor(private readonly deps: { store: Store; clock: Clock; policy: RestrictionPolicy }) {}

  /**
   * Inside the risky step's transaction: locks the account if the policy covers it, with the
   * `account.restricted` event (mailed after the step's own events, so an address change's lock
   * reaches the address it changed from). Returns when the lock lifts, or undefined.
   */
  async restrictIn(tx: Repositories, user: Pick<User, 'id'>, reason: RestrictionReason, at: string): Promise<string | undefined> {
    const { policy } = this.deps;
    if (policy.hours <= 0) return undefined;
    if (policy.scope !== 'everyone' && !(await tx.critical.ownsCritical(user.id))) return undefined;
    const until = new Date(Date.parse(at) + policy.hours * HOUR_MS).toISOString();
    await tx.recovery.restrict({ userId: user.id, reason, until }, at);
    await tx.events.append({ type: 'account.restricted', actor: userActor(user), data: { reason, until }, createdAt: at });
    return until;
  }

  /** The lock in force now, if any. */
  async current(userId: number): Promise<AccountRestriction | undefined> {
    const found = await this.deps.store.recovery.restriction(userId);
    return found && Date.parse(found.until) > this.deps.clock.now() ? found : undefined;
  }

  /** Refuses `action` with AccountRestricted while the account is locked. */
  async check(user: Pick<User, 'id'>, action: RestrictedAction): Promise<void> {
    const found = await this.current(user.id);
    if (!found) return;
    fail(
      'AccountRestricted',
      `This account is read-only until ${found.until} because ${WHY[found.reason]}, so it cannot ${WHAT[action]}. ` +
        'If that was not you, contact the registry administrators now.',
    );
  }
}
