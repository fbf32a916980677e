// What account recovery keeps (the Kysely version is storage/db/recovery.ts): password-reset
// requests keyed by their event's request id (no secret: links are derived, domain/mail/links.ts),
// the read-only lock after a risky recovery step, and the address changes recovery makes.
import type { User } from './store.js';

export interface PasswordReset {
  request: string;
  userId: number;
  /** The address the link was mailed to; a link for an address the account no longer has is refused. */
  email: string;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
}

/** Why an account is read-only: its address changed, a recovery code was used, or an administrator recovered it. */
export type RestrictionReason = 'email-change' | 'recovery-code' | 'admin-recovery';

export interface AccountRestriction {
  userId: number;
  reason: RestrictionReason;
  /** ISO time the lock lifts. */
  until: string;
}

export interface RecoveryStore {
  insertReset(reset: Omit<PasswordReset, 'usedAt'>): Promise<void>;
  resetByRequest(request: string): Promise<PasswordReset | undefined>;
  /** When the account's latest reset was asked for, if ever. */
  latestReset(userId: number): Promise<string | undefined>;
  /** Marks the request used if it is unused: one conditional update, so two posts cannot both win. */
  useReset(request: string, at: string): Promise<boolean>;
  /** The account whose address this is, compared without regard to case. */
  userByEmail(email: string): Promise<User | undefined>;
  /** Sets a new, unverified address. */
  setEmail(userId: number, email: string): Promise<void>;
  /** Records (or extends: the later `until` wins) the account's read-only lock. */
  restrict(restriction: AccountRestriction, at: string): Promise<void>;
  restriction(userId: number): Promise<AccountRestriction | undefined>;
}
