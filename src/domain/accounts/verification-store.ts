// What sign-up and email verification need from storage (the Kysely version is
// storage/db/verifications.ts): verification requests keyed by the event's request id, and
// address lookups that ignore case. No secret is stored: links are derived (domain/mail/links.ts).

export interface EmailVerification {
  request: string;
  userId: number;
  email: string;
  createdAt: string;
  expiresAt: string;
  verifiedAt: string | null;
}

export interface VerificationStore {
  /** Records the request; one already recorded stays as it is. */
  insert(verification: Omit<EmailVerification, 'verifiedAt'>): Promise<void>;
  byRequest(request: string): Promise<EmailVerification | undefined>;
  /**
   * Marks the request used and the account's address verified, if the request is unused and the
   * account still has that address; false otherwise (nothing changed).
   */
  markVerified(request: string, at: string): Promise<boolean>;
  /** True when any account has this address, compared without regard to case. */
  emailInUse(email: string): Promise<boolean>;
  /** Serialises sign-ups for one address until the transaction ends (two at once must not both pass). */
  lockEmail(email: string): Promise<void>;
}
