import type { User } from '../accounts/store.js';

export interface TokenRecord {
  id: number;
  userId: number;
  display: string;
  readonly: boolean;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
}

export interface TokenStore {
  insert(token: {
    userId: number;
    tokenHash: string;
    display: string;
    readonly: boolean;
    createdAt: string;
    expiresAt: string | null;
  }): Promise<TokenRecord>;
  /** The live-or-not token with this hash, and its owner. */
  byHash(tokenHash: string): Promise<{ token: TokenRecord; user: User } | undefined>;
  revoke(id: number, at: string): Promise<void>;
  forUser(userId: number): Promise<TokenRecord[]>;
}
