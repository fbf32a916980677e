// Storage for npm's web login sessions, as the domain needs it. Times are ISO-8601 UTC strings,
// compared as strings. The Kysely version is in storage/db/users.ts.

/** Where the CLI's POST /-/v1/login came from, shown on the sign-in page. */
export interface LoginRequester {
  ip: string;
  userAgent: string;
}

export interface WebLogin {
  id: string;
  userId: number | null;
  createdAt: string;
  expiresAt: string;
  consumedAt: string | null;
  requestedBy: LoginRequester;
}

export interface WebLoginStore {
  insert(login: {
    id: string;
    doneHash: string;
    createdAt: string;
    expiresAt: string;
    requestedBy: LoginRequester;
  }): Promise<void>;
  byId(id: string): Promise<WebLogin | undefined>;
  byDoneHash(doneHash: string): Promise<WebLogin | undefined>;
  /**
   * Serialises openings from one address until the transaction ends, so counting its pending
   * logins and inserting one cannot interleave with another request's.
   */
  lockRequester(ip: string): Promise<void>;
  /** Unapproved, unconsumed, unexpired logins opened from `ip`: how many, and when the oldest expires. */
  pendingFrom(ip: string, now: string): Promise<{ count: number; firstExpiry: string | null }>;
  /** Deletes every login that expired by `now`; how many. */
  purgeExpired(now: string): Promise<number>;
  /** Approves for `userId` only if still unapproved, unconsumed and unexpired at `now`; false otherwise. */
  approve(id: string, userId: number, now: string): Promise<boolean>;
  /** Marks it consumed; false if another poll consumed it first. */
  consume(id: string, at: string): Promise<boolean>;
}
