// GET of packuments, single versions and tarballs when the fast path could not answer from memory:
// this path authenticates, fills the caches and writes the very answer the fast path will give
// next time (reads/answers.ts builds both). Who may read is decided in the domain (canRead): a
// package the reader may not see gets the answer of one that does not exist. Once cached, no query.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Registry } from '../../registry.js';
import type { PackageName } from '../../domain/packages/names.js';
import {
  missingAnswer,
  notFoundAnswer,
  notModified,
  packumentAnswer,
  privateDocumentAnswer,
  sendAnswer,
  sendTarball,
  tarballAnswer,
  versionAnswer,
  ABBREVIATED,
  type FoundPackage,
  type ReadAnswer,
} from '../reads/answers.js';

/** Fastify steps aside: the answer's bytes come from the shared builder, plus our request id. */
function send(request: FastifyRequest, reply: FastifyReply, answer: ReadAnswer): FastifyReply {
  reply.hijack();
  sendAnswer(request.raw, reply.raw, answer, ['x-request-id', request.id]);
  return reply;
}

/**
 * npm asks `?write=true` before a read-modify-write (deprecate, owner, unpublish) and must then see
 * the newest document. Only someone who may change the package gets a rebuild; for anyone else
 * it would be a free way to make us query and rebuild on every request.
 */
async function wantsFresh(registry: Registry, request: FastifyRequest, name: PackageName): Promise<boolean> {
  if ((request.query as Record<string, unknown>).write !== 'true') return false;
  return (await registry.packages.canManage(request.context, name)).ok;
}

export async function getPackument(registry: Registry, request: FastifyRequest, reply: FastifyReply, name: PackageName) {
  const entry = await registry.packages.packument(request.context, name, await wantsFresh(registry, request, name));
  // With its quarantined versions, for its owners and administrators (never cached); the cached answer for anyone else.
  const abbreviated = request.headers.accept?.includes(ABBREVIATED) === true;
  const held = await registry.packages.heldPackument(request.context, name, entry, abbreviated);
  if (held) return send(request, reply, privateDocumentAnswer(held, abbreviated ? ABBREVIATED : undefined));
  if (entry.kind !== 'found') return send(request, reply, missingAnswer(entry));
  return send(request, reply, packumentAnswer(entry, request.headers.accept));
}

/** `GET /<name>/<version|tag>`: one version document, as `npm view name@1.0.0` tools expect. */
export async function getVersion(
  registry: Registry,
  request: FastifyRequest,
  reply: FastifyReply,
  name: PackageName,
  spec: string,
) {
  const entry = await registry.packages.packument(request.context, name);
  const kept = (found: FoundPackage) => (bytes: number) => registry.packages.packuments.charge(name, found, bytes);
  const served = entry.kind === 'found' ? versionAnswer(entry, spec, kept(entry)) : undefined;
  if (served) return send(request, reply, served);
  // A quarantined version, for its owners and administrators; the same 404 as below for anyone else.
  const held = await registry.packages.heldVersion(request.context, name, spec);
  if (held) return send(request, reply, privateDocumentAnswer(held));
  if (entry.kind !== 'found') return send(request, reply, missingAnswer(entry));
  return send(request, reply, notFoundAnswer(`${name} has no version matching "${spec}".`, 'VersionNotFound'));
}

export async function getTarball(
  registry: Registry,
  request: FastifyRequest,
  reply: FastifyReply,
  name: PackageName,
  file: string,
) {
  const tarball = await registry.packages.tarball(request.context, name, file);
  if (!tarball) return send(request, reply, notFoundAnswer(`${name} has no tarball ${file}.`, 'TarballNotFound'));
  // Opened before the answer starts, so a missing blob is still an ordinary 500, not a cut connection.
  const blob = await registry.packages.openTarball(tarball);
  if (!blob) throw new Error(`gatehouse: the blob of ${name}/${file} is missing from the blob store`);
  reply.hijack();
  const answer = tarballAnswer(tarball);
  if (!notModified(request.raw, answer)) registry.downloads.served(request.method, name, file);
  await sendTarball(request.raw, reply.raw, answer, blob, ['x-request-id', request.id]);
  return reply;
}
