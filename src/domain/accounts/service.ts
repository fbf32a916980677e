// Accounts: creating users, checking passwords (the legacy CouchDB login PUT), and what one user
// may see of another. Every change writes its event in the same transaction; every password goes
// through the size check and the process-wide hashing bound before scrypt sees it.
import type { Repositories, Store } from '../store.js';
import type { User } from './store.js';
import type { TokenService } from '../tokens/service.js';
import { enforce } from '../access/principal.js';
import type { RequestContext } from '../access/context.js';
import { canActAsUser } from './authorize.js';
import { fail } from '../errors.js';
import { DUMMY_HASH, hashPassword, verifyPassword } from './passwords.js';
import { parseEmail, parsePassword, parseUsername } from './names.js';
import type { PasswordGate } from './password-gate.js';
import { NO_PASSWORD_SCREEN, type PasswordScreen } from './password-screen.js';
import type { EmailDomains } from './email-domains.js';
import { dateOf, systemClock, type Clock } from '../clock.js';
import { SYSTEM_ACTOR, userActor } from '../access/actor.js';
import { NO_GUESS_GUARD, type GuessAttempt, type GuessGuard } from '../access/guess-guard.js';
import { originOf, type RequestOrigin } from '../events/origin.js';

/** Shortest password a new account may have (sign-up refuses shorter ones with PasswordTooShort). */
export const MIN_PASSWORD = 10;

/**
 * What a correct password also tells the sign-in (the web page shows it; the legacy npm login
 * sends `signInNotice` as an `npm-notice` header, which npm prints). Documented in
 * docs/leaked-passwords.md and docs/email-domains.md.
 */
export interface SignInNotices {
  /** The password is in a breach corpus: sign in only to a page that makes them change it. */
  mustChangePassword: boolean;
  /** The address's domain was found dead: reset by email is off until the address changes or is verified again. */
  emailRecoveryDisabled: boolean;
}

/** One line for a terminal (ASCII: it travels as a header), or undefined when there is nothing to say. */
export function signInNotice(notices: Partial<SignInNotices>): string | undefined {
  const lines: string[] = [];
  if (notices.mustChangePassword)
    lines.push('Your password appears in a known data breach. Change it now on the account page of the registry website.');
  if (notices.emailRecoveryDisabled)
    lines.push(
      "Your email address's domain no longer receives mail, so account recovery by email is off. Change your email address.",
    );
  return lines.length > 0 ? lines.join(' ') : undefined;
}

/** A user as the user lookup shows it: `npm owner add` needs `name` and a non-empty `email`. */
export interface UserView {
  _id: string;
  name: string;
  email: string;
}

export interface AccountDeps {
  store: Store;
  tokens: TokenService;
  gate: PasswordGate;
  clock?: Clock;
  /** Leaked-password screen; none refuses nothing. */
  screen?: PasswordScreen;
  /** Abandoned-domain state for the sign-in notice; without it nothing is reported. */
  emailDomains?: EmailDomains;
  /** Counts password guesses per account and address; lets all through when absent. */
  guard?: GuessGuard;
}

export class AccountService {
  private readonly store: Store;
  private readonly tokens: TokenService;
  private readonly gate: PasswordGate;
  private readonly screen: PasswordScreen;
  private readonly emailDomains: EmailDomains | undefined;
  private readonly guard: GuessGuard;
  private readonly now: () => Date;

  constructor(deps: AccountDeps) {
    this.store = deps.store;
    this.tokens = deps.tokens;
    this.gate = deps.gate;
    this.screen = deps.screen ?? NO_PASSWORD_SCREEN;
    this.emailDomains = deps.emailDomains;
    this.guard = deps.guard ?? NO_GUESS_GUARD;
    const clock = deps.clock ?? systemClock;
    this.now = () => dateOf(clock);
  }

  /** The bootstrap path (`gatehouse user create`): an administrator vouches for the email. */
  async createUser(input: { name: string; email: string; password: string; isAdmin: boolean; actorId?: number }) {
    const name = parseUsername(input.name);
    const email = parseEmail(input.email);
    const password = parsePassword(input.password);
    if (password.length < MIN_PASSWORD) fail('BadRequest', `A password needs at least ${MIN_PASSWORD} characters.`);
    if (await this.screen.isLeaked(password)) {
      fail('PasswordLeaked', 'This password appears in a known data breach, so attackers try it first. Choose another.');
    }
    const passwordHash = await this.gate.run(() => hashPassword(password));
    const createdAt = this.now().toISOString();
    return this.store.transaction(async (tx) => {
      const user = await tx.users.insert({ name, email, emailVerified: true, passwordHash, isAdmin: input.isAdmin, createdAt });
      if (!user) fail('UserExists', `The username "${name}" is taken.`);
      await tx.events.append({
        type: 'user.created',
        actor: input.actorId === undefined ? SYSTEM_ACTOR : userActor({ id: input.actorId }),
        data: { user: name, admin: input.isAdmin, via: 'admin' },
        createdAt,
      });
      return user;
    });
  }

