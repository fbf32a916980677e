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
  /** What its owner called it; '' for a login's token. */
  name: string;
  /** Package names and `@scope`s it is limited to (limits.ts); null: every package its owner may use. */
  packages: readonly string[] | null;
  /** CIDR ranges it may be used from; null: anywhere. */
  cidrs: readonly string[] | null;
  /** Publishes without a second factor, so it may never change the account, tokens or owners. */
  bypass2fa: boolean;
  lastUsedAt: string | null;
  lastUsedIp: string | null;
}

/** What a new token is created with beyond its secret; the limits default to none. */
export interface NewToken {
  userId: number;
  tokenHash: string;
  display: string;
  scopes: readonly TokenScope[];
  createdAt: string;
  expiresAt: string | null;
  kind: TokenKind;
  name?: string;
  packages?: readonly string[] | null;
  cidrs?: readonly string[] | null;
  bypass2fa?: boolean;
}

export interface TokenStore {
  insert(token: NewToken): Promise<TokenRecord>;
  /** The live-or-not token with this hash, and its owner. */
  byHash(tokenHash: string): Promise<{ token: TokenRecord; user: User } | undefined>;
  revoke(id: number, at: string): Promise<void>;
  forUser(userId: number): Promise<TokenRecord[]>;
  /** Records the latest use of each token (a batch, written together); never moves a time backwards. */
  touch(uses: readonly { id: number; at: string; ip: string }[]): Promise<void>;
}
