// GET /-/gatehouse/v1/audit-log?package=NAME | org=ORG | account=me|NAME [&since=SEQ][&limit=N]
// answers NDJSON (one event per line, oldest first). When the page is full, the
// `gatehouse-next-since` header holds the cursor for the next one. Thin: the domain decides who
// reads what (domain/audit-log/authorize.ts).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Registry } from '../../registry.js';
import { fail } from '../../domain/errors.js';
import { parsePackageName } from '../../domain/packages/names.js';
import { pageQuery, type AuditSubject } from '../../domain/audit-log/service.js';
import { sendAuditPage } from '../audit-log-answer.js';

type Query = Record<string, unknown>;

// attacker-controlled: any query may arrive, repeated keys as arrays included.
function subjectOf(query: Query): AuditSubject {
  const given = (['package', 'org', 'account'] as const).filter((key) => query[key] !== undefined);
  if (given.length !== 1) fail('BadRequest', 'Name exactly one of package=NAME, org=ORG or account=me.');
  const key = given[0]!;
  const value = query[key];
  if (typeof value !== 'string' || value === '') fail('BadRequest', `${key} must be given once, with a value.`);
  if (key === 'package') return { kind: 'package', name: parsePackageName(value) };
  if (key === 'org') return { kind: 'org', org: value };
  return { kind: 'account', name: value };
}

export function registerAuditLogRoutes(app: FastifyInstance, registry: Registry): void {
  app.get('/-/gatehouse/v1/audit-log', async (request: FastifyRequest, reply) => {
    const query = request.query as Query;
    const subject = subjectOf(query);
    const { since, limit } = pageQuery(query.since, query.limit);
    return sendAuditPage(reply, await registry.auditLog.page(request.context, subject, since, limit));
  });
}
