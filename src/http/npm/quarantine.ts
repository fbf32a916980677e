// Quarantined versions' one review (docs/quarantine.md): the administrators' queue, release and
// reject, whatever held the version (the malware scan at publish, a confirmed report). Thin:
// parse, call the quarantine domain, shape the answer.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Registry } from '../../registry.js';
import { parsePackageName, tarballPath } from '../../domain/packages/names.js';
import type { QuarantineEntry } from '../../domain/quarantine/index.js';

const ADMIN = '/-/gatehouse/v1/admin';

type VersionParams = { Params: { pkg: string; version: string } };

export function quarantineJson(registry: Registry, q: QuarantineEntry) {
  return {
    package: q.packageName,
    version: q.version,
    cause: q.cause,
    ref: q.ref,
    review: q.review,
    ...(q.tag !== null && { tag: q.tag }),
    publisher: q.publisher,
    heldAt: q.heldAt,
    findings: q.findings,
    ...(q.reviewedBy !== null && { reviewedBy: q.reviewedBy, reviewedAt: q.reviewedAt, reviewNote: q.reviewNote }),
    tarball: `${registry.baseUrl()}${tarballPath(parsePackageName(q.packageName), q.version)}`,
  };
}

function noteOf(request: FastifyRequest): unknown {
  const body = request.body as { note?: unknown } | undefined;
  return body?.note;
}

export function registerQuarantineRoutes(app: FastifyInstance, registry: Registry): void {
  app.get(`${ADMIN}/quarantine`, async (request) => {
    const queue = await registry.quarantine.queue(request.context);
    return { objects: queue.map((q) => quarantineJson(registry, q)), total: queue.length };
  });
  app.post<VersionParams>(`${ADMIN}/quarantine/:pkg/:version/release`, async (request) => {
    const { pkg, version } = request.params;
    return quarantineJson(
      registry,
      await registry.quarantine.release(request.context, parsePackageName(pkg), version, noteOf(request)),
    );
  });
  app.post<VersionParams>(`${ADMIN}/quarantine/:pkg/:version/reject`, async (request) => {
    const { pkg, version } = request.params;
    return quarantineJson(
      registry,
      await registry.quarantine.reject(request.context, parsePackageName(pkg), version, noteOf(request)),
    );
  });
}
