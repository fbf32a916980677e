// The mfa domain wired in one place: TOTP enrolment and recovery codes, the SecondFactor every
// other part asks, the checks before package writes (one-time passwords, the maintainer policy)
// and npm's profile API.
import type { Store } from '../store.js';
import type { Clock } from '../clock.js';
import type { User } from '../accounts/store.js';
import type { RequestContext } from '../access/context.js';
import type { GuessGuard } from '../access/guess-guard.js';
import type { PasswordScreen } from '../accounts/password-screen.js';
import type { SecretKey } from './secret-box.js';
import { TotpSecondFactor } from './second-factor.js';
import { MfaService, type NewFactorsPolicy } from './service.js';
import { WriteChecks, type KeyApprovals, type MaintainerPolicy, type SecurityKeyPolicy } from './writes.js';
import { ProfileService } from './profile.js';
import type { AccountRestrictions } from '../accounts/restrictions.js';

export interface MfaDeps {
  store: Store;
  clock: Clock;
  key: SecretKey;
  guard: GuessGuard;
  screen: PasswordScreen;
  /** The accounts domain's password check and change (through its hashing bound). */
  checkPassword: (user: User, password: unknown, context: RequestContext) => Promise<void>;
  setPassword: (user: User, password: string, context: RequestContext) => Promise<void>;
  issuer: () => string;
  newFactors: NewFactorsPolicy;
  policy: MaintainerPolicy;
  /** The read-only lock after risky recovery: a recovery code's use sets it; package writes and MFA changes obey it. */
  restrictions?: AccountRestrictions;
  /** Security keys as a second factor for the maintainer policy, and the critical-maintainer rule. */
  securityKeys?: SecurityKeyPolicy;
  /** Security keys approving writes in the browser (domain/webauthn/write-approvals.ts). */
  keyApprovals?: KeyApprovals;
  /** npm profile set email (domain/accounts/email-change.ts); without it the profile API refuses address changes. */
  changeEmail?: (user: User, context: RequestContext, email: unknown, password: unknown) => Promise<User>;
}

export interface MfaDomain {
  secondFactor: TotpSecondFactor;
  mfa: MfaService;
  writes: WriteChecks;
  profile: ProfileService;
}

export function wireMfa(deps: MfaDeps): MfaDomain {
  const { store, clock, key } = deps;
  const restrictions = deps.restrictions;
  const secondFactor = new TotpSecondFactor({
    store,
    clock,
    key,
    guard: deps.guard,
    onRecoveryCodeUsed: restrictions && ((tx, user, at) => restrictions.restrictIn(tx, user, 'recovery-code', at).then(() => {})),
  });
  const mfa = new MfaService({
    store,
    clock,
    key,
    secondFactor,
    checkPassword: deps.checkPassword,
    issuer: deps.issuer,
    newFactors: deps.newFactors,
    restrictions,
  });
  const writes = new WriteChecks({
    store,
    clock,
    secondFactor,
    policy: deps.policy,
    restrictions,
    securityKeys: deps.securityKeys,
    keyApprovals: deps.keyApprovals,
  });
  const profile = new ProfileService({
    mfa,
    secondFactor,
    screen: deps.screen,
    checkPassword: deps.checkPassword,
    setPassword: deps.setPassword,
    changeEmail: deps.changeEmail,
  });
  return { secondFactor, mfa, writes, profile };
}

/** Asked at sign-in (the legacy `npm login` PUT): an account with a second factor must give a code. */
export async function signInStep(secondFactor: TotpSecondFactor, user: User, context: RequestContext): Promise<void> {
  if (await secondFactor.required(user, 'auth')) await secondFactor.verify(user, context);
}
