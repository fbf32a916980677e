// GET /-/npm/v1/keys: the registry's signing keys, current and rotated out, in the shape
// `npm audit signatures` reads when Sigstore's TUF repository lists none for this registry
// (npm/lib/utils/verify-signatures.js). Public: the keys verify, they grant nothing.
import type { FastifyInstance } from 'fastify';
import type { Registry } from '../../registry.js';

export function registerKeyRoutes(app: FastifyInstance, registry: Registry): void {
  app.get('/-/npm/v1/keys', async () => ({ keys: await registry.signer.publishedKeys() }));
}
