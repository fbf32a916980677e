// What a token may do, as a list of scopes rather than one read-only flag, so the authentication
// track can add narrower tokens (one package, one action) without another column.
import type { TokenRecord } from './store.js';

/**
 * `read`: installs and views; `publish`: new versions; `manage`: dist-tags, deprecation, owners,
 * unpublish; `stage`: new versions held for an approval (docs/staged-publishing.md), never published.
 */
export const TOKEN_SCOPES = ['read', 'publish', 'manage', 'stage'] as const;

export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** What `npm token create --read-only` and a read-only token from before scopes get. */
export const READ_ONLY_SCOPES: readonly TokenScope[] = ['read'];

/** What every other token gets: everything its user may do (`stage` is implied by `publish`). */
export const ALL_SCOPES: readonly TokenScope[] = ['read', 'publish', 'manage'];

/** A CI token that stages and reads, and can put nothing in front of installers by itself. */
export const STAGE_ONLY_SCOPES: readonly TokenScope[] = ['read', 'stage'];

export function isTokenScope(value: unknown): value is TokenScope {
  return (TOKEN_SCOPES as readonly unknown[]).includes(value);
}

/** `publish` implies `stage`: a token that may publish may also stage for an approval. */
export function tokenAllows(token: Pick<TokenRecord, 'scopes'>, scope: TokenScope): boolean {
  return token.scopes.includes(scope) || (scope === 'stage' && token.scopes.includes('publish'));
}

/** The read-only flag npm's token answers show: a token that can neither publish nor manage. */
export function isReadOnly(token: Pick<TokenRecord, 'scopes'>): boolean {
  return !tokenAllows(token, 'publish') && !tokenAllows(token, 'manage') && !tokenAllows(token, 'stage');
}
