// The done address of a write approved with a security key (domain/webauthn/write-approvals.ts):
// npm polls it with its token after opening the approval page, gets 202 with Retry-After while
// the owner has not touched their key, then the one-time code it resends the write with.
import type { FastifyInstance } from 'fastify';
import type { Registry } from '../../registry.js';

export function registerApprovalRoutes(app: FastifyInstance, registry: Registry): void {
  // The path holds the done secret: the access log shows the route only.
  app.get<{ Params: { done: string } }>(
    '/-/gatehouse/v1/approvals/:done',
    { config: { secretInPath: true } },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      const code = await registry.writeApprovals.poll(request.context, request.params.done);
      if (code === undefined) return reply.code(202).header('retry-after', '1').send({});
      return { token: code };
    },
  );
}
