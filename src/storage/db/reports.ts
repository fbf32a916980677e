// Kysely implementation of the report store (domain/reports/store.ts).
import type { Kysely, Selectable } from 'kysely';
import type { DB, ReportsTable } from './schema.js';
import type { Engine } from './engine.js';
import type { ReportStore, ReportRecord, MessageRole, MessageKind } from '../../domain/reports/store.js';
import type { ReportReason, ReportState } from '../../domain/reports/format.js';

type Row = Selectable<ReportsTable> & { reporter: string };

function toReport(r: Row): ReportRecord {
  return {
    id: Number(r.id),
    packageName: r.package_name,
    version: r.version ?? undefined,
    reason: r.reason as ReportReason,
    description: r.description,
    reporterId: Number(r.reporter_id),
    reporter: r.reporter,
    state: r.state as ReportState,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    resolvedAt: r.resolved_at ?? undefined,
    resolvedBy: r.resolved_by === null ? undefined : Number(r.resolved_by),
    advisoryId: r.advisory_id ?? undefined,
  };
}

export function reportStore(db: Kysely<DB>, engine: Engine): ReportStore {
  const reports = () =>
    db
      .selectFrom('reports')
      .innerJoin('users', 'users.id', 'reports.reporter_id')
      .selectAll('reports')
      .select('users.name as reporter');
  return {
    async insert(report) {
      const row = await db
        .insertInto('reports')
        .values({
          package_name: report.packageName,
          version: report.version ?? null,
          reason: report.reason,
          description: report.description,
          reporter_id: report.reporterId,
          state: 'open',
          created_at: report.createdAt,
          updated_at: report.createdAt,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return Number(row.id);
    },
    async get(id, opts = {}) {
      let query = reports().where('reports.id', '=', id);
      // SQLite has no row locks; its single writer already serialises write transactions.
      if (opts.lock && engine === 'postgres') query = query.forUpdate('reports');
      const row = await query.executeTakeFirst();
      return row && toReport(row);
    },
    async list(filter) {
      let query = reports();
      if (filter.packageName !== undefined) query = query.where('reports.package_name', '=', filter.packageName);
      if (filter.state !== undefined) query = query.where('reports.state', '=', filter.state);
      if (filter.reason !== undefined) query = query.where('reports.reason', '=', filter.reason);
      if (filter.reporterId !== undefined) query = query.where('reports.reporter_id', '=', filter.reporterId);
      const rows = await query.orderBy('reports.id').limit(filter.limit).execute();
      return rows.map(toReport);
    },
    async filedSince(reporterId, since) {
      const row = await db
        .selectFrom('reports')
        .select((eb) => [eb.fn.countAll<number | string>().as('count'), eb.fn.min('created_at').as('oldest')])
        .where('reporter_id', '=', reporterId)
        .where('created_at', '>=', since)
        .executeTakeFirst();
      return { count: Number(row?.count ?? 0), oldest: row?.oldest ?? undefined };
    },
    async setState(id, change) {
      await db
        .updateTable('reports')
        .set({
          state: change.state,
          updated_at: change.at,
          ...(change.resolvedBy !== undefined && { resolved_by: change.resolvedBy, resolved_at: change.at }),
          ...(change.advisoryId !== undefined && { advisory_id: change.advisoryId }),
        })
        .where('id', '=', id)
        .execute();
    },
    async addMessage(message) {
      const row = await db
        .insertInto('report_messages')
        .values({
          report_id: message.reportId,
          author_id: message.authorId,
          role: message.role,
          kind: message.kind,
          text: message.text,
          created_at: message.createdAt,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return Number(row.id);
    },
    async moderators() {
      return db.selectFrom('users').select(['name', 'email']).where('is_admin', '=', 1).orderBy('id').execute();
    },
    async messages(reportId) {
      const rows = await db
        .selectFrom('report_messages')
        .innerJoin('users', 'users.id', 'report_messages.author_id')
        .selectAll('report_messages')
        .select('users.name as author')
        .where('report_id', '=', reportId)
        .orderBy('report_messages.id')
        .execute();
      return rows.map((r) => ({
        id: Number(r.id),
        reportId: Number(r.report_id),
        authorId: Number(r.author_id),
        author: r.author,
        role: r.role as MessageRole,
        kind: r.kind as MessageKind,
        text: r.text,
        createdAt: r.created_at,
      }));
    },
  };
}
