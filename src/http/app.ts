// Builds the Fastify app for a registry without listening, so tests can inject requests and the
// CLI can listen. Parsers accept what npm clients send: JSON objects, bare JSON strings
// (dist-tag add), JSON bodies on DELETE, and HTML form posts from the web pages.
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { FastReads } from './fast-reads.js';
import type { Registry } from '../registry.js';
import { registerErrorHandling, errorBody } from './errors.js';
import { registerPackageRoutes } from './npm/packages.js';
import { registerDistTagRoutes } from './npm/dist-tags.js';
import { registerLoginRoutes } from './npm/login.js';
import { registerMiscRoutes } from './npm/misc.js';
import { registerWebRoutes } from './web/index.js';

export async function buildApp(registry: Registry, opts: { logger?: boolean } = {}): Promise<FastifyInstance> {
  const config = registry.config;
  const fast = new FastReads(registry);
  const app = Fastify({
    // Reads already answerable from memory skip the framework; everything else goes through it.
    serverFactory: (handler) =>
      createServer({ keepAliveTimeout: 65_000 }, (req, res) => fast.handle(req, res) || handler(req, res)),
    logger:
      opts.logger === false
        ? false
        : {
            level: config.logLevel,
            // Secrets never reach a log: tokens travel in these headers and in logout URLs.
            redact: { paths: ['req.headers.authorization', 'req.headers["npm-otp"]', 'req.headers.cookie'], remove: true },
            serializers: {
              req: (req: { method: string; url: string; id: string }) => ({
                method: req.method,
                url: redactUrl(req.url),
                id: req.id,
              }),
            },
          },
    bodyLimit: config.maxBodyBytes,
    genReqId: (req) =>
      typeof req.headers['x-request-id'] === 'string' ? req.headers['x-request-id'].slice(0, 64) : randomUUID(),
    requestIdHeader: false,
    logController: new LogController({ disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace' }),
    routerOptions: { maxParamLength: 1000, ignoreDuplicateSlashes: false },
    return503OnClosing: false,
  });
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    // While shutting down, tell keep-alive clients not to send another request on this socket.
    if (closing) reply.header('connection', 'close');
  });
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(
    ['application/json', 'application/octet-stream', 'text/plain'],
    { parseAs: 'buffer' },
    (request, body, done) => {
      if ((body as Buffer).length === 0) return done(null, undefined);
      try {
        done(null, JSON.parse((body as Buffer).toString('utf8')));
      } catch {
        const err = Object.assign(new Error('The request body is not valid JSON.'), { statusCode: 400 });
        done(err, undefined);
      }
    },
  );
  await app.register(formbody, { bodyLimit: 64 * 1024 });
  registerErrorHandling(app, config.maxBodyBytes);
  registerMiscRoutes(app, registry);
  registerLoginRoutes(app, registry);
  registerDistTagRoutes(app, registry);
  registerWebRoutes(app, registry);
  registerPackageRoutes(app, registry);
  app.get('/-/*', async (request, reply) =>
    reply.code(404).send(errorBody(`Nothing at ${request.url.split('?')[0]}.`, 'NotFound')),
  );
  return app;
}

/** Logout URLs carry the token itself: keep it out of the access log. */
function redactUrl(url: string): string {
  return url.startsWith('/-/user/token/') ? '/-/user/token/[redacted]' : url;
}
