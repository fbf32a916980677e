// GET of packuments, single versions and tarballs: the hot path. Answers come from ready bytes
// in the packument cache; a read runs no policy and, once cached, no query.
import { createReadStream } from 'node:fs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import semver from 'semver';
import type { Registry } from '../../registry.js';
import type { PackageName } from '../../domain/packages/names.js';
import type { ReadyDocument } from '../../domain/packages/packument-cache.js';
import { fail } from '../../domain/errors.js';
import { canManage } from '../../domain/packages/authorize.js';
import { requestPrincipal } from '../auth.js';

export const ABBREVIATED = 'application/vnd.npm.install-v1+json';

function wantsAbbreviated(accept: string | undefined): boolean {
  return accept !== undefined && accept.includes(ABBREVIATED);
}

async function found(registry: Registry, name: PackageName, fresh: boolean) {
  if (fresh) registry.packages.packuments.invalidate(name);
  const entry = await registry.packages.packuments.get(name);
  if (entry.kind === 'missing') fail('NotFound', entry.message);
  return entry;
}

function sendDocument(request: FastifyRequest, reply: FastifyReply, doc: ReadyDocument, type: string) {
  reply
    .header('etag', doc.etag)
    .header('vary', 'accept')
    // Revalidate every time: a deprecation or unpublish must reach clients at once; 304s are cheap.
    .header('cache-control', 'public, max-age=0, must-revalidate');
  if (request.headers['if-none-match'] === doc.etag) return reply.code(304).send();
  return reply.type(type).send(doc.body);
}

/**
 * npm asks `?write=true` before a read-modify-write (deprecate, owner, unpublish) and must then see
 * the newest document. Only someone who may change the package gets a rebuild; for anyone else
 * it would be a free way to make us query and rebuild on every request.
 */
async function wantsFresh(registry: Registry, request: FastifyRequest, name: PackageName): Promise<boolean> {
  if ((request.query as Record<string, unknown>).write !== 'true') return false;
  const principal = await requestPrincipal(registry, request);
  if (principal.kind === 'anonymous') return false;
  return canManage(principal, { name, owners: await registry.store.packages.owners(name) }).ok;
}

export async function getPackument(registry: Registry, request: FastifyRequest, reply: FastifyReply, name: PackageName) {
  await requestPrincipal(registry, request);
  const entry = await found(registry, name, await wantsFresh(registry, request, name));
  if (wantsAbbreviated(request.headers.accept)) return sendDocument(request, reply, entry.abbreviated, ABBREVIATED);
  return sendDocument(request, reply, entry.full, 'application/json');
}

/** `GET /<name>/<version|tag>`: one version document, as `npm view name@1.0.0` tools expect. */
export async function getVersion(
  registry: Registry,
  request: FastifyRequest,
  reply: FastifyReply,
  name: PackageName,
  spec: string,
) {
  await requestPrincipal(registry, request);
  const entry = await found(registry, name, false);
  const doc = JSON.parse(entry.full.body.toString('utf8')) as {
    'dist-tags': Record<string, string>;
    versions: Record<string, unknown>;
  };
  const version = doc['dist-tags'][spec] ?? semver.maxSatisfying(Object.keys(doc.versions), spec) ?? spec;
  const manifest = doc.versions[version];
  if (!manifest) fail('NotFound', `${name} has no version matching "${spec}".`);
  return reply.type('application/json').send(manifest);
}

export async function getTarball(
  registry: Registry,
  request: FastifyRequest,
  reply: FastifyReply,
  name: PackageName,
  file: string,
) {
  await requestPrincipal(registry, request);
  const tarball = await registry.packages.tarball(name, file);
  if (!tarball) fail('NotFound', `${name} has no tarball ${file}.`);
  const etag = `"${tarball.blob.slice(0, 32)}"`;
  reply
    .header('etag', etag)
    // The bytes behind a tarball URL never change (name@version is never reused).
    .header('cache-control', 'public, max-age=31536000, immutable')
    .header('content-length', tarball.size)
    .type('application/octet-stream');
  if (request.headers['if-none-match'] === etag) return reply.code(304).send();
  if (request.method === 'HEAD') return reply.send();
  registry.downloads.served(request.method, name, file);
  return reply.send(createReadStream(registry.blobs.localPath(tarball.blob)));
}
