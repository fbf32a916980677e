// Creates, authenticates and revokes tokens. Authentication costs one SHA-256 and, on a cache
// miss, one indexed lookup; results are cached briefly so an install with a token costs about
// what an anonymous one does. Revocation drops the cache entry at once on this instance, and
// other instances drop it when they see the token.revoked event. Tokens that were never issued
// are cached apart, in their own bounded LRU: anyone can mint well-formed forgeries, and they
// must never push a live token out of the cache the read fast path answers from.
import type { RequestOrigin } from '../events/origin.js';
import type { Repositories, Store } from '../store.js';
import type { User } from '../accounts/store.js';
import type { NewToken, TokenKind, TokenRecord } from './store.js';
import type { RequestContext } from '../access/context.js';
import { enforce } from '../access/principal.js';
import { canActAsUser } from '../accounts/authorize.js';
import { ALL_SCOPES, isReadOnly, type TokenScope } from './scopes.js';
import { userActor } from '../access/actor.js';
import { LRUCache } from 'lru-cache';
import { dateOf, systemClock, type Clock } from '../clock.js';
import { displayToken, generateToken, hashToken, isWellFormedToken, type TokenHash } from './format.js';

export interface Authenticated {
  user: User;
  token: TokenRecord;
}

const CACHE_MS = 10_000;
/** npm's public registry gives `npm login` tokens a 12-hour life; the setting loginTokenHours overrides it. */
export const DEFAULT_SESSION_TOKEN_MS = 12 * 60 * 60 * 1000;
/** Issued tokens (live, revoked or expired) remembered at once; only real rows can enter. */
const KNOWN_MAX = 10_000;
/** Well-formed tokens never issued: least recently seen go first, so a flood only evicts itself. */
const UNKNOWN_MAX = 10_000;
/** A token's last use is written at most this often: reads never wait for a write. */
const USE_WRITE_MS = 60_000;

