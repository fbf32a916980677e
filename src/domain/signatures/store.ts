// What the signatures domain keeps: the signing keys (the Kysely version is
// storage/db/signing-keys.ts) and, through the package store, each version's signatures.
import type { SigningKeyPair } from './keys.js';

export interface SigningKeyRecord extends SigningKeyPair {
  createdAt: string;
  /** Set when the key was rotated out: versions published before it still verify. */
  expiresAt: string | null;
}

export interface SigningKeyStore {
  /** Every key, newest first; the current one is the newest without `expiresAt`. */
  all(): Promise<SigningKeyRecord[]>;
  insert(key: SigningKeyRecord): Promise<void>;
  /** Marks every unexpired key but `keep` as expiring at `at`. */
  expireAllBut(keep: string, at: string): Promise<void>;
}
