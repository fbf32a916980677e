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
import { WriteChecks, type MaintainerPolicy } from './writes.js';
import { ProfileService } from './profile.js';

export interface MfaDeps {
  store: Store;
  clock: Clock;
  key: SecretKey;
  guard: GuessGuard;
  screen: PasswordScreen;
  /** The accounts domain's password check and change (through its hashing bound). */
  checkPassword: (user: User, password: unknown, context: RequestContext) => Promise<void>;
  setPassword: (user: User, password: string) => Promise<void>;
  issuer: () => string;
  newFactors: NewFactorsPolicy;
  policy: MaintainerPolicy;
}

export interface MfaDomain {
  secondFactor: TotpSecondFactor;
  mfa: MfaService;
  writes: WriteChecks;
  profile: ProfileService;
}

export function wireMfa(deps: MfaDeps): MfaDomain {
  const { store, clock, key } = deps;
  const secondFactor = new TotpSecondFactor({ store, clock, key, guard: deps.guard });
  const mfa = new MfaService({
    store,
    clock,
    key,
    secondFactor,
    checkPassword: deps.checkPassword,
    issuer: deps.issuer,
    newFactors: deps.newFactors,
  });
  const writes = new WriteChecks({ store, clock, secondFactor, policy: deps.policy });
  const profile = new ProfileService({
    mfa,
    secondFactor,
    screen: deps.screen,
    checkPassword: deps.checkPassword,
    setPassword: deps.setPassword,
  });
  return { secondFactor, mfa, writes, profile };
}

/** Asked at sign-in (the legacy `npm login` PUT): an account with a second factor must give a code. */
export async function signInStep(secondFactor: TotpSecondFactor, user: User, context: RequestContext): Promise<void> {
  if (await secondFactor.required(user, 'auth')) await secondFactor.verify(user, context);
}
