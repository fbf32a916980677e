// The accounts domain wired in one place: users and passwords, npm's web login, and the
// abandoned-email-domain check with its periodic recheck.
import type { Store } from '../store.js';
import type { Clock } from '../clock.js';
import type { TokenService } from '../tokens/service.js';
import type { GuessGuard } from '../access/guess-guard.js';
import { AccountService } from './service.js';
import { PasswordGate } from './password-gate.js';
import { WebLoginService, type SecurityKeyFactor } from './web-login.js';
import type { SecondFactor } from '../access/second-factor.js';
import type { PasswordScreen } from './password-screen.js';
import type { JobRunner } from '../jobs/runner.js';
import { EmailDomains, type MailDomainResolver } from './email-domains.js';

/** The periodic recheck of accounts' email domains (docs/email-domains.md). */
export interface EmailDomainJob {
  /** Milliseconds between runs; 0 turns the job off (recovery still checks at once). */
  intervalMs: number;
  /** Domains resolved per run, one after another. */
  batch: number;
  /** A domain is checked again once its last check is this old, in ms. */
  recheckMs: number;
}
import { SignupService } from './signup.js';
import { EmailVerificationService } from './verification.js';

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
  /** Leaked-password screen for user creation and sign-in. */
  passwordScreen: PasswordScreen;
  /** DNS for the abandoned-domain check, and the parking services' hosts that mark a domain dead. */
  mailResolver: MailDomainResolver;
  parkingHosts: readonly string[];
  /** Where the periodic recheck is defined, and how it runs. */
  jobs: JobRunner;
  emailDomainJob: EmailDomainJob;
  /** Counts password guesses (domain/guard); none when absent. */
  guard?: GuessGuard;
  /** Whether anyone may sign up (the `signup` setting). */
  signupEnabled: boolean;
  /** Asked when a web login is approved. */
  secondFactor?: SecondFactor;
  /** Security keys, asked when a web login is approved (domain/webauthn). */
  securityKeys?: SecurityKeyFactor;
}

export interface AccountsDomain {
  accounts: AccountService;
  webLogins: WebLoginService;
  /** Abandoned-domain checks: `isLive(email)` before every recovery mail. */
  emailDomains: EmailDomains;
  signup: SignupService;
  verification: EmailVerificationService;
}

export function wireAccounts(deps: AccountsDeps): AccountsDomain {
  const { store, tokens, clock } = deps;
  // One gate per registry, and one registry per process: the bound is process-wide.
  const gate = new PasswordGate(deps.passwordHashConcurrency);
  const emailDomains = new EmailDomains({ store, resolver: deps.mailResolver, clock, parkingHosts: deps.parkingHosts });
  const job = deps.emailDomainJob;
  if (job.intervalMs > 0) {
    // Once across the fleet per interval: a 'cluster' job, so instances do not repeat each other's lookups.
    deps.jobs.define({
      name: 'email-domains.recheck',
      scope: 'cluster',
      intervalMs: job.intervalMs,
      run: () => emailDomains.recheckDue(job.batch, job.recheckMs).then(() => {}),
    });
  }
  const accounts = new AccountService({
    store,
    tokens,
    gate,
    clock,
    screen: deps.passwordScreen,
    emailDomains,
    guard: deps.guard,
  });
  const webLogins = new WebLoginService({
    store,
    tokens,
    clock,
    pendingPerIp: deps.pendingWebLoginsPerIp,
    secondFactor: deps.secondFactor,
    securityKeys: deps.securityKeys,
  });
  const signup = new SignupService({
    store,
    tokens,
    accounts,
    gate,
    screen: deps.passwordScreen,
    clock,
    enabled: deps.signupEnabled,
  });
  const verification = new EmailVerificationService({ store, clock, accounts });
  return { accounts, webLogins, emailDomains, signup, verification };
}
