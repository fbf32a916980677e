// The malware scan's API (docs/malware-scanning.md): the administrators' quarantine queue and its
// review, the rule switches, and a package's scan results for its owners. Thin: parse, call the
// scanning domain, shape the answer.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Registry } from '../../registry.js';
import { fail } from '../../domain/errors.js';
import { parsePackageName, tarballPath } from '../../domain/packages/names.js';
import type { ScanService } from '../../domain/scanning/service.js';
import type { ScanRecord } from '../../domain/scanning/store.js';

const ADMIN = '/-/gatehouse/v1/admin';

type VersionParams = { Params: { pkg: string; version: string } };

function scanningOf(registry: Registry): ScanService {
  if (!registry.scanning) fail('NotFound', 'Malware scanning is off on this registry (scanEnabled).');
  return registry.scanning;
}

function recordJson(registry: Registry, r: ScanRecord) {
  return {
    package: r.packageName,
    version: r.version,
    verdict: r.verdict,
    review: r.review,
    tag: r.tag,
    publisher: r.publisher,
    scannedAt: r.scannedAt,
    rulesVersion: r.rulesVersion,
    findings: r.findings,
    capabilities: r.capabilities,
    ...(r.reviewedBy !== null && { reviewedBy: r.reviewedBy, reviewedAt: r.reviewedAt, reviewNote: r.reviewNote }),
    tarball: `${registry.baseUrl()}${tarballPath(parsePackageName(r.packageName), r.version)}`,
  };
}

function noteOf(request: FastifyRequest): unknown {
  const body = request.body as { note?: unknown } | undefined;
  return body?.note;
}

export function registerScanningRoutes(app: FastifyInstance, registry: Registry): void {
  app.get(`${ADMIN}/quarantine`, async (request) => {
    const queue = await scanningOf(registry).queue(request.context);
    return { objects: queue.map((r) => recordJson(registry, r)), total: queue.length };
  });
  app.post<VersionParams>(`${ADMIN}/quarantine/:pkg/:version/release`, async (request) => {
    const { pkg, version } = request.params;
    const released = await scanningOf(registry).release(request.context, parsePackageName(pkg), version, noteOf(request));
    return recordJson(registry, released);
  });
  app.post<VersionParams>(`${ADMIN}/quarantine/:pkg/:version/reject`, async (request) => {
    const { pkg, version } = request.params;
    const rejected = await scanningOf(registry).reject(request.context, parsePackageName(pkg), version, noteOf(request));
    return recordJson(registry, rejected);
  });
  app.get(`${ADMIN}/scan/rules`, async (request) => scanningOf(registry).listRules(request.context));
  app.put<{ Params: { id: string } }>(`${ADMIN}/scan/rules/:id`, async (request) => {
    const body = request.body as { enabled?: unknown } | undefined;
    return scanningOf(registry).switchRule(request.context, request.params.id, body?.enabled);
  });
  app.get<{ Params: { pkg: string } }>('/-/gatehouse/v1/packages/:pkg/scan', async (request) => {
    const results = await scanningOf(registry).results(request.context, parsePackageName(request.params.pkg));
    return { objects: results.map((r) => recordJson(registry, r)) };
  });
}
