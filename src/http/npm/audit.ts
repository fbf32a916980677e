// npm's audit endpoints, answered from imported OSV advisories (domain/advisories):
// - POST /-/npm/v1/security/advisories/bulk: npm 7+ (arborist audit-report.js sends it gzipped,
//   `content-encoding: gzip`), pnpm 11+ and yarn 4 (plain JSON).
// - POST /-/npm/v1/security/audits/quick and /audits: npm 6's tree, which pnpm 10 still posts.
// A POST to /-/ but a read: anonymous clients may audit when they may read (the domain decides).
import { gunzip, inflate } from 'node:zlib';
import { promisify } from 'node:util';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Registry } from '../../registry.js';
import { catalogError, fail } from '../../domain/errors.js';

/** The compressed body; npm's bulk body for a 2,000-package tree is tens of kilobytes. */
const AUDIT_BODY = 8 * 1024 * 1024;
/** What a body may inflate to: a gzip bomb stops here. */
const INFLATED_LIMIT = 64 * 1024 * 1024;

const gunzipped = promisify(gunzip);
const inflated = promisify(inflate);

async function decoded(request: FastifyRequest, body: Buffer): Promise<Buffer> {
  const encoding = String(request.headers['content-encoding'] ?? 'identity')
    .toLowerCase()
    .trim();
  try {
    if (encoding === 'gzip' || encoding === 'x-gzip') return await gunzipped(body, { maxOutputLength: INFLATED_LIMIT });
    if (encoding === 'deflate') return await inflated(body, { maxOutputLength: INFLATED_LIMIT });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
      throw catalogError('BodyTooLarge', `The audit body inflates to more than ${INFLATED_LIMIT / 1024 / 1024} MB.`);
    throw catalogError('AuditRequestInvalid', `The audit body is not valid ${encoding} data.`);
  }
  if (encoding !== 'identity') fail('AuditRequestInvalid', `Send the audit body as gzip or plain JSON, not ${encoding}.`);
  return body;
}

async function parsed(request: FastifyRequest): Promise<unknown> {
  const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  const text = (await decoded(request, body)).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return fail('AuditRequestInvalid', 'The audit body is not valid JSON.');
  }
}

export function registerAuditRoutes(app: FastifyInstance, registry: Registry): void {
  void app.register(async (scope) => {
    // The body is decoded here, not by the app's JSON parser: npm gzips it.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    const options = { config: { anonymousWrite: true }, bodyLimit: AUDIT_BODY };
    scope.post('/-/npm/v1/security/advisories/bulk', options, async (request) =>
      registry.advisories.bulk(request.context, await parsed(request)),
    );
    for (const path of ['/-/npm/v1/security/audits/quick', '/-/npm/v1/security/audits'])
      scope.post(path, options, async (request) => registry.advisories.quick(request.context, await parsed(request)));
  });
}
