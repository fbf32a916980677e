// Web sessions: signing in on the web, finding the session a cookie names, rotating it when its
// privileges change, and ending it (sign-out, revoke, idle and absolute timeouts). Every start
// and end writes its event in the same transaction. Never returns or logs a secret except the
// new cookie value to the one caller that must set it.
import type { Repositories, Store } from '../store.js';
import type { User } from '../accounts/store.js';
import type { AccountService, SignInNotices } from '../accounts/service.js';
import type { RequestContext } from '../access/context.js';
import type { EventPayloads } from '../events/store.js';
import type { SecondFactor } from '../access/second-factor.js';
import type { WebSession } from './store.js';
import { enforce, type SessionPrincipal } from '../access/principal.js';
import { canUseWebAccount } from '../accounts/authorize.js';
import { userActor } from '../access/actor.js';
import { fail } from '../errors.js';
import { dateOf, type Clock } from '../clock.js';
import { hashSessionSecret, isWellFormedSecret, newSessionId, newSessionSecret, type SessionSecret } from './secrets.js';

export interface SessionSettings {
  /** A session unused this long ends. */
  idleMs: number;
  /** A session ends this long after sign-in, however active. */
  absoluteMs: number;
}

/** last_seen_at moves at most this often: a page view is not a write, yet idle time stays exact to a minute. */
const TOUCH_MS = 60_000;

type EndedBy = EventPayloads['session.revoked']['by'];

export interface SessionDeps {
  store: Store;
  accounts: AccountService;
  /** An account with a second factor for sign-in gives its code with the password. */
  secondFactor: SecondFactor;
  clock: Clock;
  settings: SessionSettings;
  /** Whether the account has a security key: then sign-in goes on to the key's step (domain/webauthn). */
  securityKeys?: { registered(user: User): Promise<boolean> };
}

/** A signed-in browser, or (the account has a security key) the password passed and the key's step comes next. */
export type SignInResult = { secret: SessionSecret; user: User & SignInNotices } | { keyStep: User & SignInNotices };

export class SessionService {
  constructor(private readonly deps: SessionDeps) {}

  private now(): Date {
    return dateOf(this.deps.clock);
  }

  /**
   * The /login form: a password (and the one-time code, when the account has a second factor for
   * sign-in) buys a new session. A session the browser already had ends in the same transaction
   * (rotation at sign-in), so a cookie planted before sign-in is worth nothing after.
   */
  async signIn(
    context: RequestContext,
    name: string,
    password: unknown,
    code?: string,
  ): Promise<{ secret: SessionSecret; user: User & SignInNotices }> {
    const result = await this.signInOrKeyStep(context, name, password, code);
    if ('keyStep' in result) fail('SecurityKeyRequired', 'This account signs in with its security key: use the sign-in page.');
    return result;
  }

  /** The /login form: like `signIn`, but an account with a security key gets its key's step instead of a refusal. */
  async signInOrKeyStep(context: RequestContext, name: string, password: unknown, code?: string): Promise<SignInResult> {
    const user = await this.deps.accounts.checkPassword(name, password, context);
    const totp = await this.deps.secondFactor.required(user, 'auth');
    // With a key on the account, a typed code is the only way around the key's step, and only when TOTP is enrolled too.
    if ((!totp || !code) && (await this.deps.securityKeys?.registered(user))) return { keyStep: user };
    if (totp) await this.deps.secondFactor.verify(user, context, code ?? '');
    return { secret: await this.startVerified(context, user, 'password'), user };
  }

  /**
   * A session for a person whose factors were checked elsewhere (a security key after the
   * password, a passkey alone), rotating the one this browser had, like `signIn`.
   */
  async startVerified(
    context: RequestContext,
    user: User & Partial<Pick<SignInNotices, 'mustChangePassword'>>,
    via: EventPayloads['session.created']['via'],
  ): Promise<SessionSecret> {
    return this.deps.store.transaction(async (tx) => {
      if (context.principal.kind === 'session')
        await this.end(tx, context.principal.session.id, context.principal.user, 'rotation');
      if (via === 'passkey') {
        const at = this.now().toISOString();
        await tx.events.append({ type: 'user.login', actor: userActor(user), data: { method: 'passkey' }, createdAt: at });
      }
      return this.open(tx, user, context, via, { passwordChangeRequired: user.mustChangePassword === true });
    });
  }

  /**
   * A new id and secret for the caller's session, keeping its absolute timeout: for other parts to
   * call when its privileges change (a second factor enabled, a password changed). The HTTP layer
   * sets the returned secret as the cookie. A new password lifts the leaked-password restriction
   * (`passwordChanged`); nothing else does. The old session may have ended already (a password
   * change ends every session of the account): the browser that made the change gets a new one.
   */
  async rotate(context: RequestContext, opts: { passwordChanged?: boolean } = {}): Promise<SessionSecret> {
    const { user, session } = enforce(canUseWebAccount(context.principal, 'rotate a session'));
    const passwordChangeRequired = !opts.passwordChanged && session.passwordChangeRequired === true;
    return this.deps.store.transaction(async (tx) => {
      await this.end(tx, session.id, user, 'rotation');
      return this.open(tx, user, context, 'password', { expiresAt: session.expiresAt.toISOString(), passwordChangeRequired });
    });
  }

