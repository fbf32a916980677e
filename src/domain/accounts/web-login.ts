// npm's web login: the CLI opens a login (POST /-/v1/login), a person signed in on the web sees
// which client asked and presses Approve (with their second factor when the account has one),
// the CLI's poll of doneUrl collects a session token once. Signing in alone approves nothing: a
// link someone else sent must not hand them your token. A login is approved at most once,
// expires, and one address can hold only a few open. Never stores a done secret or a token: the
// secret is kept as a SHA-256 and the token is minted by the poll that collects it.
import { originOf } from '../events/origin.js';
import { createHash, randomBytes } from 'node:crypto';
import type { Store } from '../store.js';
import type { User } from './store.js';
import type { TokenService } from '../tokens/service.js';
import type { LoginRequester, WebLogin } from './web-login-store.js';
import { fail } from '../errors.js';
import { dateOf, systemClock, type Clock } from '../clock.js';
import type { RequestContext } from '../access/context.js';
import { enforce } from '../access/principal.js';
import { canApproveWebLogin } from './authorize.js';
import { userActor } from '../access/actor.js';
import { NO_SECOND_FACTOR, type SecondFactor } from '../access/second-factor.js';

/** A security key as the approval's second factor; the assertion answers a challenge shown to this session. */
export interface SecurityKeyFactor {
  registered(user: User): Promise<boolean>;
  verifySecondFactor(user: User, assertion: unknown, sessionId: string | null): Promise<void>;
}

export const WEB_LOGIN_TTL_MS = 10 * 60 * 1000;
const MAX_USER_AGENT = 200;

export interface WebLoginDeps {
  store: Store;
  tokens: TokenService;
  pendingPerIp: number;
  /** Asked at approval; none by default. */
  secondFactor?: SecondFactor;
  /** Security keys, asked at approval when the account has one (domain/webauthn). */
  securityKeys?: SecurityKeyFactor;
  clock?: Clock;
}

export class WebLoginService {
  private readonly now: () => Date;

  constructor(private readonly deps: WebLoginDeps) {
    const clock = deps.clock ?? systemClock;
    this.now = () => dateOf(clock);
  }

  /** POST /-/v1/login: opens a session for the CLI at `requestedBy`, purging expired ones first. */
  async start(requestedBy: LoginRequester): Promise<{ id: string; doneSecret: string }> {
    const id = randomBytes(16).toString('hex');
    const doneSecret = randomBytes(32).toString('base64url');
    const now = this.now();
    const at = now.toISOString();
    const from = { ip: requestedBy.ip, userAgent: printableAgent(requestedBy.userAgent) };
    // Its own statement, before the transaction: expired rows go even when this one is refused,
    // and the transaction below holds no row locks while it waits for the address's lock.
    await this.deps.store.webLogins.purgeExpired(at);
    await this.deps.store.transaction(async (tx) => {
      await tx.webLogins.lockRequester(from.ip);
      const pending = await tx.webLogins.pendingFrom(from.ip, at);
      if (pending.count >= this.deps.pendingPerIp) {
        const waitMs = pending.firstExpiry ? Date.parse(pending.firstExpiry) - now.getTime() : WEB_LOGIN_TTL_MS;
        fail(
          'TooManyPendingLogins',
          `${pending.count} logins started from your address are still waiting for a sign-in. Finish one, or wait for them to expire.`,
          { 'retry-after': String(Math.max(1, Math.ceil(waitMs / 1000))) },
        );
      }
      await tx.webLogins.insert({
        id,
        doneHash: sha256(doneSecret),
        createdAt: at,
        expiresAt: new Date(now.getTime() + WEB_LOGIN_TTL_MS).toISOString(),
        requestedBy: from,
      });
    });
    return { id, doneSecret };
  }

