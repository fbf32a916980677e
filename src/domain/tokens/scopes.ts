// What a token may do, as a list of scopes rather than one read-only flag, so the authentication
// track can add narrower tokens (one package, one action) without another column.
import type { TokenRecord } from './store.js';

/** `read`: installs and views; `publish`: new versions; `manage`: dist-tags, deprecation, owners, unpublish. */
export const TOKEN_SCOPES = ['read', 'publish', 'manage'] as const;

export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** What `npm token create --read-only` and a read-only token from before scopes get. */
export const READ_ONLY_SCOPES: readonly TokenScope[] = ['read'];

/** What every other token gets: everything its user may do. */
export const ALL_SCOPES: readonly TokenScope[] = TOKEN_SCOPES;

export function isTokenScope(value: unknown): value is TokenScope {
  return (TOKEN_SCOPES as readonly unknown[]).includes(value);
}

export function tokenAllows(token: Pick<TokenRecord, 'scopes'>, scope: TokenScope): boolean {
  return token.scopes.includes(scope);
}

/** The read-only flag npm's token answers show: a token that can neither publish nor manage. */
export function isReadOnly(token: Pick<TokenRecord, 'scopes'>): boolean {
  return !tokenAllows(token, 'publish') && !tokenAllows(token, 'manage');
}
