// How many body bytes each route may receive. Only a publish carries a tarball, so only it gets
// maxBodyBytes; a login or a dist-tag needs kilobytes, and a bigger body there is an attack on
// memory. Must never raise a limit for a route that does not need it: new routes get OTHER_BODY.
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import type { Config } from '../config.js';
import { Transform, type Readable } from 'node:stream';
import { catalogError, fail } from '../domain/errors.js';
import { parsePackagePath, splitUrl } from './npm/paths.js';

const KIB = 1024;
const MIB = 1024 * KIB;
/** A login is a name and a password (npm legacy login, the web sign-in form). */
const LOGIN_BODY = 16 * KIB;
/** `npm dist-tag add` sends the version as a bare JSON string. */
const DIST_TAG_BODY = 1 * KIB;
/** Clients send no body on DELETE; some send an empty JSON object. */
const DELETE_BODY = 16 * KIB;
/** Every route not named below, including routes added later. */
export const OTHER_BODY = 1 * MIB;

/** Routes by `METHOD url` as registered (the matched route, not the request path). */
const ROUTE_LIMITS: Record<string, number> = {
  'PUT /-/user/*': LOGIN_BODY,
  'POST /-/v1/login': LOGIN_BODY,
  'POST /login/cli/:id': LOGIN_BODY,
  'PUT /-/package/*': DIST_TAG_BODY,
  // npm profile set password / enable-2fa: passwords and a code.
  'POST /-/npm/v1/user': LOGIN_BODY,
};

/** "16 KB", "50 MB": the unit a person reads in an npm error line. */
export function describeBytes(bytes: number): string {
  return bytes >= MIB ? `${Math.round(bytes / MIB)} MB` : `${Math.round(bytes / KIB)} KB`;
}

function routeLimit(config: Config, method: string, url: string): number {
  // PUT /<name> is a publish or a document write-back (deprecate); only the body tells which.
  if (method === 'PUT' && url === '/*') return config.maxBodyBytes;
  if (method === 'DELETE') return DELETE_BODY;
  return ROUTE_LIMITS[`${method} ${url}`] ?? OTHER_BODY;
}

/** Must be registered before any route: it sets each route's limit as the route is added. */
export function registerBodyLimits(app: FastifyInstance, config: Config): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (route.bodyLimit !== undefined) return;
    route.bodyLimit = Math.max(...methods.map((m) => routeLimit(config, m, route.url)));
    if (methods.includes('PUT') && route.url === '/*') {
      const existing = route.preParsing === undefined ? [] : [route.preParsing].flat();
      route.preParsing = [...existing, documentLimit(config)];
    }
  });
}

/** `/<name>/-rev/<rev>` never carries a tarball: hold it to maxDocumentBytes as it is read. */
function documentLimit(config: Config) {
  return async (request: FastifyRequest, _reply: unknown, payload: Readable) => {
    const path = parsePackagePath(splitUrl(request.url).path);
    if (path?.kind !== 'package-rev') return payload;
    const limit = config.maxDocumentBytes;
    if (Number(request.headers['content-length']) > limit) fail('BodyTooLarge', tooLarge(limit));
    // A chunked body declares no size: count it.
    let seen = 0;
    const counted = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        seen += chunk.length;
        if (seen > limit) done(catalogError('BodyTooLarge', tooLarge(limit)));
        else done(null, chunk);
      },
    });
    payload.on('error', (err) => counted.destroy(err));
    return payload.pipe(counted);
  };
}

export function tooLarge(limit: number): string {
  return `The request body is larger than ${describeBytes(limit)}, the limit for this address.`;
}