  /** The session behind a sign-in link, if it still waits for a sign-in. */
  async pending(id: string): Promise<WebLogin> {
    const login = await this.deps.store.webLogins.byId(id);
    if (!login || login.consumedAt || this.expired(login)) {
      fail('WebLoginNotFound', 'This sign-in link has expired or was already used. Run `npm login` again.');
    }
    if (login.userId !== null) {
      fail(
        'WebLoginAlreadyApproved',
        'Someone already signed in on this link. If that was not you, do not use the terminal that printed it; run `npm login` again.',
      );
    }
    return login;
  }

  /** Whether approving asks this user for a second factor (the page shows the code field). */
  async asksSecondFactor(user: User): Promise<boolean> {
    return (this.deps.secondFactor ?? NO_SECOND_FACTOR).required(user, 'auth');
  }

  /** Whether approving asks for a security key (the page offers the key's button). */
  async asksSecurityKey(user: User): Promise<boolean> {
    return (await this.deps.securityKeys?.registered(user)) ?? false;
  }

  /** A key's assertion when given; else the one-time code, unless the account has only keys. */
  private async checkSecondFactor(context: RequestContext, user: User, code?: string, assertion?: string): Promise<void> {
    const keys = this.deps.securityKeys;
    const sessionId = context.principal.kind === 'session' ? context.principal.session.id : null;
    if (keys && assertion !== undefined) return keys.verifySecondFactor(user, assertion, sessionId);
    const totp = await this.asksSecondFactor(user);
    if (totp) return (this.deps.secondFactor ?? NO_SECOND_FACTOR).verify(user, context, code);
    if (await this.asksSecurityKey(user))
      fail('SecurityKeyRequired', 'Approve with your security key: press "Approve with a security key" and touch the key.');
  }

  /**
   * The signed-in person pressed Approve: the waiting CLI may now collect a token. Only once. With
   * a second factor on the account, `code` (from the form) must pass it too.
   */
  async approve(context: RequestContext, id: string, code?: string, assertion?: string): Promise<User> {
    const principal = enforce(canApproveWebLogin(context.principal));
    const user = principal.user;
    const login = await this.pending(id);
    await this.checkSecondFactor(context, user, code, assertion);
    await this.deps.store.transaction(async (tx) => {
      const at = this.now().toISOString();
      // The conditional update is the real check: two sign-ins racing past `pending` cannot both win.
      if (!(await tx.webLogins.approve(login.id, user.id, at))) {
        fail('WebLoginAlreadyApproved', 'Someone signed in on this link first. Run `npm login` again.');
      }
      await tx.events.append({ type: 'user.login', actor: userActor(user), data: { method: 'web' }, createdAt: at });
    });
    return user;
  }

  /** The CLI's poll: undefined while waiting, the token once, then not found. */
  async poll(doneSecret: string): Promise<string | undefined> {
    const login = await this.deps.store.webLogins.byDoneHash(sha256(doneSecret));
    if (!login || login.consumedAt || this.expired(login)) {
      fail('WebLoginNotFound', 'This login has expired or was already completed. Run `npm login` again.');
    }
    if (login.userId === null) return undefined;
    const userId = login.userId;
    return this.deps.store.transaction(async (tx) => {
      if (!(await tx.webLogins.consume(login.id, this.now().toISOString())))
        fail('WebLoginNotFound', 'This login was already completed.');
      const user = await tx.users.byId(userId);
      if (!user) fail('UserNotFound', 'The account for this login no longer exists.');
      // The token goes to the client that started the login: its mail says where that was.
      const origin = originOf({ clientIp: login.requestedBy.ip, userAgent: login.requestedBy.userAgent });
      const { secret } = await this.deps.tokens.create(tx, user, { reason: 'web login', kind: 'session', origin });
      return secret;
    });
  }

  private expired(login: WebLogin): boolean {
    return Date.parse(login.expiresAt) <= this.now().getTime();
  }
}

/** attacker-controlled: shown on a page and stored, so bounded and free of control characters. */
function printableAgent(agent: string): string {
  return agent.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').slice(0, MAX_USER_AGENT);
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
