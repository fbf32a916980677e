// Gatehouse's own API for reports, moderation and the malicious-package feed (README "API"):
//   POST /-/gatehouse/v1/packages/:pkg/reports          {version?, reason, description}
//   GET  /-/gatehouse/v1/reports, /-/gatehouse/v1/reports/:id, POST …/reports/:id/messages {text}
//   GET  /-/gatehouse/v1/admin/reports?package=&state=&reason=
//   POST /-/gatehouse/v1/admin/reports/:id/{confirm,dismiss} {note?}, …/:id/ask {question}
//   GET  /-/gatehouse/v1/osv/index.json, /-/gatehouse/v1/osv/all.zip, /-/gatehouse/v1/osv/MAL-….json
// Thin: parse, call one domain operation, shape the answer. Tokens only (auth.ts: no cookies on /-/).
import type { FastifyInstance } from 'fastify';
import type { Registry } from '../../registry.js';
import { parsePackageName } from '../../domain/packages/names.js';
import type { ReportMessage, ReportRecord } from '../../domain/reports/store.js';
import { fail } from '../../domain/errors.js';

const API = '/-/gatehouse/v1';

export function reportJson(r: ReportRecord) {
  return {
    id: r.id,
    package: r.packageName,
    ...(r.version !== undefined && { version: r.version }),
    reason: r.reason,
    description: r.description,
    state: r.state,
    reporter: r.reporter,
    created: r.createdAt,
    updated: r.updatedAt,
    ...(r.resolvedAt !== undefined && { resolved: r.resolvedAt }),
    ...(r.advisoryId !== undefined && { advisory: r.advisoryId }),
  };
}

function messageJson(m: ReportMessage) {
  return { author: m.author, role: m.role, kind: m.kind, text: m.text, created: m.createdAt };
}

type Id = { Params: { id: string } };

export function registerReportRoutes(app: FastifyInstance, registry: Registry): void {
  const { reports, malicious } = registry.reports;
  app.post<{ Params: { pkg: string } }>(`${API}/packages/:pkg/reports`, async (request, reply) => {
    const report = await reports.file(request.context, parsePackageName(request.params.pkg), request.body);
    return reply.code(201).send(reportJson(report));
  });
  app.get(`${API}/reports`, async (request) => (await reports.mine(request.context)).map(reportJson));
  app.get<Id>(`${API}/reports/:id`, async (request) => {
    const thread = await reports.thread(request.context, request.params.id);
    return { ...reportJson(thread.report), role: thread.role, messages: thread.messages.map(messageJson) };
  });
  app.post<Id>(`${API}/reports/:id/messages`, async (request) =>
    reportJson(await reports.reply(request.context, request.params.id, request.body)),
  );
  app.get<{ Querystring: Record<string, unknown> }>(`${API}/admin/reports`, async (request) => {
    const { package: pkg, state, reason } = request.query;
    return (await reports.queue(request.context, { package: pkg, state, reason })).map(reportJson);
  });
  app.post<Id>(`${API}/admin/reports/:id/confirm`, async (request) =>
    reportJson(await reports.confirm(request.context, request.params.id, request.body)),
  );
  app.post<Id>(`${API}/admin/reports/:id/dismiss`, async (request) =>
    reportJson(await reports.dismiss(request.context, request.params.id, request.body)),
  );
  app.post<Id>(`${API}/admin/reports/:id/ask`, async (request) =>
    reportJson(await reports.askForInfo(request.context, request.params.id, request.body)),
  );

  // The OSV feed is public, as osv.dev's is: it warns installers, it reveals nothing private.
  app.get(`${API}/osv/index.json`, async () => malicious.index());
  // The archive the osv.archive job built last (never built on a request); 503 until the first one exists.
  app.get(`${API}/osv/all.zip`, async (request, reply) => {
    const built = malicious.builtArchive();
    if (!built) fail('ArchiveNotReady', 'The OSV archive is being built; try again in a few seconds.', { 'retry-after': '2' });
    const { bytes, etag } = built;
    reply.header('etag', etag).header('cache-control', 'public, max-age=60');
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    return reply.type('application/zip').send(bytes);
  });
  app.get<Id>(`${API}/osv/:id`, async (request, reply) => {
    const id = request.params.id;
    if (!id.endsWith('.json')) fail('AdvisoryNotFound', 'Advisories are at /-/gatehouse/v1/osv/MAL-YYYY-N.json.');
    return reply.type('application/json').send(await malicious.record(id.slice(0, -'.json'.length)));
  });
}
