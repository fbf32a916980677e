// /account/audit-log: the signed-in browser's own audit log as an NDJSON download, the same
// lines GET /-/gatehouse/v1/audit-log?account=me gives a token (a session never reaches /-/).
import type { FastifyInstance } from 'fastify';
import type { Registry } from '../../registry.js';
import { pageQuery } from '../../domain/audit-log/service.js';
import { sendAuditPage } from '../audit-log-answer.js';
import { seeOther } from './session.js';
import { PAGE_ONLY } from './negotiation.js';

export function registerAccountAuditExport(app: FastifyInstance, registry: Registry): void {
  app.get('/account/audit-log', { constraints: PAGE_ONLY }, async (request, reply) => {
    if (request.context.principal.kind !== 'session') return seeOther(reply, '/login?next=/account');
    const query = request.query as Record<string, unknown>;
    const { since, limit } = pageQuery(query.since, query.limit);
    const page = await registry.auditLog.page(request.context, { kind: 'account', name: 'me' }, since, limit);
    return sendAuditPage(reply.header('content-disposition', 'attachment; filename="audit-log.ndjson"'), page);
  });
}
