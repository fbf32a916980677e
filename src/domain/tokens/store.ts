import type { User } from '../accounts/store.js';
import type { TokenScope } from './scopes.js';

export interface TokenRecord {
  id: number;
  userId: number;
  display: string;
  /** What the token may do (scopes.ts); never empty for a token issued here. */
  scopes: readonly TokenScope[];
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
}

export interface TokenStore {
  insert(token: {
    userId: number;
    tokenHash: string;
    display: string;
    scopes: readonly TokenScope[];
    createdAt: string;
    expiresAt: string | null;
  }): Promise<TokenRecord>;
  /** The live-or-not token with this hash, and its owner. */
  byHash(tokenHash: string): Promise<{ token: TokenRecord; user: User } | undefined>;
  revoke(id: number, at: string): Promise<void>;
  forUser(userId: number): Promise<TokenRecord[]>;
}
