// What the account security page shows and the revokes it offers: the address and its state, the
// second factor, live sessions, live tokens (session tokens from `npm login` apart from automation
// tokens) and the account's own security log. Only the signed-in browser's own account, ever.
import type { Store } from '../store.js';
import type { User } from '../accounts/store.js';
import type { RequestContext } from '../access/context.js';
import type { SecondFactor } from '../access/second-factor.js';
import type { TokenRecord } from '../tokens/store.js';
import type { TokenService } from '../tokens/service.js';
import type { RegistryEvent } from '../events/store.js';
import type { WebSession } from './store.js';
import type { SessionService } from './service.js';
import { enforce } from '../access/principal.js';
import { canUseWebAccount } from '../accounts/authorize.js';
import { fail } from '../errors.js';
import { dateOf, type Clock } from '../clock.js';

const LOG_LIMIT = 50;

export interface AccountSecurity {
  user: User;
  secondFactor: { forSignIn: boolean; forWrites: boolean };
  sessions: (WebSession & { current: boolean })[];
  tokens: { session: TokenRecord[]; automation: TokenRecord[] };
  log: RegistryEvent[];
}

export interface AccountSecurityDeps {
  store: Store;
  sessions: SessionService;
  tokens: TokenService;
  secondFactor: SecondFactor;
  clock: Clock;
  /** Security keys: they guard sign-in when registered, and writes when the account says so. */
  securityKeys?: { registered(user: User): Promise<boolean> };
  keyApprovals?: { required(user: User): Promise<boolean> };
}

export class AccountSecurityService {
  constructor(private readonly deps: AccountSecurityDeps) {}

  async overview(context: RequestContext): Promise<AccountSecurity> {
    const { user } = enforce(canUseWebAccount(context.principal, 'see your account'));
    const now = dateOf(this.deps.clock).getTime();
    const live = (await this.deps.store.tokens.forUser(user.id)).filter(
      (t) => !t.revokedAt && (t.expiresAt === null || Date.parse(t.expiresAt) > now),
    );
    const [codeSignIn, codeWrites, keySignIn, keyWrites, sessions, log] = await Promise.all([
      this.deps.secondFactor.required(user, 'auth'),
      this.deps.secondFactor.required(user, 'writes'),
      this.deps.securityKeys?.registered(user) ?? false,
      this.deps.keyApprovals?.required(user) ?? false,
      this.deps.sessions.list(context),
      this.deps.store.sessions.accountLog(user, LOG_LIMIT),
    ]);
    return {
      user,
      secondFactor: { forSignIn: codeSignIn || keySignIn, forWrites: codeWrites || keyWrites },
      sessions,
      tokens: { session: live.filter((t) => t.kind === 'session'), automation: live.filter((t) => t.kind === 'automation') },
      log,
    };
  }

  /** The revoke button beside a token on the account page. */
  async revokeToken(context: RequestContext, tokenId: number): Promise<void> {
    const { user } = enforce(canUseWebAccount(context.principal, 'revoke a token'));
    if (!(await this.deps.tokens.revokeById(user, tokenId))) fail('TokenNotFound', 'No live token of yours has this id.');
  }
}
