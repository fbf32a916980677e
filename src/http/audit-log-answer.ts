// One builder for an audit-log page as NDJSON, shared by the API (npm/audit-log.ts) and the
// account page's download (web/account-audit.ts), so both send the same bytes and headers.
import type { FastifyReply } from 'fastify';
import type { AuditPage } from '../domain/audit-log/service.js';

/** Set when the page was full: the `since` for the next one. */
export const NEXT_HEADER = 'gatehouse-next-since';

/** One JSON object per line, each ending in a newline; never cached (it is someone's activity). */
export function sendAuditPage(reply: FastifyReply, page: AuditPage): FastifyReply {
  if (page.next !== undefined) reply.header(NEXT_HEADER, String(page.next));
  return reply
    .type('application/x-ndjson; charset=utf-8')
    .header('cache-control', 'private, no-store')
    .send(page.entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
}
