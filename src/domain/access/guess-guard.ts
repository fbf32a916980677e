// Brute-force defence, as one interface for every secret a client can guess (passwords, one-time
// codes, recovery codes, reset links). A check asks before it compares, and reports how it went;
// the guard counts per account and per source address and refuses with 429 and Retry-After while
// either is locked. The authentication track implements it (database or Redis); until then it
// lets everything through.
export type GuessedSecret = 'password' | 'otp' | 'recovery-code' | 'reset-token';

export interface GuessAttempt {
  secret: GuessedSecret;
  /** The account name as the client typed it: unknown names are counted too, so no answer tells them apart. */
  account: string;
  clientIp: string;
}

export interface GuessGuard {
  /** Throws a catalog error (429 with Retry-After) when the account or the address is locked out. */
  before(attempt: GuessAttempt): Promise<void>;
  failed(attempt: GuessAttempt): Promise<void>;
  succeeded(attempt: GuessAttempt): Promise<void>;
}

export const NO_GUESS_GUARD: GuessGuard = {
  before: async () => undefined,
  failed: async () => undefined,
  succeeded: async () => undefined,
};
