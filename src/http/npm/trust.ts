// Trusted publishing over npm's protocol: `npm trust github|gitlab|circleci|list|revoke`
// (npm/lib/trust-cmd.js, commands/trust/*.js: /-/package/<escapedName>/trust[/<id>]) and the
// OIDC exchange npm runs before a publish in CI (npm/lib/utils/oidc.js). The exchange's bearer is
// the CI's ID token, not a registry token: auth.ts leaves it to this route (idTokenBearer).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Registry } from '../../registry.js';
import { fail } from '../../domain/errors.js';
import { parsePackageName } from '../../domain/packages/names.js';
import { trustConfigJson } from '../../domain/trust/configs.js';
import { MAX_ID_TOKEN_BYTES } from '../../domain/trust/id-token.js';
import { splitUrl } from './paths.js';

const EXCHANGE = '/-/npm/v1/oidc/token/exchange/package/';

function nameParam(request: FastifyRequest<{ Params: { pkg: string } }>) {
  return parsePackageName(request.params.pkg);
}

/** npm escapes the name (`@scope%2fname`) and builds the address from the registry's origin. */
function exchangeName(request: FastifyRequest) {
  const raw = splitUrl(request.url).path.slice(EXCHANGE.length);
  let name: string;
  try {
    name = decodeURIComponent(raw);
  } catch {
    fail('BadRequest', 'The address is not valid URL encoding.');
  }
  return parsePackageName(name);
}

function idTokenOf(request: FastifyRequest): string {
  const header = request.headers.authorization ?? '';
  const [scheme, value] = header.split(' ', 2);
  if (scheme?.toLowerCase() !== 'bearer' || !value) {
    fail('Unauthenticated', "Send the CI's OIDC ID token as `Authorization: Bearer <token>`.");
  }
  if (value.length > MAX_ID_TOKEN_BYTES) fail('OidcTokenMalformed', `The ID token is longer than ${MAX_ID_TOKEN_BYTES} bytes.`);
  return value.trim();
}

export function registerTrustRoutes(app: FastifyInstance, registry: Registry): void {
  app.get<{ Params: { pkg: string } }>('/-/package/:pkg/trust', async (request) => {
    const configs = await registry.trust.list(request.context, nameParam(request));
    return configs.map(trustConfigJson);
  });
  app.post<{ Params: { pkg: string } }>('/-/package/:pkg/trust', async (request, reply) => {
    const added = await registry.trust.add(request.context, nameParam(request), request.body);
    return reply.code(201).send(added.map(trustConfigJson));
  });
  app.delete<{ Params: { pkg: string; id: string } }>('/-/package/:pkg/trust/:id', async (request) => {
    await registry.trust.revoke(request.context, nameParam(request), request.params.id);
    return { ok: true };
  });
  app.post(`${EXCHANGE}*`, { config: { anonymousWrite: true, idTokenBearer: true } }, async (request) => {
    const { token, expiresAt } = await registry.trust.exchange(idTokenOf(request), exchangeName(request));
    return { token, expires: expiresAt };
  });
}
