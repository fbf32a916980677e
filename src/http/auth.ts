// Turns the Authorization header, or on web pages the session cookie, into a Principal, once per
// request (the onRequest hook below).
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
import { readSessionCookie } from './web/session-cookie.js';
import { isWellFormedToken } from '../domain/tokens/format.js';
import { addressLimitDenial } from '../domain/tokens/limits.js';

/**
 * Where a session cookie counts: page views (GET, HEAD) and the web UI's form posts, which the
 * CSRF check (web/csrf.ts) guards. Never npm's API (`/-/…`) and never PUT, DELETE or PATCH: a
 * cookie travels with requests another site makes the browser send, a token does not.
 */
function sessionMayAuthenticate(request: FastifyRequest): boolean {
  const method = request.method;
  if (method !== 'GET' && method !== 'HEAD' && method !== 'POST') return false;
  return !request.url.startsWith('/-/');
}

async function principalOf(registry: Registry, request: FastifyRequest): Promise<Principal> {
  const authorization = request.headers.authorization;
  if (!authorization) return sessionPrincipalOf(registry, request);
  const [scheme, value] = authorization.split(' ', 2);
  if (scheme?.toLowerCase() !== 'bearer' || !value) {
    fail('Unauthenticated', 'Use a token (run `npm login`); this registry does not take passwords on every request.');
  }
  const secret = value.trim();
  // The OIDC exchange's bearer is a CI's ID token, which only that route reads (npm/trust.ts).
  if (request.routeOptions.config?.idTokenBearer) return ANONYMOUS;
  // Checked before any lookup: a look-alike (a typo, a scanner's false positive) costs no query.
  if (!isWellFormedToken(secret))
    fail('TokenMalformed', 'This is not a Gatehouse token (its checksum does not match). Run `npm login` to get one.');
  const found = await registry.tokens.authenticate(secret);
  if (found) return tokenPrincipal(found);
  // Not a user's token: perhaps one a trusted-publishing exchange minted (domain/trust).
  const publisher = await registry.trust.authenticate(secret);
  if (!publisher) fail('Unauthenticated', 'Your token is invalid, expired or revoked. Run `npm login` to get a new one.');
  return publisher;
}

/** A cookie that names no live session is no session: the page is shown as to anyone. */
async function sessionPrincipalOf(registry: Registry, request: FastifyRequest): Promise<Principal> {
  if (!sessionMayAuthenticate(request)) return ANONYMOUS;
  const secret = readSessionCookie(request, registry);
  if (secret === undefined) return ANONYMOUS;
  const principal = await registry.sessions.authenticate(secret);
  if (!principal) return ANONYMOUS;
  request.sessionSecret = secret;
  return principal;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The cookie's secret when a web session authenticated this request, for its CSRF token only. */
    sessionSecret?: string;
  }
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A write route anyone may call (set where the route is registered); the default is "needs a user". */
    anonymousWrite?: boolean;
    /** The Authorization header carries an OIDC ID token for the route itself, not a registry token. */
    idTokenBearer?: boolean;
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
  app.decorateRequest('sessionSecret', undefined);
  app.addHook('onRequest', async (request) => {
    const principal = await principalOf(registry, request);
    const context = buildRequestContext(request, principal, trustedProxies);
    if (principal.kind === 'user') {
      // A token used from outside its ranges is refused outright, reads included (fast-reads.ts too).
      const refused = addressLimitDenial(principal.token, context.clientIp);
      if (refused) enforce(refused);
      registry.tokens.recordUse(principal.token, () => context.clientIp);
    }
    // A trusted publisher passes the gate: every write decision behind it answers for that kind
    // (canPublish allows its own packages; every other one refuses it).
    if (needsUser(request) && principal.kind !== 'trusted-publisher') enforce(canActAsUser(principal, 'write here'));
    request.context = context;
  });
}
