// GET /-/security/principles: the live self-assessment as JSON (domain/security). Public: it says
// what this deployment enforces, which its users are entitled to know; it holds no secret.
import type { FastifyInstance } from 'fastify';
import type { Registry } from '../../registry.js';

export function registerPrinciplesRoutes(app: FastifyInstance, registry: Registry): void {
  app.get('/-/security/principles', async (_request, reply) =>
    reply.header('cache-control', 'no-cache').send(await registry.securityAssessment.report()),
  );
}
