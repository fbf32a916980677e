// Turns the Authorization header into a Principal. A bearer token costs one SHA-256 and a cached
// lookup; a token that is present but invalid is refused rather than treated as anonymous, so a
// user with a revoked token finds out at once. Never logs the header.
import type { FastifyRequest } from 'fastify';
import type { Registry } from '../registry.js';
import { ANONYMOUS, type Principal } from '../domain/principal.js';
import { fail } from '../domain/errors.js';

export async function principalOf(registry: Registry, authorization: string | undefined): Promise<Principal> {
  if (!authorization) return ANONYMOUS;
  const [scheme, value] = authorization.split(' ', 2);
  if (scheme?.toLowerCase() !== 'bearer' || !value) {
    fail('Unauthenticated', 'Use a token (run `npm login`); this registry does not take passwords on every request.');
  }
  const found = await registry.tokens.authenticate(value.trim());
  if (!found) fail('Unauthenticated', 'Your token is invalid, expired or revoked. Run `npm login` to get a new one.');
  return { kind: 'user', user: found.user, token: found.token };
}

export function requestPrincipal(registry: Registry, request: FastifyRequest): Promise<Principal> {
  return principalOf(registry, request.headers.authorization);
}

/** For endpoints that make no sense anonymously. */
export async function requireUser(registry: Registry, request: FastifyRequest) {
  const principal = await requestPrincipal(registry, request);
  if (principal.kind !== 'user') fail('Unauthenticated', 'You must be logged in. Run `npm login` first.');
  return principal;
}
