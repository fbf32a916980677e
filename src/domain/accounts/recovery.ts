// Password reset by email (docs/account-recovery.md). Asking never says whether an account
// exists: the answer is the same for any name or address, and a mail goes out only when the
// account's address is verified, its domain is live right now and email recovery is not blocked
// (a lapsed domain's new registrant must not receive it). The link carries the event's request id
// and an HMAC of it (domain/mail/links.ts); nothing stored can be replayed as a link. Opening and
// posting the link goes through the guess guard (`reset-token`); success changes the password,
// spends the link and revokes every token the account has, in one transaction.
import type { Repositories, Store } from '../store.js';
import type { User } from './store.js';
import type { RequestContext } from '../access/context.js';
import type { GuessAttempt, GuessGuard } from '../access/guess-guard.js';
import type { SecondFactor } from '../access/second-factor.js';
import type { PasswordScreen } from './password-screen.js';
import type { EmailDomains } from './email-domains.js';
import type { AccountService } from './service.js';
import type { PasswordReset } from './recovery-store.js';
import { MIN_PASSWORD } from './service.js';
import { parsePassword, parseUsername } from './names.js';
import { signedInUserId } from './verification.js';
import { userActor } from '../access/actor.js';
import { originOf } from '../events/origin.js';
import { revokeInTransaction } from '../tokens/service.js';
import { fail, isGatehouseError } from '../errors.js';
import { dateOf, type Clock } from '../clock.js';
import { LINK_KEY_NAME, newLinkKey, newRequestId, requestOfSecret } from '../mail/links.js';

export interface PasswordRecoveryDeps {
  store: Store;
  clock: Clock;
  accounts: AccountService;
  guard: GuessGuard;
  screen: PasswordScreen;
  emailDomains: Pick<EmailDomains, 'isLive' | 'recoveryDisabled'>;
  secondFactor: SecondFactor;
  /** How long a reset link works (passwordResetMinutes). */
  linkMinutes: number;
  /** Ends every web session of the account in the reset's transaction (domain/sessions). */
  endSessions?: (tx: Repositories, user: User) => Promise<unknown>;
  /** Told when a request's background work fails; never given a login, an address or a link. */
  warn: (message: string) => void;
}

/** What the form for a valid link needs to show. */
export interface ResetLinkView {
  name: string;
  /** The account has a second factor: the form asks for a code too. */
  needsCode: boolean;
}

const INVALID = 'This password reset link is not valid. Ask for a new one.';
/** One reset mail per account per minute at most: asking is anonymous, and must not flood a mailbox. */
export const RESET_MAIL_SPACING_MS = 60_000;

export class PasswordRecovery {
  constructor(private readonly deps: PasswordRecoveryDeps) {}

  private readonly inFlight = new Set<Promise<void>>();

