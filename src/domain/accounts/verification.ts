// Email verification: opening the mailed link proves the account's owner reads that address.
// A link is refused, changing nothing, when forged, used, expired, for another signed-in
// account, or for an address the account no longer has. The link's secret is derived, never
// stored (domain/mail/links.ts); the request it names is recorded by the outbox worker.
import type { Store } from '../store.js';
import type { RequestContext } from '../access/context.js';
import { assertNever, enforce } from '../access/principal.js';
import { canActAsUser } from './authorize.js';
import { userActor } from '../access/actor.js';
import { fail } from '../errors.js';
import { dateOf, type Clock } from '../clock.js';
import type { AccountService } from './service.js';
import type { User } from './store.js';
import { LINK_KEY_NAME, newLinkKey, newRequestId, requestOfSecret } from '../mail/links.js';

export interface VerificationDeps {
  store: Store;
  clock: Clock;
  /** The resend page proves the account with its password. */
  accounts: AccountService;
}

export class EmailVerificationService {
  constructor(private readonly deps: VerificationDeps) {}

  /** Verifies the address the link was sent to; returns the account's name and the address. */
  async verify(context: RequestContext, secret: string): Promise<{ name: string; email: string }> {
    const { store } = this.deps;
    const key = await store.mail.key(LINK_KEY_NAME, newLinkKey);
    const request = requestOfSecret(key, 'email-verification', secret);
    const found = request === undefined ? undefined : await store.verifications.byRequest(request);
    if (!request || !found) fail('VerificationLinkInvalid', 'This verification link is not valid. Ask for a new one.');
    const asker = signedInUserId(context);
    if (asker !== undefined && asker !== found.userId) {
      fail(
        'VerificationLinkWrongAccount',
        'This link verifies another account: sign out, or open it where that account is used.',
      );
    }
    if (found.verifiedAt) fail('VerificationLinkUsed', 'This link was used already; the address it verified stays verified.');
    const now = dateOf(this.deps.clock);
    if (now.getTime() >= Date.parse(found.expiresAt)) {
      fail('VerificationLinkExpired', 'This verification link has expired. Ask for a new one.');
    }
    const user = await store.users.byId(found.userId);
    if (!user || user.email !== found.email) {
      fail('VerificationLinkWrongAccount', 'This link is for an address the account no longer uses. Ask for a new one.');
    }
    // An older link for an address a newer one verified: nothing left to do, and nothing recorded.
    if (user.emailVerified) fail('EmailAlreadyVerified', `${user.email} is verified already.`);
    await store.transaction(async (tx) => {
      // Two clicks at once: only one marks the request used, the other changes nothing.
      if (!(await tx.verifications.markVerified(request, now.toISOString()))) {
        fail('VerificationLinkUsed', 'This link was used already; the address it verified stays verified.');
      }
      await tx.events.append({
        type: 'email.verified',
        actor: userActor(user),
        data: { email: user.email },
        createdAt: now.toISOString(),
      });
    });
    return { name: user.name, email: user.email };
  }

  /** Sends the signed-in account a new link for its current address; older links keep working until they expire. */
  async resend(context: RequestContext): Promise<{ email: string }> {
    const { user } = enforce(canActAsUser(context.principal, 'ask for a verification mail'));
    return this.resendTo(user);
  }

  /** The resend page, which has no session to go by: the password proves the account. */
  async resendByPassword(name: string, password: unknown, context: RequestContext): Promise<{ email: string }> {
    return this.resendTo(await this.deps.accounts.checkPassword(name, password, context));
  }

  private async resendTo(user: User): Promise<{ email: string }> {
    const current = await this.deps.store.users.byId(user.id);
    if (!current) fail('UserNotFound', 'The account is gone.');
    if (current.emailVerified) fail('EmailAlreadyVerified', `${current.email} is verified already.`);
    await this.deps.store.events.append({
      type: 'email.verification_requested',
      actor: userActor(current),
      data: { email: current.email, request: newRequestId() },
      createdAt: dateOf(this.deps.clock).toISOString(),
    });
    return { email: current.email };
  }
}

/** The account behind the request, if any: a link opened while signed in must be that account's. */
export function signedInUserId(context: RequestContext): number | undefined {
  const { principal } = context;
  switch (principal.kind) {
    case 'user':
    case 'session':
      return principal.user.id;
    case 'anonymous':
    case 'trusted-publisher':
      return undefined;
    default:
      return assertNever(principal);
  }
}
