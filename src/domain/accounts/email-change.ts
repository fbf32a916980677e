// Changing an account's email address (npm's profile API, and admin-assisted recovery). The new
// address starts unverified and gets a verification link (the outbox records it from the event);
// both addresses hear of the change; a dead-domain block on recovery lifts, since the owner now
// names an address they read. An address change is also a takeover's first step, so it can put
// the account read-only for a while (restrictions.ts). One transaction for all of it.
import type { Repositories, Store } from '../store.js';
import type { User } from './store.js';
import type { RequestContext } from '../access/context.js';
import type { SecondFactor } from '../access/second-factor.js';
import type { AccountRestrictions } from './restrictions.js';
import { parseEmail } from './names.js';
import { userActor } from '../access/actor.js';
import { fail, isGatehouseError } from '../errors.js';
import { dateOf, type Clock } from '../clock.js';
import { newRequestId } from '../mail/links.js';
import { originOf, type RequestOrigin } from '../events/origin.js';

export interface EmailChangeDeps {
  store: Store;
  clock: Clock;
  checkPassword: (user: User, password: unknown, context: RequestContext) => Promise<void>;
  secondFactor: SecondFactor;
  restrictions: AccountRestrictions;
}

export class EmailChange {
  constructor(private readonly deps: EmailChangeDeps) {}

  /**
   * The account's own change: the current password, then (with a second factor) a code. The
   * same address, in any case, changes nothing. Returns the account as it is now.
   */
  async change(user: User, context: RequestContext, rawEmail: unknown, password: unknown): Promise<User> {
    const email = newAddress(rawEmail);
    if (email.toLowerCase() === user.email.toLowerCase()) return user;
    if (typeof password !== 'string' || password === '') {
      fail(
        'PasswordRequired',
        'Changing the email address needs your current password: send it as "password" with the new "email".',
      );
    }
    await this.deps.checkPassword(user, password, context);
    if (await this.deps.secondFactor.required(user, 'auth')) await this.deps.secondFactor.verify(user, context);
    return this.apply(user, email, originOf(context));
  }

  /** Sets `email` (parsed already) with its events and the read-only lock, in one transaction. */
  async apply(user: User, email: string, origin?: RequestOrigin): Promise<User> {
    const at = dateOf(this.deps.clock).toISOString();
    const changed = await this.deps.store.transaction(async (tx) => {
      await setAddressIn(tx, user, email, at, origin);
      // After email.changed: the lock's mail goes to the address the account changed from.
      await this.deps.restrictions.restrictIn(tx, user, 'email-change', at);
      return tx.users.byId(user.id);
    });
    return changed ?? user;
  }
}

/**
 * Inside a transaction: the new unverified address, `email.changed` (mailed to both addresses)
 * and a verification link for the new one; the abandoned-domain block goes with the old address.
 */
export async function setAddressIn(
  tx: Repositories,
  user: User,
  email: string,
  at: string,
  origin?: RequestOrigin,
): Promise<void> {
  const actor = userActor(user);
  await tx.verifications.lockEmail(email);
  const holder = await tx.recovery.userByEmail(email);
  if (holder && holder.id !== user.id) fail('EmailInUse', 'Another account uses this email address; choose another one.');
  await tx.recovery.setEmail(user.id, email);
  // What EmailDomains.liftBlock does, in this transaction: the block never outlives the old address.
  await tx.emailDomains.liftRecoveryBlock(user.id);
  await tx.events.append({ type: 'email.changed', actor, data: { from: user.email, to: email, ...origin }, createdAt: at });
  await tx.events.append({
    type: 'email.verification_requested',
    actor,
    data: { email, request: newRequestId() },
    createdAt: at,
  });
}

/** attacker-controlled: an address for the account, refused with InvalidEmail. */
export function newAddress(raw: unknown): string {
  try {
    return parseEmail(typeof raw === 'string' ? raw.trim() : raw);
  } catch (err) {
    if (isGatehouseError(err)) fail('InvalidEmail', err.message);
    throw err;
  }
}