  /**
   * attacker-controlled: `login` is a username or an address. Only a malformed request is refused;
   * otherwise this returns before anything is looked up, so neither the answer nor its timing
   * says whether an account exists or was mailed (the DNS check of a real address takes time).
   */
  async request(login: unknown): Promise<void> {
    if (typeof login !== 'string' || login.trim() === '' || login.length > 254) {
      fail('BadRequest', 'Give your username or the email address of your account.');
    }
    const work = this.mailLink(login.trim()).catch((err: unknown) =>
      // Names the failure only: never the login, the address or a link.
      this.deps.warn(`gatehouse: password reset request failed: ${err instanceof Error ? err.name : typeof err}`),
    );
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  /** Resolves when every request taken so far has mailed its link or decided not to (tests, close). */
  async settled(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  private async mailLink(login: string): Promise<void> {
    const user = await this.accountOf(login);
    if (!user) return;
    const now = dateOf(this.deps.clock);
    const latest = await this.deps.store.recovery.latestReset(user.id);
    if (latest !== undefined && now.getTime() - Date.parse(latest) < RESET_MAIL_SPACING_MS) return;
    if (!(await this.mayMail(user))) return;
    const createdAt = now.toISOString();
    const request = newRequestId();
    await this.deps.store.transaction(async (tx) => {
      await tx.recovery.insertReset({
        request,
        userId: user.id,
        email: user.email,
        createdAt,
        expiresAt: new Date(now.getTime() + this.deps.linkMinutes * 60_000).toISOString(),
      });
      await tx.events.append({
        type: 'password.reset_requested',
        actor: userActor(user),
        data: { email: user.email, request },
        createdAt,
      });
    });
  }

  /** The page for a mailed link: refuses it as `reset` would, before any password is typed. */
  async open(context: RequestContext, secret: string): Promise<ResetLinkView> {
    const { user } = await this.guarded(context, secret);
    return { name: user.name, needsCode: await this.deps.secondFactor.required(user, 'auth') };
  }

  /**
   * The form's post: a new password (the sign-up rules and the breach screen) and, for an account
   * with a second factor, its code or a recovery code. Returns the account's name.
   */
  async reset(context: RequestContext, secret: string, rawPassword: unknown, code: unknown): Promise<{ name: string }> {
    const { user, found } = await this.guarded(context, secret);
    const password = parsePassword(rawPassword);
    if (password.length === 0) fail('PasswordEmpty', 'Choose a password.');
    if (password.length < MIN_PASSWORD) fail('PasswordTooShort', `A password needs at least ${MIN_PASSWORD} characters.`);
    if (await this.deps.screen.isLeaked(password)) {
      fail('PasswordLeaked', 'This password appears in known data breaches; choose another one.');
    }
    // Recovery never skips the second factor: a lost one is recovered with a recovery code.
    if (await this.deps.secondFactor.required(user, 'auth')) {
      await this.deps.secondFactor.verify(user, context, typeof code === 'string' && code.trim() !== '' ? code : undefined);
    }
    await this.deps.accounts.setPassword(user, password, {
      via: 'reset',
      origin: originOf(context),
      also: async (tx, at) => {
        // Two posts of one link at once: only one spends it, the other changes nothing.
        if (!(await tx.recovery.useReset(found.request, at))) fail('ResetLinkUsed', 'This link was used already.');
        await revokeEveryToken(tx, user, at);
        // Whoever knew the old password may be signed in in a browser too.
        await this.deps.endSessions?.(tx, user);
      },
    });
    return { name: user.name };
  }

  /**
   * Checks the link through the guard: a forged or unknown link counts as a wrong guess (for the
   * client's address; the "account" counted is the link's request id, so no account is locked by
   * strangers). A genuine link that is used, expired or for another account is no guess.
   */
  private async guarded(context: RequestContext, secret: string): Promise<{ user: User; found: PasswordReset }> {
    const { store, guard } = this.deps;
    const attempt: GuessAttempt = {
      secret: 'reset-token',
      account: `reset:${String(secret).slice(0, 32)}`,
      clientIp: context.clientIp,
    };
    await guard.before(attempt);
    const key = await store.mail.key(LINK_KEY_NAME, newLinkKey);
    const request = requestOfSecret(key, 'password-reset', secret);
    const found = request === undefined ? undefined : await store.recovery.resetByRequest(request);
    if (!found) {
      await guard.failed(attempt);
      fail('ResetLinkInvalid', INVALID);
    }
    await guard.succeeded(attempt);
    const asker = signedInUserId(context);
    if (asker !== undefined && asker !== found.userId) {
      fail('ResetLinkWrongAccount', 'This link resets another account: sign out, or open it where that account is used.');
    }
    if (found.usedAt) fail('ResetLinkUsed', 'This link was used already. Ask for a new one if you still need it.');
    if (this.deps.clock.now() >= Date.parse(found.expiresAt)) {
      fail('ResetLinkExpired', 'This password reset link has expired. Ask for a new one.');
    }
    const user = await store.users.byId(found.userId);
    if (!user || user.email !== found.email || !user.emailVerified) {
      fail('ResetLinkWrongAccount', 'This link was sent to an address the account no longer uses. Ask for a new one.');
    }
    return { user, found };
  }

  private async accountOf(login: string): Promise<User | undefined> {
    if (login.includes('@')) return this.deps.store.recovery.userByEmail(login);
    try {
      return await this.deps.store.users.byName(parseUsername(login.toLowerCase()));
    } catch (err) {
      if (isGatehouseError(err)) return undefined;
      throw err;
    }
  }

  /** Verified, not blocked for a dead domain, and the domain has a mail host right now. */
  private async mayMail(user: User): Promise<boolean> {
    if (!user.emailVerified) return false;
    if (await this.deps.emailDomains.recoveryDisabled(user)) return false;
    return this.deps.emailDomains.isLive(user.email);
  }
}

/** Every token the account has stops working (login and automation alike), each with its event. */
export async function revokeEveryToken(tx: Repositories, user: Pick<User, 'id'>, at: string): Promise<number> {
  const live = (await tx.tokens.forUser(user.id)).filter((token) => token.revokedAt === null);
  for (const token of live) await revokeInTransaction(tx, user, token, at);
  return live.length;
}
