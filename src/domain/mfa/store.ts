// What the mfa domain keeps, as an interface it owns (the Kysely version is storage/db/mfa.ts).
// Holds only sealed TOTP secrets and hashes of recovery codes, never a usable secret in clear.

/** What a second factor guards: sign-in only, or sign-in and every write (npm's two modes). */
export type MfaLevel = 'auth-only' | 'auth-and-writes';

export interface TotpEnrolment {
  userId: number;
  /** The secret as secret-box.ts sealed it. */
  sealedSecret: string;
  level: MfaLevel;
  /** null while pending: the user has not yet shown a code from their app. */
  confirmedAt: string | null;
  /** The last 30-second step a code was accepted for. */
  lastStep: number | null;
  createdAt: string;
}

export interface MfaStore {
  totp(userId: number): Promise<TotpEnrolment | undefined>;
  /** Starts (or restarts) an enrolment: a pending row with a new secret; the old one is gone. */
  putPendingTotp(row: { userId: number; sealedSecret: string; level: MfaLevel; createdAt: string }): Promise<void>;
  confirmTotp(userId: number, at: string): Promise<void>;
  setLevel(userId: number, level: MfaLevel): Promise<void>;
  /**
   * Records that a code for `step` was accepted, only if no code at or after it was: one
   * conditional update, so two requests racing with the same code cannot both win.
   */
  claimStep(userId: number, step: number): Promise<boolean>;
  /** Removes the enrolment and every recovery code. */
  removeTotp(userId: number): Promise<void>;
  /** Replaces every recovery code of the user with these hashes. */
  replaceRecoveryCodes(userId: number, hashes: readonly string[], at: string): Promise<void>;
  /** Marks the code used if it is the user's and unused; false otherwise (one conditional update). */
  useRecoveryCode(userId: number, hash: string, at: string): Promise<boolean>;
  unusedRecoveryCodes(userId: number): Promise<number>;
  /** When the maintainer policy first applied here: `at` if this is the first time anyone asks. */
  policyStart(at: string): Promise<string>;
}
