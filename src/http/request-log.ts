// What the access log records about a request, and the request id it is filed under. Secrets
// travel in some paths (a logout URL holds the token, doneUrl holds the login secret): those are
// recognised by the route the router matched, never by string prefix, so no escaping of the path
// (`%74oken`) gets one past. Must never log headers, bodies or a secret-bearing path.
import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { TOKEN_PREFIX } from '../domain/tokens/format.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set on a route whose path carries a secret: the log shows the route, not the path. */
    secretInPath?: boolean;
  }
}

/** Routes registered in files this module does not own, whose paths carry secrets. */
const SECRET_ROUTES = new Set([
  '/-/user/token/*', // DELETE: npm logout sends the token itself
  '/-/v1/done/:secret', // GET: npm login polls with the web-login secret
  '/login/cli/:id', // GET/POST: whoever holds the id may finish someone's pending login
]);

/** Client-chosen request ids are echoed in a header and the log: only a plain, short token is kept. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export function requestId(req: IncomingMessage): string {
  const offered = req.headers['x-request-id'];
  return typeof offered === 'string' && SAFE_REQUEST_ID.test(offered) ? offered : randomUUID();
}

/** Our token's shape, for a token sent where no route expects one (a GET of a logout URL, say). */
const TOKEN_SHAPE = new RegExp(`${TOKEN_PREFIX}[0-9A-Za-z]{20,}`);

/** The URL as the log may show it. */
export function loggedUrl(request: FastifyRequest): string {
  const route = request.routeOptions.url;
  if (route !== undefined && (SECRET_ROUTES.has(route) || request.routeOptions.config.secretInPath)) {
    return route.replace(/:[^/]+|\*/g, '[redacted]');
  }
  // Without a route the router could not decode the URL, which may then hold anything at all.
  const decoded = decodedUrl(request.url);
  if (decoded === undefined) return '[undecodable]';
  return TOKEN_SHAPE.test(decoded) ? '[redacted: the address holds a token]' : request.url;
}

function decodedUrl(url: string): string | undefined {
  try {
    return decodeURIComponent(url);
  } catch {
    return undefined;
  }
}

/** Where log lines go: stdout by default; tests pass a stream to read them. */
export interface LogDestination {
  write(line: string): void;
}

export function loggerOptions(level: string, stream: LogDestination | undefined) {
  return {
    level,
    ...(stream && { stream }),
    // Belt and braces: nothing here logs headers, but a future `log.info({ req: request.raw })` might.
    redact: { paths: ['req.headers.authorization', 'req.headers["npm-otp"]', 'req.headers.cookie'], remove: true },
    serializers: {
      req: (request: FastifyRequest) => ({ method: request.method, url: loggedUrl(request), id: request.id }),
    },
  };
}
