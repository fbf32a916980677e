// The tokens domain wired in one place: what it needs is named here, and the composition root
// (src/registry.ts) supplies it.
import type { Store } from '../store.js';
import type { Clock } from '../clock.js';
import { TokenService } from './service.js';

export interface TokensDeps {
  store: Store;
  /** Token expiry and how long authentications stay cached. */
  clock: Clock;
  /** How long a token from a login (`npm login`, either flow) lives, in ms. */
  sessionTokenMs?: number;
}

export interface TokensDomain {
  tokens: TokenService;
}

export function wireTokens(deps: TokensDeps): TokensDomain {
  return { tokens: new TokenService(deps.store, deps.clock, deps.sessionTokenMs) };
}