export class TokenService {
  // Entries age by the registry's clock, so a test's injected clock decides when they go stale.
  private readonly perf = { now: () => this.clock.now() };
  private readonly known = new LRUCache<TokenHash, Authenticated>({ max: KNOWN_MAX, ttl: CACHE_MS, perf: this.perf });
  private readonly unknown = new LRUCache<TokenHash, true>({ max: UNKNOWN_MAX, ttl: CACHE_MS, perf: this.perf });
  private readonly now = () => dateOf(this.clock);
  /** When each token's use was last queued (bounded like the cache), and the uses not yet written. */
  private readonly useQueued = new LRUCache<number, number>({ max: KNOWN_MAX });
  private readonly pendingUses = new Map<number, { id: number; at: string; ip: string }>();
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock = systemClock,
    /** How long a session token (from a login) lives, in ms. */
    private readonly sessionTokenMs: number = DEFAULT_SESSION_TOKEN_MS,
  ) {}

  /**
   * Issues a token inside the caller's transaction, writing the token.created event. Scopes
   * default to all. A `session` token (what a login hands out) expires after the configured
   * lifetime unless `expiresAt` says otherwise; an automation token (the default) never does.
   */
  async create(
    tx: Repositories,
    user: User,
    opts: {
      scopes?: readonly TokenScope[];
      expiresAt?: string | null;
      reason: string;
      kind?: TokenKind;
      /** A granular token's name and limits (granular.ts); none by default. */
      limits?: Pick<NewToken, 'name' | 'packages' | 'cidrs' | 'bypass2fa'>;
      origin?: RequestOrigin;
    },
  ) {
    const secret = generateToken();
    const now = this.now();
    const createdAt = now.toISOString();
    const kind = opts.kind ?? 'automation';
    const expiresAt =
      opts.expiresAt !== undefined
        ? opts.expiresAt
        : kind === 'session'
          ? new Date(now.getTime() + this.sessionTokenMs).toISOString()
          : null;
    const record = await tx.tokens.insert({
      userId: user.id,
      tokenHash: hashToken(secret),
      display: displayToken(secret),
      scopes: opts.scopes ?? ALL_SCOPES,
      createdAt,
      expiresAt,
      kind,
      ...opts.limits,
    });
    await tx.events.append({
      type: 'token.created',
      actor: userActor(user),
      // The payload keeps the flag older events carry; the log is never rewritten.
      data: {
        tokenId: record.id,
        display: record.display,
        readonly: isReadOnly(record),
        reason: opts.reason,
        ...(opts.limits && {
          scopes: record.scopes,
          packages: record.packages,
          cidrs: record.cidrs,
          bypass2fa: record.bypass2fa,
          expiresAt: record.expiresAt,
        }),
        ...opts.origin,
      },
      createdAt,
    });
    return { secret, record };
  }

  async authenticate(secret: string): Promise<Authenticated | undefined> {
    if (!isWellFormedToken(secret)) return undefined;
    const hash = hashToken(secret);
    const cached = this.known.get(hash);
    if (cached) return this.live(cached);
    if (this.unknown.has(hash)) return undefined;
    const found = await this.store.tokens.byHash(hash);
    if (found) this.known.set(hash, found);
    else this.unknown.set(hash, true);
    return this.live(found);
  }

  /**
   * The cached answer without touching the database: the token's owner, 'invalid', or
   * 'unknown' when only a lookup can tell. The read fast path uses this.
   */
  peek(secret: string, hash: TokenHash = hashToken(secret)): Authenticated | 'invalid' | 'unknown' {
    // Only well-formed tokens are ever cached, so a hit needs no format check: one hash, one lookup.
    // `hash` is for a caller that already has the secret's hash (the fast path keeps one per connection).
    const cached = this.known.get(hash);
    if (cached) return this.live(cached) ?? 'invalid';
    if (this.unknown.has(hash)) return 'invalid';
    return isWellFormedToken(secret) ? 'unknown' : 'invalid';
  }

  private live(found: Authenticated | undefined): Authenticated | undefined {
    if (!found || found.token.revokedAt) return undefined;
    if (found.token.expiresAt && Date.parse(found.token.expiresAt) <= this.now().getTime()) return undefined;
    return found;
  }

  /**
   * Notes that `token` was used from `address()` (asked only when a write is due). At most once a
   * minute per token, written after the request in one batch, so a burst of installs costs one update.
   */
  recordUse(token: TokenRecord, address: () => string): void {
    const now = this.clock.now();
    const last = this.useQueued.get(token.id);
    if (last !== undefined && now - last < USE_WRITE_MS) return;
    this.useQueued.set(token.id, now);
    this.pendingUses.set(token.id, { id: token.id, at: new Date(now).toISOString(), ip: address() });
    this.flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.writeUses());
  }

  /** Resolves when the uses noted so far are written (tests, and the registry's close). */
  async flushUses(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async writeUses(): Promise<void> {
    const uses = [...this.pendingUses.values()];
    this.pendingUses.clear();
    try {
      await this.store.tokens.touch(uses);
    } catch (err) {
      // Only a last-use time is lost; never the request. The message names no token.
      process.emitWarning(`gatehouse: recording token use failed: ${(err as Error).message}`);
    } finally {
      this.flushing = undefined;
    }
  }

  /** Revokes the token with this secret if it belongs to the asker; false if there was nothing to revoke. */
  async revokeBySecret(context: RequestContext, secret: string): Promise<boolean> {
    const { user } = enforce(canActAsUser(context.principal, 'revoke a token'));
    const hash = hashToken(secret);
    const found = await this.store.tokens.byHash(hash);
    if (!found || found.user.id !== user.id || found.token.revokedAt) return false;
    await this.revokeOwned(user, found.token);
    return true;
  }

  /**
   * Revokes `user`'s own live token `tokenId` (the account page's revoke button, after its own
   * decision); false if there was nothing of theirs to revoke.
   */
  async revokeById(user: User, tokenId: number): Promise<boolean> {
    const token = (await this.store.tokens.forUser(user.id)).find((t) => t.id === tokenId);
    if (!token || token.revokedAt) return false;
    await this.revokeOwned(user, token);
    return true;
  }

  private async revokeOwned(user: User, token: TokenRecord): Promise<void> {
    await this.store.transaction((tx) => revokeInTransaction(tx, user, token, this.now().toISOString()));
    this.forget(token.id);
  }

  /** `npm token revoke`: revokes the asker's own live token `tokenId`; false if there was none. */
  async revokeOwn(context: RequestContext, tokenId: number): Promise<boolean> {
    const { user } = enforce(canActAsUser(context.principal, 'revoke a token'));
    return this.revokeById(user, tokenId);
  }

  /** `npm token list`: the asker's own tokens that still work, oldest first. */
  async listOwn(context: RequestContext): Promise<TokenRecord[]> {
    const { user } = enforce(canActAsUser(context.principal, 'list your tokens'));
    return (await this.store.tokens.forUser(user.id)).filter((token) => this.live({ user, token }) !== undefined);
  }

  /** Drops every cached answer for this user's tokens (their account changed: a verified address). */
  forgetUser(userId: number): void {
    const stale = [...this.known.entries()].filter(([, entry]) => entry.user.id === userId).map(([hash]) => hash);
    for (const hash of stale) this.known.delete(hash);
  }

  /** Drops any cached answer for this token id (after a revocation here or on another instance). */
  forget(tokenId: number): void {
    // Collected first: deleting from an LRUCache while iterating it is not promised to be safe.
    const stale = [...this.known.entries()].filter(([, entry]) => entry.token.id === tokenId).map(([hash]) => hash);
    for (const hash of stale) this.known.delete(hash);
  }
}

/** Revokes `token` of `user` inside the caller's transaction, with its token.revoked event. */
export async function revokeInTransaction(
  tx: Repositories,
  user: Pick<User, 'id'>,
  token: Pick<TokenRecord, 'id' | 'display'>,
  at: string,
): Promise<void> {
  await tx.tokens.revoke(token.id, at);
  await tx.events.append({
    type: 'token.revoked',
    actor: userActor(user),
    data: { tokenId: token.id, display: token.display },
    createdAt: at,
  });
}
