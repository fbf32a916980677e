import type { User } from '../accounts/store.js';
import type { TokenScope } from './scopes.js';

/**
 * `session`: handed to a client by a login (`npm login`, either flow), expires like a session;
 * `automation`: made on purpose for a machine (`npm token create`), no expiry unless asked.
 */
export type TokenKind = 'session' | 'automation';

export interface TokenRecord {
  id: number;
  userId: number;
  display: string;
  /** What the token may do (scopes.ts); never empty for a token issued here. */
  scopes: readonly TokenScope[];
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  kind: TokenKind;
}

export interface TokenStore {
  insert(token: {
    userId: number;
    tokenHash: string;
    display: string;
    scopes: readonly TokenScope[];
    createdAt: string;
    expiresAt: string | null;
    kind: TokenKind;
  }): Promise<TokenRecord>;
  /** The live-or-not token with this hash, and its owner. */
  byHash(tokenHash: string): Promise<{ token: TokenRecord; user: User } | undefined>;
  revoke(id: number, at: string): Promise<void>;
  forUser(userId: number): Promise<TokenRecord[]>;
}