  /** The session a cookie names, if it is live now; moves its idle timer. Ends it at its timeout. */
  async authenticate(secret: string): Promise<SessionPrincipal | undefined> {
    if (!isWellFormedSecret(secret)) return undefined;
    const found = await this.deps.store.sessions.byHash(hashSessionSecret(secret));
    if (!found || found.session.revokedAt) return undefined;
    const { session, user } = found;
    const now = this.now();
    if (!this.isLive(session, now)) {
      await this.deps.store.transaction((tx) => this.end(tx, session.id, user, 'expiry'));
      return undefined;
    }
    if (now.getTime() - Date.parse(session.lastSeenAt) >= TOUCH_MS) {
      await this.deps.store.sessions.touch(session.id, now.toISOString());
    }
    return {
      kind: 'session',
      user,
      session: { id: session.id, expiresAt: new Date(session.expiresAt), passwordChangeRequired: session.passwordChangeRequired },
    };
  }

  /** Sign-out: ends the caller's own session. */
  async signOut(context: RequestContext): Promise<void> {
    const { user, session } = enforce(canUseWebAccount(context.principal, 'sign out'));
    await this.deps.store.transaction((tx) => this.end(tx, session.id, user, 'sign-out'));
  }

  /** The account page's revoke button: ends one of the caller's sessions (another browser's, or this one). */
  async revoke(context: RequestContext, sessionId: string): Promise<void> {
    const { user } = enforce(canUseWebAccount(context.principal, 'end a session'));
    const mine = (await this.live(user)).some((s) => s.id === sessionId);
    const ended = mine && (await this.deps.store.transaction((tx) => this.end(tx, sessionId, user, 'user')));
    if (!ended) fail('SessionNotFound', 'No live session of yours has this id; it may have ended already.');
  }

  /** The caller's live sessions, the one asking marked. */
  async list(context: RequestContext): Promise<(WebSession & { current: boolean })[]> {
    const { user, session } = enforce(canUseWebAccount(context.principal, 'list your sessions'));
    return (await this.live(user)).map((s) => ({ ...s, current: s.id === session.id }));
  }

  /**
   * Ends every session of `user` inside the caller's transaction (a password change or reset, an
   * account recovery): for other parts of the authentication track.
   */
  async endAll(tx: Repositories, user: User, by: EndedBy): Promise<number> {
    let ended = 0;
    for (const s of await tx.sessions.live(user.id, this.now().toISOString())) {
      if (await this.end(tx, s.id, user, by)) ended++;
    }
    return ended;
  }

  private async live(user: User): Promise<WebSession[]> {
    const now = this.now();
    return (await this.deps.store.sessions.live(user.id, now.toISOString())).filter((s) => this.isLive(s, now));
  }

  private isLive(session: WebSession, now: Date): boolean {
    const t = now.getTime();
    return t < Date.parse(session.expiresAt) && t < Date.parse(session.lastSeenAt) + this.deps.settings.idleMs;
  }

  private async open(
    tx: Repositories,
    user: User,
    context: RequestContext,
    via: EventPayloads['session.created']['via'],
    opts: { expiresAt?: string; passwordChangeRequired?: boolean } = {},
  ): Promise<SessionSecret> {
    const secret = newSessionSecret();
    const now = this.now();
    const at = now.toISOString();
    const id = newSessionId();
    await tx.sessions.insert({
      id,
      secretHash: hashSessionSecret(secret),
      userId: user.id,
      createdAt: at,
      lastSeenAt: at,
      expiresAt: opts.expiresAt ?? new Date(now.getTime() + this.deps.settings.absoluteMs).toISOString(),
      revokedAt: null,
      ip: context.clientIp,
      userAgent: context.userAgent,
      passwordChangeRequired: opts.passwordChangeRequired === true,
    });
    await tx.events.append({ type: 'session.created', actor: userActor(user), data: { session: id, via }, createdAt: at });
    return secret;
  }

  /** Ends a session once: the event is written only by the call whose update took effect. */
  private async end(tx: Repositories, id: string, user: User, by: EndedBy): Promise<boolean> {
    const at = this.now().toISOString();
    if (!(await tx.sessions.revoke(id, at))) return false;
    const actor = by === 'expiry' ? { kind: 'system' as const } : userActor(user);
    await tx.events.append({ type: 'session.revoked', actor, data: { session: id, by }, createdAt: at });
    return true;
  }
}
