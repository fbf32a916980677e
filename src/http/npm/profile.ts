// npm's profile API: GET and POST /-/npm/v1/user (npm-profile's get and set; `npm profile get`,
// `set password`, `enable-2fa`, `disable-2fa`). Thin: the domain (domain/mfa/profile.ts) decides.
// Answers can carry an otpauth URL or recovery codes: never cached by anyone.
import type { FastifyInstance } from 'fastify';
import type { Registry } from '../../registry.js';

export function registerProfileRoutes(app: FastifyInstance, registry: Registry): void {
  app.get('/-/npm/v1/user', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    return registry.mfa.profile.get(request.context);
  });

  app.post('/-/npm/v1/user', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    return registry.mfa.profile.update(request.context, request.body);
  });
}
