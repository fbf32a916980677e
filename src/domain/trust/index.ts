// Trusted publishing wired in one place: the ID-token verifier (issuer allow-list, discovery,
// JWKS cache) and the service. Composition (src/registry.ts) calls wireTrust once.
import type { Store } from '../store.js';
import type { Clock } from '../clock.js';
import type { RequestContext } from '../access/context.js';
import type { JobRunner } from '../jobs/runner.js';
import { parseCustomIssuers } from './configs.js';
import { IdTokenVerifier } from './id-token.js';
import { TrustService } from './service.js';

export { TrustService } from './service.js';

export interface TrustSettings {
  oidcGithubIssuer: string;
  oidcGitlabIssuer: string;
  oidcCircleciIssuer: string;
  oidcIssuers: string;
  oidcClockSkewSeconds: number;
  oidcFetchTimeoutMs: number;
  oidcKeysCooldownSeconds: number;
  trustTokenMinutes: number;
  trustPendingHours: number;
}

export function wireTrust(deps: {
  store: Store;
  clock: Clock;
  settings: TrustSettings;
  baseUrl: () => string;
  jobs: JobRunner;
  writeCheck: (context: RequestContext) => Promise<unknown>;
}): { trust: TrustService } {
  const s = deps.settings;
  const customIssuers = parseCustomIssuers(s.oidcIssuers);
  const trim = (url: string) => url.replace(/\/+$/, '');
  const verifier = new IdTokenVerifier(
    {
      github: trim(s.oidcGithubIssuer),
      gitlab: trim(s.oidcGitlabIssuer),
      circleci: trim(s.oidcCircleciIssuer),
      custom: customIssuers,
      skewSeconds: s.oidcClockSkewSeconds,
      fetchTimeoutMs: s.oidcFetchTimeoutMs,
      keysCooldownMs: s.oidcKeysCooldownSeconds * 1000,
    },
    deps.clock,
  );
  const audiences = () => {
    const url = new URL(deps.baseUrl());
    return [...new Set([`npm:${url.hostname}`, `npm:${url.host}`])];
  };
  const trust = new TrustService({
    store: deps.store,
    clock: deps.clock,
    verifier,
    customIssuers,
    audiences,
    tokenMinutes: s.trustTokenMinutes,
    pendingHours: s.trustPendingHours,
    skewSeconds: s.oidcClockSkewSeconds,
    writeCheck: deps.writeCheck,
  });
  // Once across the fleet per hour: the jti table would otherwise grow with every exchange.
  deps.jobs.define({ name: 'trust.prune', scope: 'cluster', intervalMs: 60 * 60 * 1000, run: () => trust.pruneExpired() });
  return { trust };
}
