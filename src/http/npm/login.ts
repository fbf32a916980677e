// npm's login endpoints: the legacy CouchDB PUT (npm --auth-type=legacy, yarn 1 and 4), the web
// flow (POST /-/v1/login, the CLI polls doneUrl), logout, whoami and the user lookup npm owner uses.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Registry } from '../../registry.js';
import { fail } from '../../domain/errors.js';
import { isObject } from '../../domain/packages/publish-document.js';
import { auditedLogin } from '../login-audit.js';
import { signInNotice, type SignInNotices } from '../../domain/accounts/service.js';
import { signInStep } from '../../domain/mfa/index.js';
import type { User } from '../../domain/accounts/store.js';

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
  // npm login --auth-type=legacy; yarn's login. With an email it is npm adduser (npm-profile's
  // adduserCouch): a new name signs up when the registry allows it, an existing one logs in.
  app.put('/-/user/*', async (request, reply) => {
    const name = couchName(request);
    const body = request.body;
    if (!isObject(body) || typeof body.password !== 'string') fail('BadRequest', 'Send {"name": ..., "password": ...}.');
    if (body.name !== undefined && body.name !== name)
      fail('BadRequest', 'The name in the body differs from the one in the address.');
    const password = body.password;
    const email = body.email;
    // An account with a second factor: 401 + WWW-Authenticate: OTP until npm resends with npm-otp.
    const secondStep = (user: User) => signInStep(registry.mfa.secondFactor, user, request.context);
    const { user, token } = await auditedLogin(
      request,
      name,
      'password',
      (): Promise<{ user: User & Partial<SignInNotices>; token: string }> =>
        typeof email === 'string'
          ? registry.signup.addUser(request.context, { name, email, password }, secondStep)
          : registry.accounts.loginWithPassword(name, password, request.context, secondStep),
    );
    request.log.info({ user: user.name }, 'login');
    // npm prints an `npm-notice` header (npm-registry-fetch check-response.js): a leaked password or a dead email domain.
    const notice = signInNotice(user);
    if (notice) reply.header('npm-notice', notice);
    // The body carries a token: no cache (a proxy, the browser's) may keep a copy.
    return reply
      .code(201)
      .header('cache-control', 'no-store')
      .send({ ok: true, id: `${COUCH_USER}${user.name}`, token });
  });

  // npm owner add reads this for {name, email}; what it shows to whom is decided in the domain.
  app.get('/-/user/*', async (request) => {
    const name = couchName(request);
    return registry.accounts.lookupUser(request.context, name);
  });

  app.delete('/-/user/token/*', async (request) => {
    let secret: string;
    try {
      secret = decodeURIComponent((request.params as Record<string, string>)['*'] ?? '');
    } catch {
      fail('BadRequest', 'The token in the address is not valid URL encoding.');
    }
    const revoked = await registry.tokens.revokeBySecret(request.context, secret);
    if (!revoked) fail('TokenNotFound', 'No such live token of yours.');
    return { ok: true };
  });

  app.get('/-/whoami', async (request) => {
    return { username: registry.accounts.whoami(request.context).name };
  });

  // npm-profile's loginWeb: an empty JSON body. Who asked is shown on the sign-in page.
  app.post('/-/v1/login', async (request, reply) => {
    const requestedBy = { ip: request.context.clientIp, userAgent: request.context.userAgent };
    const { id, doneSecret } = await registry.webLogins.start(requestedBy);
    const base = registry.baseUrl();
    // doneUrl is the secret that collects the token: as private as the token itself.
    return reply
      .header('cache-control', 'no-store')
      .send({ loginUrl: `${base}/login/cli/${id}`, doneUrl: `${base}/-/v1/done/${doneSecret}` });
  });

  app.get<{ Params: { secret: string } }>('/-/v1/done/:secret', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const token = await registry.webLogins.poll(request.params.secret);
    if (token === undefined) return reply.code(202).header('retry-after', '1').send({});
    return { token };
  });
}
