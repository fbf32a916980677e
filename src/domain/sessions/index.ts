// The web sessions domain wired in one place: sessions themselves, and the account security page
// built on them.
import type { Store } from '../store.js';
import type { Clock } from '../clock.js';
import type { AccountService } from '../accounts/service.js';
import type { TokenService } from '../tokens/service.js';
import type { SecondFactor } from '../access/second-factor.js';
import type { User } from '../accounts/store.js';
import { SessionService, type SessionSettings } from './service.js';
import { AccountSecurityService } from './account-security.js';

export interface SessionsDeps {
  store: Store;
  clock: Clock;
  /** Signing in checks the password here. */
  accounts: AccountService;
  /** The account page lists and revokes tokens. */
  tokens: TokenService;
  /** Asked at sign-in when the account has one; the account page shows whether one is required. */
  secondFactor: SecondFactor;
  settings: SessionSettings;
  /** Sign-in goes on to the key's step for an account with a security key. */
  securityKeys?: { registered(user: User): Promise<boolean> };
  /** Whether the account's keys also approve its writes (domain/webauthn/write-approvals.ts), for the account page. */
  keyApprovals?: { required(user: User): Promise<boolean> };
}

export interface SessionsDomain {
  sessions: SessionService;
  accountSecurity: AccountSecurityService;
}

export function wireSessions(deps: SessionsDeps): SessionsDomain {
  const sessions = new SessionService({
    store: deps.store,
    accounts: deps.accounts,
    secondFactor: deps.secondFactor,
    clock: deps.clock,
    settings: deps.settings,
    securityKeys: deps.securityKeys,
  });
  const accountSecurity = new AccountSecurityService({ ...deps, sessions });
  return { sessions, accountSecurity };
}
