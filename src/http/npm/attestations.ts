// GET /-/npm/v1/attestations/<name>@<version>: the Sigstore bundles of a version, in the shape
// pacote reads (`{attestations: [{predicateType, bundle}]}`, pacote/lib/registry.js). pacote
// replays the path of `dist.attestations.url` (`@scope%2fname@1.0.0`); pnpm 11 sends the raw
// `@scope/name@1.0.0`: both are accepted. A package the reader may not see answers 404.
// PUT /-/gatehouse/provenance/<name>: an owner declares the next version's source first.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Registry } from '../../registry.js';
import { fail } from '../../domain/errors.js';
import { parsePackageName, tarballFileName } from '../../domain/packages/names.js';
import { enforce } from '../../domain/access/principal.js';
import { splitUrl } from './paths.js';

const ATTESTATIONS = '/-/npm/v1/attestations/';
const DECLARE = '/-/gatehouse/provenance/';

function decoded(request: FastifyRequest, prefix: string): string {
  try {
    return decodeURIComponent(splitUrl(request.url).path.slice(prefix.length));
  } catch {
    fail('BadRequest', 'The address is not valid URL encoding.');
  }
}

function specOf(request: FastifyRequest): { name: string; version: string } {
  const spec = decoded(request, ATTESTATIONS);
  const at = spec.lastIndexOf('@');
  if (at <= 0) fail('BadRequest', 'Ask for /-/npm/v1/attestations/<name>@<version>.');
  return { name: spec.slice(0, at), version: spec.slice(at + 1) };
}

export function registerAttestationRoutes(app: FastifyInstance, registry: Registry): void {
  app.get(`${ATTESTATIONS}*`, async (request) => {
    const { name: raw, version } = specOf(request);
    const name = parsePackageName(raw);
    // Who may read is the packument's decision; a version not served has no attestations to show.
    const entry = await registry.packages.packument(request.context, name);
    const served = entry.kind === 'found' && entry.tarballs.has(tarballFileName(name, version));
    const found = served ? await registry.provenance.attestations(name, version) : [];
    if (found.length === 0) fail('AttestationsNotFound', `${name}@${version} has no attestations here.`);
    return { attestations: found.map((a) => ({ predicateType: a.predicateType, bundle: a.bundle })) };
  });

  app.put(`${DECLARE}*`, async (request) => {
    const name = parsePackageName(decoded(request, DECLARE));
    const owner = enforce(await registry.packages.canManage(request.context, name));
    const at = new Date(registry.clock.now()).toISOString();
    const declared = await registry.provenance.declare(request.context, owner, name, request.body, at);
    return { ok: true, kind: declared.kind, repository: declared.repository };
  });
}
