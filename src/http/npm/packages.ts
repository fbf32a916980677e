// Routes every URL under a package name: GET packument/version/tarball, PUT publish or document
// write-back, DELETE unpublish. Thin: parse the path, take the request context, call one operation.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Registry } from '../../registry.js';
import { fail } from '../../domain/errors.js';
import { isObject } from '../../domain/packages/publish-document.js';
import { versionOfTarball } from '../../domain/packages/names.js';
import { assertValidNameIn, parsePackagePath, splitUrl, type PackagePath } from './paths.js';
import { getPackument, getTarball, getVersion } from './reads.js';
import { noticeHeader } from '../notice.js';

function pathOf(request: FastifyRequest, opts: { write: boolean } = { write: false }): PackagePath {
  const path = splitUrl(request.url).path;
  const parsed = parsePackagePath(path);
  if (!parsed) {
    // A read of an impossible name is simply not found; a write deserves the reason it cannot exist.
    if (opts.write) assertValidNameIn(path);
    fail('NotFound', `Nothing at ${path}: not a valid package path.`);
  }
  return parsed;
}

export function registerPackageRoutes(app: FastifyInstance, registry: Registry): void {
  app.route({ method: ['GET', 'HEAD'], url: '/*', handler: (req, reply) => read(registry, req, reply) });
  app.put('/*', { preParsing: (req, _reply, payload) => refuseBeforeBody(registry, req).then(() => payload) }, (req, reply) =>
    write(registry, req, reply),
  );
  app.delete('/*', (req, reply) => remove(registry, req, reply));
}

async function read(registry: Registry, request: FastifyRequest, reply: FastifyReply) {
  const path = pathOf(request);
  switch (path.kind) {
    case 'package':
      return getPackument(registry, request, reply, path.name);
    case 'version':
      return getVersion(registry, request, reply, path.name, path.spec);
    case 'tarball':
      return getTarball(registry, request, reply, path.name, path.file);
    default:
      fail('NotFound', `Nothing to read at ${splitUrl(request.url).path}.`);
  }
}

async function write(registry: Registry, request: FastifyRequest, reply: FastifyReply) {
  const path = pathOf(request, { write: true });
  const context = request.context;
  const body = request.body;
  if (!isObject(body)) fail('BadRequest', 'Send a JSON object.');
  if (path.kind === 'package' && isPublish(body)) {
    const published = await registry.packages.publish(context, path.name, body);
    request.log.info({ pkg: published.name, version: published.version }, 'published');
    const warnings = published.warnings.length > 0 ? { warnings: published.warnings } : {};
    // npm prints this header as `npm notice …` (npm-registry-fetch check-response.js); it ignores `warnings`.
    if (published.notices.length > 0) reply.header('npm-notice', noticeHeader(published.notices));
    return reply.code(201).send({ ok: true, id: published.name, version: published.version, ...warnings });
  }
  if (path.kind === 'package' || path.kind === 'package-rev') {
    await registry.packages.updateFromDocument(context, path.name, body, path.kind === 'package-rev' ? path.rev : undefined);
    return reply.code(200).send({ ok: true, id: path.name });
  }
  fail('BadRequest', 'Nothing can be written at this address.');
}

/**
 * A PUT /<name> body larger than any write-back but a maintainer's is a publish: who may send it
 * is decided before a byte of it is read, so a 50 MB body from a read-only token or a stranger
 * is never decoded or hashed. Smaller bodies (a star, a deprecation) are read and decided as before.
 */
async function refuseBeforeBody(registry: Registry, request: FastifyRequest): Promise<void> {
  const path = parsePackagePath(splitUrl(request.url).path);
  if (path?.kind !== 'package') return;
  const declared = Number(request.headers['content-length']);
  const unknownSize = request.headers['transfer-encoding'] !== undefined;
  if (!unknownSize && !(declared > registry.config.maxDocumentBytes)) return;
  await registry.packages.checkBeforeBody(request.context, path.name);
}

async function remove(registry: Registry, request: FastifyRequest, reply: FastifyReply) {
  const path = pathOf(request, { write: true });
  const context = request.context;
  switch (path.kind) {
    case 'package-rev':
    case 'package':
      // npm unpublish --force sends the `_rev` it read: a package changed since then is not removed.
      await registry.packages.unpublishPackage(context, path.name, path.kind === 'package-rev' ? path.rev : undefined);
      return reply.send({ ok: true, id: path.name });
    case 'tarball-rev':
    case 'tarball': {
      // npm first PUTs the document without the version, then deletes the tarball: by then the
      // version is usually gone already, and this only removes it if it is still there.
      const version = versionOfTarball(path.name, path.file);
      if (version) await registry.packages.unpublishVersion(context, path.name, version);
      return reply.send({ ok: true });
    }
    default:
      fail('BadRequest', 'Nothing can be deleted at this address.');
  }
}

/**
 * A publish carries its tarball in `_attachments` and never a `_rev`; a read-modify-write
 * (deprecate, star) always sends back the `_rev` it read. Without this, a publish whose
 * attachments were lost would be taken for a deprecation and answered 200 with nothing stored.
 */
function isPublish(body: Record<string, unknown>): boolean {
  return body._attachments !== undefined || (body._rev === undefined && body.versions !== undefined);
}