  /**
   * Checks a password; the same answer and about the same time for an unknown user as a wrong
   * password. The guard counts the guess (the name as typed, the client's address) before the
   * account is even looked up, so its refusal costs the same for every name; and inside the
   * gate, so a check the gate turns away (PasswordChecksBusy) was never a guess. A correct
   * password is then screened (never a wrong one: no breach lookup for a guess), and the result
   * carries the notices the sign-in must show.
   */
  async checkPassword(
    name: string,
    rawPassword: unknown,
    context: Pick<RequestContext, 'clientIp'>,
  ): Promise<User & SignInNotices> {
    const password = parsePassword(rawPassword);
    const attempt: GuessAttempt = { secret: 'password', account: name, clientIp: context.clientIp };
    const { user, stored, ok } = await this.gate.run(async () => {
      await this.guard.before(attempt);
      const user = await this.store.users.byName(name);
      const stored = user ? await this.store.users.passwordHash(user.id) : undefined;
      return { user, stored, ok: await verifyPassword(password, stored ?? (await DUMMY_HASH)) };
    });
    if (!user || !stored || !ok) {
      await this.guard.failed(attempt);
      fail('BadCredentials', 'Incorrect username or password.');
    }
    await this.guard.succeeded(attempt);
    const [mustChangePassword, block] = await Promise.all([
      this.screen.isLeaked(password),
      this.emailDomains?.recoveryDisabled(user),
    ]);
    return { ...user, mustChangePassword, emailRecoveryDisabled: block !== undefined };
  }

  /**
   * npm login --auth-type=legacy: the password buys a session token. `secondStep` runs between
   * the password and the token (the one-time password of an account with a second factor). A
   * correct password the screen flags is refused with PasswordChangeRequired and writes nothing.
   */
  async loginWithPassword(
    name: string,
    password: unknown,
    context: Pick<RequestContext, 'clientIp'> & Partial<Pick<RequestContext, 'userAgent'>>,
    secondStep?: (user: User) => Promise<void>,
  ): Promise<{ user: User & SignInNotices; token: string }> {
    const user = await this.checkPassword(name, password, context);
    await secondStep?.(user);
    // After the second factor, so the refusal tells nobody without it that the password is right.
    // A leaked password buys no token: the web sign-in lets it change the password and nothing else.
    if (user.mustChangePassword) {
      fail(
        'PasswordChangeRequired',
        "Your password appears in a known data breach, so it gets no token. Sign in on the registry's website, change your password there, then run npm login again.",
      );
    }
    const token = await this.store.transaction(async (tx) => {
      const { secret } = await this.tokens.create(tx, user, { reason: 'login', kind: 'session', origin: originOf(context) });
      await tx.events.append({
        type: 'user.login',
        actor: userActor(user),
        data: { method: 'password' },
        createdAt: this.now().toISOString(),
      });
      return secret;
    });
    return { user, token };
  }

  /**
   * A new password replaces the old one, with its event; the caller has checked the old one (and any
   * second factor). `also` runs in the same transaction (a reset marks its link used and revokes tokens there).
   */
  async setPassword(
    user: User,
    rawPassword: unknown,
    opts: {
      via?: 'change' | 'reset' | 'admin';
      also?: (tx: Repositories, at: string) => Promise<void>;
      /** Where the change came from, for its mail. */
      origin?: RequestOrigin;
    } = {},
  ): Promise<void> {
    const password = parsePassword(rawPassword);
    if (password.length < MIN_PASSWORD) fail('BadRequest', `A password needs at least ${MIN_PASSWORD} characters.`);
    const passwordHash = await this.gate.run(() => hashPassword(password));
    const at = this.now().toISOString();
    await this.store.transaction(async (tx) => {
      await opts.also?.(tx, at);
      await tx.users.setPasswordHash(user.id, passwordHash);
      const via = opts.via ?? 'change';
      await tx.events.append({ type: 'password.changed', actor: userActor(user), data: { via, ...opts.origin }, createdAt: at });
    });
  }

  /** `npm whoami`: the account behind the request. */
  whoami(context: RequestContext): User {
    return enforce(canActAsUser(context.principal, 'see who you are')).user;
  }

  /**
   * GET /-/user/org.couchdb.user:NAME. Anonymous callers learn nothing, not even whether the
   * user exists. A signed-in user sees their own address; of others only what the registry
   * already shows (the name; maintainers' addresses are public in packuments, an account's is
   * not), with a placeholder address because `npm owner add` refuses a document without one.
   */
  async lookupUser(context: RequestContext, name: string): Promise<UserView> {
    const asker = enforce(canActAsUser(context.principal, 'look up users'));
    const user = await this.store.users.byName(name);
    if (!user) fail('UserNotFound', `There is no user named "${name}".`);
    const own = user.id === asker.user.id;
    return { _id: `org.couchdb.user:${user.name}`, name: user.name, email: own ? user.email : placeholderEmail(user.name) };
  }
}

/** Not an address anyone receives mail at: `.invalid` is reserved (RFC 2606). */
export function placeholderEmail(name: string): string {
  return `${name}@users.noreply.invalid`;
}
