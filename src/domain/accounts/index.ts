// The accounts domain wired in one place: users and passwords, and npm's web login.
import type { Store } from '../store.js';
import type { Clock } from '../clock.js';
import type { TokenService } from '../tokens/service.js';
import { AccountService } from './service.js';
import { PasswordGate } from './password-gate.js';
import { WebLoginService } from './web-login.js';
import { SignupService } from './signup.js';
import { EmailVerificationService } from './verification.js';
import { NO_PASSWORD_SCREEN, type PasswordScreen } from './password-screen.js';

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
  /** Whether anyone may sign up (the `signup` setting). */
  signupEnabled: boolean;
  /** Refuses breached passwords at sign-up; nothing is refused without one. */
  passwordScreen?: PasswordScreen;
}

export interface AccountsDomain {
  accounts: AccountService;
  webLogins: WebLoginService;
  signup: SignupService;
  verification: EmailVerificationService;
}

export function wireAccounts(deps: AccountsDeps): AccountsDomain {
  const { store, tokens, clock } = deps;
  // One gate per registry, and one registry per process: the bound is process-wide.
  const gate = new PasswordGate(deps.passwordHashConcurrency);
  const accounts = new AccountService({ store, tokens, gate, clock });
  const webLogins = new WebLoginService({ store, tokens, accounts, clock, pendingPerIp: deps.pendingWebLoginsPerIp });
  const screen = deps.passwordScreen ?? NO_PASSWORD_SCREEN;
  const signup = new SignupService({ store, tokens, accounts, gate, screen, clock, enabled: deps.signupEnabled });
  const verification = new EmailVerificationService({ store, clock, accounts });
  return { accounts, webLogins, signup, verification };
}
