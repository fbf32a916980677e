// Storage for web sessions, as the domain needs it. Times are ISO-8601 UTC strings, compared as
// strings. A row holds the SHA-256 of the cookie's secret, never the secret. The Kysely version
// is storage/db/sessions.ts.
import type { User } from '../accounts/store.js';
import type { RegistryEvent } from '../events/store.js';

export interface WebSession {
  /** Public: shown on the account page, named in events and revoke forms. Not the cookie. */
  id: string;
  userId: number;
  createdAt: string;
  lastSeenAt: string;
  /** The absolute timeout. */
  expiresAt: string;
  revokedAt: string | null;
  /** Where the sign-in came from, shown on the account page. */
  ip: string;
  userAgent: string;
  /** Signed in with a password found in a breach: only the password change page until it changes. */
  passwordChangeRequired: boolean;
}

export interface SessionStore {
  insert(session: WebSession & { secretHash: string }): Promise<void>;
  /** The session with this secret hash, live or not, and its user. */
  byHash(secretHash: string): Promise<{ session: WebSession; user: User } | undefined>;
  touch(id: string, at: string): Promise<void>;
  /** Ends it if it has not ended; false when it already had. */
  revoke(id: string, at: string): Promise<boolean>;
  /** `userId`'s sessions neither revoked nor past their absolute timeout at `now`, newest first. */
  live(userId: number, now: string): Promise<WebSession[]>;
  /**
   * The account's own security log, newest first: events it made, and events about it that
   * someone else made (being added to or removed from a package's owners).
   */
  accountLog(user: Pick<User, 'id' | 'name'>, limit: number): Promise<RegistryEvent[]>;
}
