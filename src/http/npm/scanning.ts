// The malware scan's API (docs/malware-scanning.md): the rule switches, and a package's scan
// results for its owners (the quarantine queue and its review are npm/quarantine.ts). Thin: parse,
// call the scanning domain, shape the answer.
import type { FastifyInstance } from 'fastify';
import type { Registry } from '../../registry.js';
import { fail } from '../../domain/errors.js';
import { parsePackageName, tarballPath } from '../../domain/packages/names.js';
import type { ScanService } from '../../domain/scanning/service.js';
import type { ScanRecord } from '../../domain/scanning/store.js';

const ADMIN = '/-/gatehouse/v1/admin';

function scanningOf(registry: Registry): ScanService {
  if (!registry.scanning) fail('NotFound', 'Malware scanning is off on this registry (scanEnabled).');
  return registry.scanning;
}

function recordJson(registry: Registry, r: ScanRecord) {
  return {
    package: r.packageName,
    version: r.version,
    verdict: r.verdict,
    tag: r.tag,
    publisher: r.publisher,
    scannedAt: r.scannedAt,
    rulesVersion: r.rulesVersion,
    findings: r.findings,
    capabilities: r.capabilities,
    tarball: `${registry.baseUrl()}${tarballPath(parsePackageName(r.packageName), r.version)}`,
  };
}

export function registerScanningRoutes(app: FastifyInstance, registry: Registry): void {
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
