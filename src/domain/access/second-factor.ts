// The second factor a sensitive step asks for (publish, web login approval, account changes), as
// one interface: the step does not know whether the account uses TOTP, recovery codes or a security
// key. The authentication track implements it (domain/mfa); until then no account has one.
import type { User } from '../accounts/store.js';
import type { RequestContext } from './context.js';

/** What the second factor is asked for: `auth` (sign-in, approval) or `writes` (publish, owners, tokens). */
export type SecondFactorPurpose = 'auth' | 'writes';

export interface SecondFactor {
  /** Whether `user` must present a second factor for `purpose` (their own setting or a policy). */
  required(user: User, purpose: SecondFactorPurpose): Promise<boolean>;
  /**
   * Checks the one-time code the request carries (`context.otp`, or `code` from a form); throws a
   * catalog error (401 with `WWW-Authenticate: OTP` when none was given) unless it is valid.
   */
  verify(user: User, context: RequestContext, code?: string): Promise<void>;
}

/** No account has a second factor: the registry before the authentication track. */
export const NO_SECOND_FACTOR: SecondFactor = {
  required: async () => false,
  verify: async () => undefined,
};
