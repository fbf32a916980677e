// npm's login endpoints: the legacy CouchDB PUT (npm --auth-type=legacy, yarn 1 and 4), the web
// flow (POST /-/v1/login, the CLI polls doneUrl), logout, whoami and the user lookup npm owner uses.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Registry } from '../../registry.js';
import { fail } from '../../domain/errors.js';
import { isObject } from '../../domain/packages/publish-document.js';
import { requestPrincipal, requireUser } from '../auth.js';

const COUCH_USER = 'org.couchdb.user:';

function couchName(request: FastifyRequest): string {
  const raw = (request.params as Record<string, string>)['*'] ?? '';
  const first = raw.split('/')[0] ?? '';
  if (!first.startsWith(COUCH_USER)) fail('NotFound', 'Not a user address.');
  try {
    return decodeURIComponent(first.slice(COUCH_USER.length));
  } catch {
    fail('BadRequest', 'The user name is not valid URL encoding.');
  }
}

export function registerLoginRoutes(app: FastifyInstance, registry: Registry): void {
  // npm login --auth-type=legacy; yarn's login. Accounts are not created here: only logged into.
  app.put('/-/user/*', async (request, reply) => {
    const name = couchName(request);
    const body = request.body;
    if (!isObject(body) || typeof body.password !== 'string') fail('BadRequest', 'Send {"name": ..., "password": ...}.');
    if (body.name !== undefined && body.name !== name)
      fail('BadRequest', 'The name in the body differs from the one in the address.');
    const { user, token } = await registry.accounts.loginWithPassword(name, body.password);
    request.log.info({ user: user.name }, 'login');
    return reply.code(201).send({ ok: true, id: `${COUCH_USER}${user.name}`, token });
  });

  app.get('/-/user/*', async (request) => {
    const name = couchName(request);
    const principal = await requestPrincipal(registry, request);
    const user = await registry.store.users.byName(name);
    if (!user) fail('NotFound', `There is no user named "${name}".`);
    // Addresses are shown to signed-in users only (npm owner add needs one to write maintainers).
    return principal.kind === 'user'
      ? { _id: `${COUCH_USER}${user.name}`, name: user.name, email: user.email }
      : { name: user.name };
  });

  app.delete('/-/user/token/*', async (request) => {
    const principal = await requireUser(registry, request);
    let secret: string;
    try {
      secret = decodeURIComponent((request.params as Record<string, string>)['*'] ?? '');
    } catch {
      fail('BadRequest', 'The token in the address is not valid URL encoding.');
    }
    const revoked = await registry.tokens.revokeBySecret(principal.user, secret);
    if (!revoked) fail('NotFound', 'No such live token of yours.');
    return { ok: true };
  });

  app.get('/-/whoami', async (request) => {
    const principal = await requireUser(registry, request);
    return { username: principal.user.name };
  });

  app.post('/-/v1/login', async () => {
    const { id, doneSecret } = await registry.accounts.startWebLogin();
    const base = registry.baseUrl();
    return { loginUrl: `${base}/login/cli/${id}`, doneUrl: `${base}/-/v1/done/${doneSecret}` };
  });

  app.get<{ Params: { secret: string } }>('/-/v1/done/:secret', async (request, reply) => {
    const token = await registry.accounts.pollWebLogin(request.params.secret);
    if (token === undefined) return reply.code(202).header('retry-after', '1').send({});
    return { token };
  });
}
