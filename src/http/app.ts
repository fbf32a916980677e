// Builds the Fastify app for a registry without listening, so tests can inject requests and the
// CLI can listen. Parsers accept what npm clients send: JSON objects, bare JSON strings
// (dist-tag add), JSON bodies on DELETE, and HTML form posts from the web pages.
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import { FastReads } from './fast-reads.js';
import type { Registry } from '../registry.js';
import { registerErrorHandling, errorBody, frameworkError, clientError } from './errors.js';
import { OTHER_BODY, registerBodyLimits } from './body-limits.js';
import { registerWriteAuthentication } from './auth.js';
import { loggerOptions, requestId, type LogDestination } from './request-log.js';
import { createRegistryServer } from './server.js';
import { schemaController } from './no-schemas.js';
import { registerPackageRoutes } from './npm/packages.js';
import { registerDistTagRoutes } from './npm/dist-tags.js';
import { registerLoginRoutes } from './npm/login.js';
import { registerMiscRoutes } from './npm/misc.js';
import { registerDownloadRoutes } from './npm/downloads.js';
import { registerProfileRoutes } from './npm/profile.js';
import { registerTokenRoutes } from './npm/tokens.js';
import { registerTrustRoutes } from './npm/trust.js';
import { registerKeyRoutes } from './npm/keys.js';
import { registerAttestationRoutes } from './npm/attestations.js';
import { registerSecretScanningRoutes } from './npm/secret-scanning.js';
import { registerWebRoutes } from './web/index.js';
import { registerOrgRoutes } from './npm/orgs.js';
import { registerApprovalRoutes } from './npm/approvals.js';
import { registerReportRoutes } from './npm/reports.js';
import { registerAuditLogRoutes } from './npm/audit-log.js';
import { registerPrinciplesRoutes } from './npm/security-principles.js';
import { registerTransparencyRoutes } from './npm/tlog.js';
import { registerStageRoutes } from './npm/stage.js';
import { registerNameAdminRoutes } from './admin/names.js';
import { registerScanningRoutes } from './npm/scanning.js';
import { registerAuditRoutes } from './npm/audit.js';
import { registerAdvisoryAdminRoutes } from './admin/advisories.js';
import { registerQuarantineRoutes } from './npm/quarantine.js';

export interface AppOptions {
  /** false: no logging at all (most tests). */
  logger?: boolean;
  /** Where log lines go instead of stdout. */
  logStream?: LogDestination;
  /** Told each route as it is registered ("METHOD /path"): the authorization matrix test checks it covers every write. */
  onRoute?: (route: string) => void;
}

export async function buildApp(registry: Registry, opts: AppOptions = {}): Promise<FastifyInstance> {
  const config = registry.config;
  const fast = new FastReads(registry);
  const app = Fastify({
    // Reads already answerable from memory skip the framework; everything else goes through it.
    serverFactory: (handler) => createRegistryServer(config, fast, handler),
    logger: opts.logger === false ? false : loggerOptions(config.logLevel, opts.logStream),
    // Routes get their own limits (body-limits.ts); this covers what no route matched.
    bodyLimit: OTHER_BODY,
    genReqId: requestId,
    requestIdHeader: false,
    frameworkErrors: frameworkError,
    clientErrorHandler: clientError,
    logController: new LogController({ disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace' }),
    routerOptions: { maxParamLength: 1000, ignoreDuplicateSlashes: false },
    return503OnClosing: false,
    schemaController,
  });
  const onRoute = opts.onRoute;
  if (onRoute) {
    app.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) onRoute(`${method} ${route.url}`);
    });
  }
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
  registerErrorHandling(app);
  registerBodyLimits(app, config);
  registerWriteAuthentication(app, registry);
  registerMiscRoutes(app, registry);
  registerDownloadRoutes(app, registry);
  registerLoginRoutes(app, registry);
  registerProfileRoutes(app, registry);
  registerTokenRoutes(app, registry);
  registerTrustRoutes(app, registry);
  registerKeyRoutes(app, registry);
  registerSecretScanningRoutes(app, registry);
  registerDistTagRoutes(app, registry);
  registerOrgRoutes(app, registry);
  registerApprovalRoutes(app, registry);
  registerReportRoutes(app, registry);
  registerAuditLogRoutes(app, registry);
  registerPrinciplesRoutes(app, registry);
  registerTransparencyRoutes(app, registry);
  registerStageRoutes(app, registry);
  registerNameAdminRoutes(app, registry);
  registerAuditRoutes(app, registry);
  registerAdvisoryAdminRoutes(app, registry);
  registerWebRoutes(app, registry);
  registerAttestationRoutes(app, registry);
  registerPackageRoutes(app, registry);
  registerScanningRoutes(app, registry);
  registerQuarantineRoutes(app, registry);
  app.get('/-/*', async (request, reply) =>
    reply.code(404).send(errorBody(`Nothing at ${request.url.split('?')[0]}.`, 'NotFound')),
  );
  return app;
}
