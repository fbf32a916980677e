// What trusted publishing stores (the Kysely version is storage/db/trust.ts).
import type { TrustConfig } from './configs.js';

export interface TrustedPublishToken {
  publisherId: string;
  packageName: string;
  identity: Record<string, string>;
  expiresAt: string;
}

export interface TrustStore {
  insert(config: TrustConfig): Promise<void>;
  byId(id: string): Promise<TrustConfig | undefined>;
  /** Every configuration covering `name`, pending ones included. */
  forPackage(name: string): Promise<TrustConfig[]>;
  /** Deletes the configuration, its package links and its minted tokens. */
  remove(id: string): Promise<void>;
  /** Takes one package off a configuration covering several. */
  unlink(id: string, name: string): Promise<void>;
  /** Pins GitHub's owner id on first use, and ends the pending state once the package exists. */
  update(id: string, change: { claims?: unknown; pendingUntil?: null }): Promise<void>;
  /** Records an exchanged ID token; false when (issuer, jti) was recorded before: a replay. */
  recordTokenId(issuer: string, jti: string, expiresAt: string): Promise<boolean>;
  /** Forgets exchanged jtis and minted tokens that expired before `before` (ISO time): neither can be used again. */
  pruneExpired(before: string): Promise<void>;
  insertToken(token: TrustedPublishToken & { tokenHash: string; createdAt: string }): Promise<void>;
  /** The minted token with this hash whose configuration still exists, expired or not. */
  tokenByHash(tokenHash: string): Promise<(TrustedPublishToken & { config: TrustConfig }) | undefined>;
}
