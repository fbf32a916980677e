// What the webauthn domain keeps, as an interface it owns (the Kysely version is
// storage/db/webauthn.ts): credentials with their public keys (no secret), and challenges as
// SHA-256 hashes, each taken at most once.

/** A security key or passkey registered to an account. */
export interface WebAuthnCredential {
  /** The authenticator's credential id, base64url. */
  id: string;
  userId: number;
  /** The COSE public key, base64url. */
  publicKey: string;
  counter: number;
  transports: string[];
  name: string;
  /** A discoverable credential made with user verification: it signs in without a password. */
  passkey: boolean;
  createdAt: string;
  lastUsedAt: string | null;
}

/** What a challenge was handed out for; an answer is checked against the same purpose. */
export type ChallengePurpose = 'register' | 'second-factor' | 'passkey';

export interface StoredChallenge {
  challengeHash: string;
  purpose: ChallengePurpose;
  /** The account that may answer; null for a passkey sign-in, where nobody is known yet. */
  userId: number | null;
  /** The web session it was shown to, when the browser was signed in. */
  sessionId: string | null;
  /** For `register`: whether a passkey (discoverable, user-verified) was asked for. */
  passkey: boolean;
  expiresAt: string;
  /** The sign-in key step after a password the breach screen flagged: the session must change it first. */
  passwordChangeRequired?: boolean;
}

/** A write that waits for its owner to approve it with a security key (write-approvals.ts). */
export interface WriteApproval {
  /** SHA-256 of the id in the approval link. */
  idHash: string;
  /** SHA-256 of the secret in the done address the CLI polls. */
  doneHash: string;
  userId: number;
  /** What the CLI asked to do: a PackageWrite or a token/account change, shown on the page. */
  action: string;
  requestedBy: { ip: string; userAgent: string };
  createdAt: string;
  expiresAt: string;
  approvedAt: string | null;
  /** SHA-256 of the one-time code the poll handed out; null until collected. */
  codeHash: string | null;
  usedAt: string | null;
}

export interface WebAuthnStore {
  credentials(userId: number): Promise<WebAuthnCredential[]>;
  credential(id: string): Promise<WebAuthnCredential | undefined>;
  insertCredential(credential: WebAuthnCredential): Promise<void>;
  removeCredential(userId: number, id: string): Promise<boolean>;
  /**
   * Records a use: moves the counter from `from` to `to` only if it still is `from` (one
   * conditional update, so two requests racing with one assertion cannot both win).
   */
  recordUse(id: string, from: number, to: number, at: string): Promise<boolean>;
  putChallenge(challenge: StoredChallenge): Promise<void>;
  /** Deletes and returns the challenge: whoever takes it first is the only one to use it. */
  takeChallenge(challengeHash: string): Promise<StoredChallenge | undefined>;
  purgeChallenges(before: string): Promise<void>;
  /** Whether the account's keys guard its writes; false when it never said. */
  guardsWrites(userId: number): Promise<boolean>;
  setGuardsWrites(userId: number, on: boolean, at: string): Promise<void>;
  /** Approvals of the account not yet expired nor used. */
  openApprovals(userId: number, now: string): Promise<number>;
  insertApproval(approval: WriteApproval): Promise<void>;
  approvalById(idHash: string): Promise<WriteApproval | undefined>;
  approvalByDone(doneHash: string): Promise<WriteApproval | undefined>;
  /** Marks it approved if it was not yet (one conditional update). */
  approve(idHash: string, at: string): Promise<boolean>;
  /** Stores the code's hash if none was collected yet: the one poll that wins hands the code out. */
  collect(idHash: string, codeHash: string): Promise<boolean>;
  /** Spends the account's collected, unexpired, unused approval whose code hashes to `codeHash`. */
  spendApproval(userId: number, codeHash: string, now: string): Promise<boolean>;
  purgeApprovals(before: string): Promise<void>;
}
