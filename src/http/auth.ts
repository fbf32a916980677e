// Turns the Authorization header into a Principal, once per request (the onRequest hook below).
// A bearer token costs one SHA-256 and a cached lookup; a token that is present but invalid is
// refused rather than treated as anonymous, so a user with a revoked token finds out at once.
// Never logs the header.
// Writes are authenticated before their body is read (registerWriteAuthentication): an anonymous
// client must not make us buffer and parse megabytes only to be told to log in.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Registry } from '../registry.js';
import { ANONYMOUS, enforce, tokenPrincipal, type Principal } from '../domain/access/principal.js';
import { canActAsUser } from '../domain/accounts/authorize.js';
import { fail } from '../domain/errors.js';
import { buildRequestContext, parseTrustedProxies } from './request-context.js';

async function principalOf(registry: Registry, authorization: string | undefined): Promise<Principal> {
  if (!authorization) return ANONYMOUS;
  const [scheme, value] = authorization.split(' ', 2);
  if (scheme?.toLowerCase() !== 'bearer' || !value) {
    fail('Unauthenticated', 'Use a token (run `npm login`); this registry does not take passwords on every request.');
  }
  const found = await registry.tokens.authenticate(value.trim());
  if (!found) fail('Unauthenticated', 'Your token is invalid, expired or revoked. Run `npm login` to get a new one.');
  return tokenPrincipal(found);
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A write route anyone may call (set where the route is registered); the default is "needs a user". */
    anonymousWrite?: boolean;
  }
}

/** Writes anyone may send: they are how a client gets a token in the first place. */
const ANONYMOUS_WRITES = new Set([
  'PUT /-/user/*', // npm login --auth-type=legacy, yarn login (org.couchdb.user:NAME)
  'POST /-/v1/login', // npm login's web flow: start
]);

/**
 * Does this request need a user before its body is read? Every PUT, DELETE and PATCH, and POSTs
 * to npm's /-/ API. Web form posts (outside /-/) authenticate by their own means, within the
 * small body limit every non-publish route has.
 */
function needsUser(request: FastifyRequest): boolean {
  const method = request.method;
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return false;
  if (ANONYMOUS_WRITES.has(`${method} ${request.routeOptions.url}`)) return false;
  if (request.routeOptions.config?.anonymousWrite) return false;
  if (method === 'POST') return request.url.startsWith('/-/');
  return true;
}

/**
 * onRequest runs before any body byte is read; the refusal closes the connection (errors.ts).
 * It finds the principal for every request (a token that is present but invalid is refused on
 * reads too) and builds the request context from it (request-context.ts).
 */
export function registerWriteAuthentication(app: FastifyInstance, registry: Registry): void {
  const trustedProxies = parseTrustedProxies(registry.config.trustedProxies);
  app.decorateRequest('context', null as never);
  app.addHook('onRequest', async (request) => {
    const principal = await principalOf(registry, request.headers.authorization);
    if (needsUser(request)) enforce(canActAsUser(principal, 'write here'));
    request.context = buildRequestContext(request, principal, trustedProxies);
  });
}
