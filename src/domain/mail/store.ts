// What the outbox worker needs from storage (the Kysely version is storage/db/mail.ts): its
// position in the event sequence, one row per mail it owes, claimed by one instance at a time,
// and the keys links are derived from.

export type MailState = 'pending' | 'sent' | 'failed';

/** A mail's identity: one event, one address. */
export interface MailKey {
  eventSeq: number;
  recipient: string;
}

export interface OwedMail extends MailKey {
  /** Deterministic per (event, recipient): the SMTP Message-ID and the outbox file's name. */
  messageId: string;
  attempts: number;
}

export interface MailStore {
  /** The last event seq whose mails are recorded as owed. */
  cursor(): Promise<number>;
  /** Moves the cursor from `from` to `to`; false when another instance moved it first. */
  advanceCursor(from: number, to: number): Promise<boolean>;
  /** Records mails as owed; a mail already recorded stays as it is (a retry adds nothing). */
  owe(mails: readonly (MailKey & { messageId: string })[], createdAt: string): Promise<void>;
  /** The instances holding pending mails at `now`. */
  holders(now: string): Promise<string[]>;
  /** Pending mails nobody holds at `now` (or only one of the `gone` instances), oldest first. */
  claimable(now: string, limit: number, gone: readonly string[]): Promise<OwedMail[]>;
  /**
   * Takes the mail for `owner` until `until` if it is still pending and unheld (or held by one of
   * the `gone` instances); true for one caller only.
   */
  claim(mail: MailKey, owner: string, now: string, until: string, gone: readonly string[]): Promise<boolean>;
  markSent(mail: MailKey, owner: string, at: string): Promise<void>;
  /** A failed attempt: retried from `retryAt`, or given up (state failed) when it is null. */
  markFailed(mail: MailKey, owner: string, retryAt: string | null): Promise<void>;
  state(mail: MailKey): Promise<MailState | undefined>;
  /** The named key, made with `make` by whichever caller comes first; every caller gets the same. */
  key(name: string, make: () => string): Promise<string>;
}
