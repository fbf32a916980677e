// The accounts domain wired in one place: users and passwords, and npm's web login.
import type { Store } from '../store.js';
import type { Clock } from '../clock.js';
import type { TokenService } from '../tokens/service.js';
import { AccountService } from './service.js';
import { PasswordGate } from './password-gate.js';
import { WebLoginService } from './web-login.js';
import type { SecondFactor } from '../access/second-factor.js';

export interface AccountsDeps {
  store: Store;
  /** Logins and web logins hand out tokens. */
  tokens: TokenService;
  /** Creation times and web login expiry. */
  clock: Clock;
  /** Password hashes running at once in this process. */
  passwordHashConcurrency: number;
  /** Web logins one address may hold open. */
  pendingWebLoginsPerIp: number;
  /** Asked when a web login is approved. */
  secondFactor?: SecondFactor;
}

export interface AccountsDomain {
  accounts: AccountService;
  webLogins: WebLoginService;
}

export function wireAccounts(deps: AccountsDeps): AccountsDomain {
  const { store, tokens, clock } = deps;
  // One gate per registry, and one registry per process: the bound is process-wide.
  const gate = new PasswordGate(deps.passwordHashConcurrency);
  const accounts = new AccountService({ store, tokens, gate, clock });
  const webLogins = new WebLoginService({
    store,
    tokens,
    clock,
    pendingPerIp: deps.pendingWebLoginsPerIp,
    secondFactor: deps.secondFactor,
  });
  return { accounts, webLogins };
}
